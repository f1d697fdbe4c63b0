"""`image_actions`: every console button of an image asks it, and it answers as the services would."""

import pytest

from core.errors import ImsError
from images.blobs.models import Manifest
from images.choices import ImageStatus
from images.models import Job, JobStatus
from images.rules import image_actions
from images.services import copy, delete, members
from tests.factories import actor, make_image

BUTTONS = {"modify", "copy", "copy_region", "export", "delete", "deactivate", "reactivate", "share", "tags"}


@pytest.fixture
def image(tenant_a):
    # An empty disk: a manifest with no chunks is all zeros, enough for the copy and export rules.
    disk = Manifest.objects.create(region=tenant_a.project.region, virtual_size=1 << 30)
    return make_image(tenant_a.project, manifest=disk, virtual_size=1 << 30)


def test_the_owner_with_full_access_may_use_every_button_of_a_normal_image(tenant_a, image):
    actions = image_actions(actor(tenant_a.admin), image)
    assert set(actions) == BUTTONS
    # Reactivate is the one button a normal image does not offer: it is a deactivated image's.
    assert all(action.allowed and action.reason == "" for name, action in actions.items() if name != "reactivate")
    assert not actions["reactivate"].allowed


def test_a_read_only_user_is_told_which_permission_each_button_needs(tenant_a, image):
    actions = image_actions(actor(tenant_a.reader), image)
    assert not any(action.allowed for action in actions.values())
    assert "ims:images:copy" in actions["copy"].reason and "ims:images:export" in actions["export"].reason
    assert "ims:images:delete" in actions["delete"].reason
    assert "ims:images:share" in actions["share"].reason and "ims:images:update" in actions["tags"].reason


def test_another_projects_image_offers_no_button(tenant_a, tenant_b):
    theirs = make_image(tenant_b.project)
    actions = image_actions(actor(tenant_a.admin), theirs)
    assert not any(action.allowed for action in actions.values())
    assert "owns the image" in actions["copy"].reason


def test_a_button_refused_by_a_rule_says_what_the_service_would_say(tenant_a, image):
    Job.objects.create(job_type="exportImage", project=tenant_a.project, image=image, status=JobStatus.RUNNING)
    admin = actor(tenant_a.admin)
    reason = image_actions(admin, image)["delete"].reason
    with pytest.raises(ImsError) as refused:
        delete.glance_delete_image(admin, image_id=image.pk)
    assert reason == refused.value.message


def test_a_saving_image_can_be_neither_copied_nor_shared(tenant_a):
    saving = make_image(tenant_a.project, status=ImageStatus.SAVING)
    admin = actor(tenant_a.admin)
    actions = image_actions(admin, saving)
    with pytest.raises(ImsError) as copy_refused:
        copy.copy_image_in_region(admin, image_id=saving.pk, name="copy")
    assert actions["copy"].reason == copy_refused.value.message
    assert actions["share"].reason == members.share_refusal(saving).message
    assert actions["tags"].allowed


def test_modify_is_refused_as_the_update_service_refuses_it(tenant_a, image):
    from images.rules import image_action
    from images.services.update import Change, update_image

    image.status = ImageStatus.SAVING
    image.save()
    reason = image_action(actor(tenant_a.admin), image, "modify").reason
    with pytest.raises(ImsError) as refused:
        update_image(actor(tenant_a.admin), image_id=image.pk, changes=[Change("replace", "name", "x")])
    assert reason == refused.value.message
    assert "ims:images:update" in image_action(actor(tenant_a.reader), image, "modify").reason
