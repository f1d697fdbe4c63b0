"""POST /v2/images with Glance's rules: optional name, container formats, visibility, reserved and extra
properties."""

import pytest

from tests.images.glance.conftest import create, listed


def test_an_image_may_be_created_without_a_name(api_a):
    response = create(api_a, disk_format="raw")
    assert response.status_code == 201, response.content
    shown = api_a.get(f"/v2/images/{response.json()['id']}").json()
    assert shown["name"] is None and shown["os_hidden"] is False


@pytest.mark.parametrize("container_format", ["bare", "ovf", "ova", "aki", "ari", "ami", "docker", "compressed"])
def test_every_glance_container_format_is_accepted(api_a, container_format):
    response = create(api_a, name="c", disk_format="raw", container_format=container_format)
    assert response.status_code == 201 and response.json()["container_format"] == container_format


def test_an_unknown_container_format_is_refused(api_a):
    response = create(api_a, name="c", container_format="wrong")
    assert response.status_code == 400 and "container_format" in response.json()["error"]["message"]


def test_the_owner_may_create_private_and_shared_images(api_a):
    for visibility in ("private", "shared"):
        response = create(api_a, name="v", visibility=visibility)
        assert response.status_code == 201 and response.json()["visibility"] == visibility


@pytest.mark.parametrize("visibility", ["public", "community"])
def test_only_a_cloud_administrator_makes_an_image_public_or_community(api_a, operator, api_b, visibility):
    assert create(api_a, name="v", visibility=visibility).status_code == 403
    response = create(operator, name="v", visibility=visibility)
    assert response.status_code == 201 and response.json()["visibility"] == visibility
    image_id = response.json()["id"]
    assert api_b.get(f"/v2/images/{image_id}").status_code == 200
    # Community images are listed to other projects only when asked for, public ones always.
    assert (image_id in listed(api_b)) is (visibility == "public")
    assert image_id in listed(api_b, visibility=visibility)


@pytest.mark.parametrize("name", ["os_glance_foo", "os_glance_import_task", "status", "checksum"])
def test_reserved_and_read_only_names_are_refused_with_403(api_a, name):
    response = create(api_a, name="r", **{name: "x"})
    assert response.status_code == 403 and name in response.json()["error"]["message"]


def test_extra_properties_are_kept_as_strings(api_a):
    response = create(api_a, name="e", os_distro="ubuntu", hw_disk_bus="virtio")
    assert response.status_code == 201 and response.json()["os_distro"] == "ubuntu"
    shown = api_a.get(f"/v2/images/{response.json()['id']}").json()
    assert shown["os_distro"] == "ubuntu" and shown["hw_disk_bus"] == "virtio"
    refused = create(api_a, name="e", hw_cpu_cores=4)
    assert refused.status_code == 400 and "hw_cpu_cores" in refused.json()["error"]["message"]


def test_the_image_schema_says_extra_properties_are_strings(api_a):
    schema = api_a.get("/v2/schemas/image").json()
    assert schema["additionalProperties"] == {"type": "string"}
    assert schema["properties"]["os_hidden"] == {"type": "boolean"}
    assert schema["properties"]["properties"] == {"type": "object"}  # the create answer's empty object


def test_glance_shares_an_image_still_waiting_for_its_file(api_a, tenant_b):
    image_id = create(api_a, name="queued", disk_format="raw").json()["id"]
    response = api_a.send("POST", f"/v2/images/{image_id}/members", {"member": tenant_b.project.id})
    assert response.status_code == 200 and response.json()["status"] == "pending"
    # The IMS batch call keeps the product's rule: only a normal image is shared.
    batch = api_a.send("POST", "/v1/cloudimages/members", {"images": [image_id], "projects": [tenant_b.project.id]})
    assert batch.status_code == 400 and batch.json()["error"]["code"] == "IMG.0601"
