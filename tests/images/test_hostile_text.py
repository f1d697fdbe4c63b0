"""The IMS and Glance faces (create and PATCH) and the object storage API refuse hostile text and numbers with the
checks of core.text: a bidi override, NUL, a bare line feed, a string for a list of tags, a number that is not
whole, a bucket named by an integer."""

import pytest

from images.models import Image
from tests.factories import make_image

GLANCE_BODIES = {
    "bidi-name": {"name": "invoice\u202egpj.exe"},
    "nul-name": {"name": "nul\x00"},
    "control-name": {"name": "bell\x07"},
    "string-tags": {"name": "ok", "tags": "ab"},
    "slash-tag": {"name": "ok", "tags": ["web/app"]},
    "bidi-tag": {"name": "ok", "tags": ["a\u202eb"]},
    "fractional-min-disk": {"name": "ok", "min_disk": 40.7},
    "fractional-min-ram": {"name": "ok", "min_ram": 1.5},
}


def refused(response, field: str | None = None) -> None:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "IMG.0001", error
    if field:
        assert field in error["message"]


@pytest.mark.parametrize("body", GLANCE_BODIES.values(), ids=GLANCE_BODIES.keys())
def test_glance_create_refuses_hostile_text(api_a, tenant_a, body):
    refused(api_a.send("POST", "/v2/images", {"disk_format": "raw", **body}))
    assert not Image.objects.filter(owner=tenant_a.project).exists()


PATCHES = {
    "bidi-name": ("/name", "invoice\u202egpj.exe"),
    "nul-description": ("/__description", "nul\x00"),
    "line-feed-description": ("/__description", "two\nlines"),
    "bidi-description": ("/__description", "a\u202eb"),
    "fractional-min-disk": ("/min_disk", 40.7),
}


@pytest.mark.parametrize(("path", "value"), PATCHES.values(), ids=PATCHES.keys())
def test_both_patches_refuse_hostile_text(api_a, tenant_a, path, value):
    image = make_image(tenant_a.project, name="target", status="active", min_disk=40, description="old")
    change = [{"op": "replace", "path": path, "value": value}]
    refused(api_a.send("PATCH", f"/v2/cloudimages/{image.id}", change))
    glance = api_a.send(
        "PATCH", f"/v2/images/{image.id}", change, content_type="application/openstack-images-v2.1-json-patch"
    )
    refused(glance)
    image.refresh_from_db()
    assert image.name == "target" and image.min_disk == 40 and image.description == "old"


def test_ims_create_refuses_a_fractional_min_disk_and_string_tags(api_a):
    body = {"name": "ok", "image_url": "bucket:key.qcow2", "min_disk": 40.7, "os_version": "Ubuntu 22.04 server 64bit"}
    refused(api_a.send("POST", "/v2/cloudimages/action", body), "min_disk")
    body = {**body, "min_disk": 40, "tags": "ab"}
    refused(api_a.send("POST", "/v2/cloudimages/action", body), "tags")


@pytest.mark.parametrize("name", [12345678, 1.5, True, ["abc"]])
def test_a_bucket_is_named_by_a_string(api_a, name):
    response = api_a.send("POST", "/v1/obs/buckets", {"name": name})
    assert response.status_code == 400, response.content
