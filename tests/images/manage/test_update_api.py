"""Modifying image attributes: the IMS JSON-patch (PATCH /v2/cloudimages/{id}) and both Glance media types."""

import pytest

from audit.models import Trace, TraceResult
from images.choices import ImageStatus
from images.models import Image
from tests.factories import make_image, share

GLANCE_21 = "application/openstack-images-v2.1-json-patch"
GLANCE_20 = "application/openstack-images-v2.0-json-patch"


def patch(client, image, changes):
    return client.send("PATCH", f"/v2/cloudimages/{image.id}", changes)


def test_name_description_and_memory_change_and_the_whole_image_comes_back(api_a, tenant_a):
    image = make_image(tenant_a.project)
    response = patch(
        api_a,
        image,
        [
            {"op": "replace", "path": "/name", "value": "renamed"},
            {"op": "add", "path": "/__description", "value": "for web servers"},
            {"op": "replace", "path": "/min_ram", "value": "1024"},
            {"op": "replace", "path": "/max_ram", "value": "4096"},
        ],
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["name"] == body["__image_displayname"] == "renamed"
    assert body["__description"] == "for web servers" and body["min_ram"] == 1024 and body["max_ram"] == "4096"
    image.refresh_from_db()
    assert (image.name, image.min_ram, image.max_ram) == ("renamed", 1024, 4096)
    trace = Trace.objects.get(event_name="updateImage")
    assert trace.result == TraceResult.SUCCESS and trace.resource_id == str(image.id)


def test_flags_os_version_and_min_disk_are_parsed_from_strings(api_a, tenant_a):
    image = make_image(tenant_a.project, virtual_size=20 * 1024**3)
    response = patch(
        api_a,
        image,
        [
            {"op": "replace", "path": "/hw_vif_multiqueue_enabled", "value": "true"},
            {"op": "replace", "path": "/__support_kvm_hi1822_hisriov", "value": "true"},
            {"op": "replace", "path": "/__os_version", "value": "Other Windows(64 bit)"},
            {"op": "replace", "path": "/min_disk", "value": "60"},
        ],
    )
    assert response.status_code == 200, response.json()
    image.refresh_from_db()
    assert image.multiqueue and image.support_flags["kvm_hi1822_hisriov"] is True
    assert (image.os_version, image.os_type, image.min_disk) == ("Other Windows(64 bit)", "Windows", 60)
    assert response.json()["hw_vif_multiqueue_enabled"] == "true"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"op": "replace", "path": "/min_ram", "value": "lots"}, "min_ram"),
        ({"op": "replace", "path": "/min_disk", "value": "10"}, "min_disk"),
        ({"op": "replace", "path": "/min_disk", "value": "2000"}, "min_disk"),
        ({"op": "replace", "path": "/name", "value": "bad<name>"}, "name"),
        ({"op": "replace", "path": "/hw_vif_multiqueue_enabled", "value": "maybe"}, "hw_vif_multiqueue_enabled"),
        ({"op": "replace", "path": "/__os_version", "value": "Plan 9"}, "os_version"),
        ({"op": "remove", "path": "/name"}, "name"),
        ({"op": "move", "path": "/name", "value": "x"}, "op"),
    ],
)
def test_bad_values_are_refused_naming_the_field(api_a, tenant_a, change, field):
    image = make_image(tenant_a.project, virtual_size=20 * 1024**3)
    response = patch(api_a, image, [change])
    assert response.status_code == 400
    assert field in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "field",
    [
        "id",
        "owner",
        "status",
        "visibility",
        "size",
        "checksum",
        "created_at",
        "disk_format",
        "__imagetype",
        "protected",
    ],
)
def test_read_only_fields_are_refused_naming_the_field(api_a, tenant_a, field):
    image = make_image(tenant_a.project)
    response = patch(api_a, image, [{"op": "replace", "path": f"/{field}", "value": "x"}])
    assert response.status_code == 400 and field in response.json()["error"]["message"]
    assert Image.objects.get(pk=image.pk).status == ImageStatus.ACTIVE


def test_max_ram_below_min_ram_is_refused(api_a, tenant_a):
    image = make_image(tenant_a.project, min_ram=2048)
    response = patch(api_a, image, [{"op": "replace", "path": "/max_ram", "value": "1024"}])
    assert response.status_code == 400 and "max_ram" in response.json()["error"]["message"]


def test_a_failed_change_leaves_the_image_as_it_was(api_a, tenant_a):
    image = make_image(tenant_a.project, name="before")
    patch(
        api_a,
        image,
        [{"op": "replace", "path": "/name", "value": "after"}, {"op": "replace", "path": "/min_ram", "value": "-1"}],
    )
    assert Image.objects.get(pk=image.pk).name == "before"
    assert Trace.objects.get(event_name="updateImage").result == TraceResult.FAILURE


def test_only_an_active_image_can_be_modified(api_a, tenant_a):
    image = make_image(tenant_a.project, status=ImageStatus.SAVING)
    response = patch(api_a, image, [{"op": "replace", "path": "/name", "value": "x"}])
    assert response.status_code == 409 and response.json()["error"]["code"] == "IMG.0008"


def test_the_body_must_be_an_array_of_changes(api_a, tenant_a):
    image = make_image(tenant_a.project)
    assert patch(api_a, image, {"op": "replace"}).status_code == 400
    assert patch(api_a, image, []).status_code == 400


def test_another_tenant_cannot_modify_even_a_shared_image(api_b, tenant_a, tenant_b):
    image = make_image(tenant_a.project, name="mine")
    share(image, tenant_b.project, "accepted")
    response = patch(api_b, image, [{"op": "replace", "path": "/name", "value": "theirs"}])
    assert response.status_code == 404
    other = make_image(tenant_a.project)
    assert patch(api_b, other, [{"op": "replace", "path": "/name", "value": "theirs"}]).status_code == 404
    assert Image.objects.get(pk=image.pk).name == "mine"


def test_a_reader_is_refused_and_the_refusal_is_traced(signed_client, tenant_a):
    image = make_image(tenant_a.project, name="kept")
    response = patch(signed_client(tenant_a.reader), image, [{"op": "replace", "path": "/name", "value": "x"}])
    assert response.status_code == 403
    trace = Trace.objects.get(event_name="updateImage")
    assert trace.result == TraceResult.DENIED and trace.resource_id == str(image.id)
    assert Image.objects.get(pk=image.pk).name == "kept"


def test_glance_v21_patch_replaces_and_adds(api_a, tenant_a):
    image = make_image(tenant_a.project)
    response = api_a.send(
        "PATCH",
        f"/v2/images/{image.id}",
        [
            {"op": "replace", "path": "/name", "value": "glance name"},
            {"op": "add", "path": "/__description", "value": "added"},
            {"op": "replace", "path": "/protected", "value": "true"},
        ],
        content_type=GLANCE_21,
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["name"] == "glance name" and body["__description"] == "added" and body["protected"] is True
    assert "__image_location" in body


def test_glance_v20_patch_uses_the_older_change_shape(api_a, tenant_a):
    image = make_image(tenant_a.project, description="old")
    response = api_a.send(
        "PATCH",
        f"/v2/images/{image.id}",
        [
            {"replace": "/name", "value": "v20 name"},
            {"remove": "/__description"},
        ],
        content_type=GLANCE_20,
    )
    assert response.status_code == 200, response.json()
    image.refresh_from_db()
    assert image.name == "v20 name" and image.description == ""


# `add` of an attribute that has a value replaces it (RFC 6902): tests/images/glance/test_patch.py.
@pytest.mark.parametrize(
    "change",
    [
        {"op": "replace", "path": "/__description", "value": "x"},
        {"op": "remove", "path": "/max_ram"},
    ],
)
def test_glance_replaces_and_removes_only_what_exists(api_a, tenant_a, change):
    image = make_image(tenant_a.project, description="")
    response = api_a.send("PATCH", f"/v2/images/{image.id}", [change], content_type=GLANCE_21)
    assert response.status_code == 409


def test_glance_may_modify_a_queued_image(api_a, tenant_a):
    image = make_image(tenant_a.project, status=ImageStatus.QUEUED)
    response = api_a.send(
        "PATCH", f"/v2/images/{image.id}", [{"op": "replace", "path": "/name", "value": "q"}], content_type=GLANCE_21
    )
    assert response.status_code == 200 and response.json()["status"] == "queued"


def test_glance_patch_of_another_tenants_image_is_not_found(api_b, tenant_a):
    image = make_image(tenant_a.project)
    response = api_b.send(
        "PATCH", f"/v2/images/{image.id}", [{"op": "replace", "path": "/name", "value": "x"}], content_type=GLANCE_21
    )
    assert response.status_code == 404


def test_glance_show_still_answers_on_the_same_route(api_a, tenant_a):
    image = make_image(tenant_a.project)
    response = api_a.get(f"/v2/images/{image.id}")
    assert response.status_code == 200 and response.json()["id"] == str(image.id)
