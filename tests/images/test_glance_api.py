"""The OpenStack Image API reads: GET /v2/images (Glance list shape) and GET /v2/images/{id}."""

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import make_image

GLANCE = "/v2/images"


def test_list_has_glance_shape_and_default_page_of_25(api_a, public_catalog):
    body = api_a.get(GLANCE).json()
    assert len(body["images"]) == 25
    assert body["first"] == "/v2/images" and body["schema"] == "/v2/schemas/images"
    assert body["next"] == f"/v2/images?marker={body['images'][-1]['id']}"


def test_next_link_keeps_the_query_and_leads_to_the_next_page(api_a, public_catalog):
    params = {"sort_key": "name", "sort_dir": "asc", "limit": "50", "__imagetype": "gold"}
    seen, body = [], api_a.get(GLANCE, params).json()
    assert parse_qs(urlsplit(body["first"]).query) == {key: [value] for key, value in params.items()}
    while True:
        seen += [image["id"] for image in body["images"]]
        if "next" not in body:
            break
        query = {key: values[0] for key, values in parse_qs(urlsplit(body["next"]).query).items()}
        assert {key: value for key, value in query.items() if key != "marker"} == params
        body = api_a.get(GLANCE, query).json()
        assert "marker" not in body["first"]
    assert len(seen) == len(set(seen)) == 132


def test_last_page_has_no_next(api_a, tenant_a):
    make_image(tenant_a.project, name="only")
    body = api_a.get(GLANCE, {"__imagetype": "private"}).json()
    assert [image["name"] for image in body["images"]] == ["only"] and "next" not in body


def test_list_filters_and_refuses_bad_input(api_a, tenant_a):
    make_image(tenant_a.project, name="keep", status="active")
    make_image(tenant_a.project, name="other", status="queued")
    assert [i["name"] for i in api_a.get(GLANCE, {"status": "active"}).json()["images"]] == ["keep"]
    assert api_a.get(GLANCE, {"limit": "1001"}).status_code == 400
    assert api_a.get(GLANCE, {"marker": "nope"}).status_code == 400


def test_show_returns_the_glance_image(api_a, tenant_a):
    image = make_image(tenant_a.project, name="shown", tags={"role": "web"}, min_disk=50)
    response = api_a.get(f"{GLANCE}/{image.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(image.id) and body["name"] == "shown"
    assert body["__imagetype"] == "private" and body["owner"] == tenant_a.project.id
    assert body["min_disk"] == 50 and isinstance(body["size"], int) and body["protected"] is False
    assert body["tags"] == ["role=web"]
    assert body["_sys_enterprise_project_id"] == "0" and body["__image_location"]
    assert "__image_displayname" not in body and "__system_support_market" not in body


@pytest.mark.parametrize("image_id", ["not-a-uuid", "2b6d8f0e-3d1c-4c4e-9a43-5b0f3d1d7a10", "%20"])
def test_show_of_a_missing_or_malformed_id_is_404(api_a, tenant_a, image_id):
    response = api_a.get(f"{GLANCE}/{image_id}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "IMG.0002"
