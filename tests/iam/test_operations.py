"""`@operation`: one place that authorizes, runs in a transaction and traces success, failure and denial."""

import pytest
from django.utils.translation import gettext as _

from audit.models import Trace
from core.errors import ImsError
from iam.authz import PermissionDenied
from iam.operations import operation
from images.models import Image
from tests import factories


@operation("update_image")
def rename(actor, *, image, name):
    image.name = name
    image.save()
    if name == "forbidden":
        raise ImsError("IMG.0099", _("That name is not allowed."))
    return image


def test_allowed_operation_changes_state_and_traces_success(tenant_a):
    image = factories.make_image(tenant_a.project)
    rename(factories.actor(tenant_a.admin), image=image, name="renamed")
    assert Image.objects.get(pk=image.pk).name == "renamed"
    trace = Trace.objects.get(event_name="updateImage")
    assert (trace.result, trace.resource_id, trace.username) == ("success", str(image.pk), "alpha-admin")
    assert trace.project_id == tenant_a.project.id and trace.region_id == "cn-north-4"


def test_denied_operation_changes_nothing_and_traces_the_denial(tenant_a):
    image = factories.make_image(tenant_a.project, name="original")
    with pytest.raises(PermissionDenied):
        rename(factories.actor(tenant_a.reader), image=image, name="renamed")
    assert Image.objects.get(pk=image.pk).name == "original"
    trace = Trace.objects.get(event_name="updateImage")
    assert (trace.result, trace.error_code, trace.username) == ("denied", "IMG.0003", "alpha-reader")


def test_failed_operation_is_rolled_back_and_its_trace_survives(tenant_a):
    image = factories.make_image(tenant_a.project, name="original")
    with pytest.raises(ImsError):
        rename(factories.actor(tenant_a.admin), image=image, name="forbidden")
    assert Image.objects.get(pk=image.pk).name == "original"
    trace = Trace.objects.get(event_name="updateImage")
    assert (trace.result, trace.error_code) == ("failure", "IMG.0099")


def test_every_catalogue_operation_has_permission_actions_or_is_public():
    from iam.catalogue import OPERATIONS

    public = {
        "list_versions",
        "show_version",
        "show_job",
        "show_job_progress",
        "login",
        "logout",
        "change_password",
        "create_own_access_key",
        "set_access_key_status",
        "delete_access_key",
        # Account administration in the Django admin, which only the account's administrators may enter.
        "grant_image_to_user",
        "revoke_image_from_user",
        # Market publishing in the Django admin: the platform operator alone (the service checks it).
        "publish_market_image",
        "unpublish_market_image",
        # Glance's discovery of import methods and stores: anyone signed in may ask, as in Glance.
        "glance_show_import_info",
        "glance_show_stores_info",
    }
    for op in OPERATIONS:
        assert op.actions or op.name in public or (op.name.startswith("glance_") and "schemas" in op.name), op.name
        assert all(action.count(":") == 2 for action in op.actions), op.name
    names = [op.name for op in OPERATIONS]
    assert len(names) == len(set(names))
    assert {op.trace_name for op in OPERATIONS if op.event} >= {
        "createImage",
        "updateImage",
        "deleteImage",
        "copyImage",
        "exportImage",
        "addMember",
        "updateMember",
        "deleteMemeber",
        "addTag",
        "deleteTag",
        "batchTagsAction",
    }
