"""Bad requests get a clear error in the caller's language of choice (JSON for the API), never a stack trace."""

import json

import pytest
from django.test import Client


@pytest.mark.django_db
def test_oversized_api_body_is_refused_with_413_in_the_product_shape():
    response = Client().post(
        "/v3/auth/tokens", data=json.dumps({"pad": "x" * 3_000_000}), content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "IMG.0413"


@pytest.mark.django_db
def test_unknown_api_path_answers_json_404():
    response = Client().get("/v2/nothing-here/at-all")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "IMG.0404"


@pytest.mark.django_db
def test_api_answers_json_even_when_a_browser_asks_for_html():
    response = Client().get("/v2/images", HTTP_ACCEPT="text/html")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error_code"] == "APIGW.0301"


@pytest.mark.django_db
def test_root_sends_browsers_to_the_console_and_clients_to_the_versions():
    assert Client().get("/", HTTP_ACCEPT="text/html,application/xhtml+xml").url == "/console/images/"
    versions = Client().get("/", HTTP_ACCEPT="application/json").json()["versions"]
    assert {v["id"] for v in versions} == {"v1", "v2", "v2.1"}


@pytest.mark.django_db
def test_malformed_json_body_is_a_clear_400():
    response = Client().post("/v3/auth/tokens", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_unexpected_error_on_an_api_path_is_a_json_500_with_a_request_id(client, monkeypatch):
    from images.api.views import versions

    def explode(request, only=None):
        raise RuntimeError("internal detail that must not leak")

    monkeypatch.setattr(versions, "versions_document", explode)
    client.raise_request_exception = False
    response = client.get("/", HTTP_ACCEPT="application/json")
    assert response.status_code == 500
    body = response.json()
    assert body["error"]["code"] == "IMG.0500"
    assert "internal detail" not in response.content.decode()
    assert response["X-Request-Id"] in body["error"]["message"]
