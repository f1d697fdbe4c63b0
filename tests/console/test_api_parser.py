"""The API's one JSON parser refuses what Python's json would accept but the rest of the stack cannot hold: bodies
nested too deep, lone UTF-16 surrogates, numbers beyond a float (1e400) and NaN/Infinity. Each is a 400 IMG.0001
in the product's error shape, on the sign-in endpoint and on every JSON endpoint."""

import pytest

from iam.credentials import issue_token
from tests.api_clients import keystone_body
from tests.factories import PASSWORD, make_image

DEEP = "[" * 100_000 + "]" * 100_000
HOSTILE = {
    "deep": DEEP,
    "deep-object": '{"a":' * 50_000 + "1" + "}" * 50_000,
    "surrogate": '{"name": "a\\ud800b"}',
    "low-surrogate-key": '{"\\udc00": 1}',
    "huge-number": '{"name": "x", "min_disk": 1e400}',
    "nan": '{"name": "x", "min_disk": NaN}',
    "infinity": '[{"op": "replace", "path": "/min_disk", "value": -Infinity}]',
}


def refused(response) -> dict:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    error = response.json()["error"]
    assert error["code"] == "IMG.0001" and error["message"]
    return error


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_sign_in_refuses_hostile_json(client, db, body):
    refused(client.post("/v3/auth/tokens", body, content_type="application/json"))


@pytest.fixture
def token_headers(tenant_a):
    token, _ = issue_token(user=tenant_a.admin, project=tenant_a.project)
    return {"X-Auth-Token": token}


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize(
    ("method", "path", "media_type"),
    [
        ("post", "/v2/images", "application/json"),
        ("patch", "/v2/images/{id}", "application/openstack-images-v2.1-json-patch"),
        ("patch", "/v2/cloudimages/{id}", "application/json"),
        ("post", "/v2/cloudimages/action", "application/json"),
        ("post", "/v2/cloudimages/quickimport/action", "application/json"),
    ],
)
def test_json_endpoints_refuse_hostile_json(client, tenant_a, token_headers, method, path, media_type, body):
    image = make_image(tenant_a.project, name="target", status="active")
    url = path.format(id=image.id)
    response = getattr(client, method)(url, body, content_type=media_type, headers=token_headers)
    refused(response)


def test_the_refusal_names_the_cause_without_repeating_the_input(client, db):
    error = refused(client.post("/v3/auth/tokens", '{"a": "\\ud800"}', content_type="application/json"))
    assert "surrogate" in error["message"]
    assert "too deep" in refused(client.post("/v3/auth/tokens", DEEP, content_type="application/json"))["message"]


def test_ordinary_json_still_signs_in(client, tenant_a):
    body = keystone_body("alpha-admin", PASSWORD, domain={"name": "alpha"})
    assert client.post("/v3/auth/tokens", body, content_type="application/json").status_code == 201
