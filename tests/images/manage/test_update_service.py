"""The update services called directly, as the console, jobs and seeding call them."""

import pytest

from audit.models import Trace, TraceResult
from core.errors import ImsError
from iam.authz import PermissionDenied
from images.services.update import Change, glance_update_image, update_image
from tests.factories import actor, make_image


def test_update_image_applies_changes_and_traces_what_was_asked(tenant_a):
    image = make_image(tenant_a.project)
    update_image(actor(tenant_a.admin), image=image, changes=[Change("replace", "name", "svc")])
    image.refresh_from_db()
    assert image.name == "svc"
    trace = Trace.objects.get(event_name="updateImage", operation="update_image")
    assert "/name" in str(trace.summary["changes"]) and "svc" in str(trace.summary["changes"])


def test_removing_max_ram_and_description_clears_them(tenant_a):
    image = make_image(tenant_a.project, max_ram=4096, description="d")
    update_image(
        actor(tenant_a.admin), image=image, changes=[Change("remove", "max_ram"), Change("remove", "__description")]
    )
    image.refresh_from_db()
    assert image.max_ram is None and image.description == ""


def test_an_arm_image_keeps_uefi_firmware(tenant_a):
    image = make_image(tenant_a.project, architecture="arm", hw_firmware_type="uefi")
    with pytest.raises(ImsError) as refused:
        update_image(actor(tenant_a.admin), image=image, changes=[Change("replace", "hw_firmware_type", "bios")])
    assert "hw_firmware_type" in refused.value.message


def test_protected_is_changed_only_through_glance(tenant_a):
    image = make_image(tenant_a.project)
    with pytest.raises(ImsError):
        update_image(actor(tenant_a.admin), image=image, changes=[Change("replace", "protected", "true")])
    glance_update_image(actor(tenant_a.admin), image=image, changes=[Change("replace", "protected", True)])
    image.refresh_from_db()
    assert image.protected is True


def test_a_reader_is_denied_by_the_service_itself(tenant_a):
    image = make_image(tenant_a.project)
    with pytest.raises(PermissionDenied):
        glance_update_image(actor(tenant_a.reader), image=image, changes=[Change("replace", "name", "x")])
    assert Trace.objects.get(event_name="updateImage").result == TraceResult.DENIED
