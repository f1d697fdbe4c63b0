"""Keystone v3 password authentication: POST /v3/auth/tokens, and the token at work on the Image API."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from audit.models import Trace
from iam.models import Token
from tests.api_clients import TokenClient, keystone_body
from tests.factories import PASSWORD, make_image, project_of

TOKENS = "/v3/auth/tokens"


def login(client, body):
    return client.post(TOKENS, body, content_type="application/json")


def issued(response) -> tuple[str, dict]:
    assert response.status_code == 201, response.content
    return response["X-Subject-Token"], response.json()["token"]


@pytest.mark.parametrize("domain", ["name", "id"])
def test_domain_by_name_or_id(client, tenant_a, domain):
    ref = {"name": tenant_a.account.name} if domain == "name" else {"id": tenant_a.account.id}
    token, body = issued(login(client, keystone_body("alpha-admin", PASSWORD, domain=ref)))
    assert token and body["user"]["name"] == "alpha-admin"
    assert body["user"]["domain"] == {"id": tenant_a.account.id, "name": "alpha"}


def test_unscoped_login_gets_the_default_project(client, tenant_a):
    _, body = issued(login(client, keystone_body("alpha-admin", PASSWORD, domain={"name": "alpha"})))
    assert body["project"]["id"] == tenant_a.project.id and body["project"]["name"] == "cn-north-4"


@pytest.mark.parametrize("by", ["name", "id"])
def test_project_scope_by_region_name_or_id(client, tenant_a, by):
    east = project_of(tenant_a.account, "cn-east-3")
    ref = {"name": "cn-east-3", "domain": {"name": "alpha"}} if by == "name" else {"id": east.id}
    _, body = issued(login(client, keystone_body("alpha-admin", PASSWORD, domain={"name": "alpha"}, project=ref)))
    assert body["project"] == {
        "id": east.id,
        "name": "cn-east-3",
        "domain": {"id": tenant_a.account.id, "name": "alpha"},
    }
    # The catalog names every region (keystoneauth picks one); the token's project decides the region acted in.
    regions = {"cn-north-4", "cn-east-3", "cn-south-1", "ap-southeast-1"}
    assert all({e["region"] for e in entry["endpoints"]} == regions for entry in body["catalog"])


def test_token_body_in_keystone_shape(client, tenant_a):
    token, body = issued(login(client, keystone_body("alpha-admin", PASSWORD, domain={"name": "alpha"})))
    assert body["methods"] == ["password"]
    assert body["expires_at"].endswith("Z") and body["issued_at"].endswith("Z")
    expires = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert timedelta(hours=23) < expires - timezone.now() <= timedelta(hours=24)
    assert {role["name"] for role in body["roles"]} == {"member", "reader"}  # iam.roles maps the policies
    image = next(entry for entry in body["catalog"] if entry["type"] == "image")
    assert {e["interface"] for e in image["endpoints"]} >= {"public"}
    assert all(e["url"] == "http://testserver" for e in image["endpoints"])
    assert "cn-north-4" in {e["region_id"] for e in image["endpoints"]}
    identity = next(entry for entry in body["catalog"] if entry["type"] == "identity")
    assert identity["endpoints"][0]["url"] == "http://testserver/v3"
    assert Token.objects.get(digest=Token.digest_of(token)).user == tenant_a.admin


def test_token_works_on_the_image_api_in_its_project(client, tenant_a):
    make_image(tenant_a.project, name="north")
    make_image(project_of(tenant_a.account, "cn-east-3"), name="east")
    token, _ = issued(
        login(
            client,
            keystone_body(
                "alpha-admin",
                PASSWORD,
                domain={"name": "alpha"},
                project={"name": "cn-east-3", "domain": {"name": "alpha"}},
            ),
        )
    )
    response = TokenClient(token).get("/v2/images")
    assert response.status_code == 200
    assert [image["name"] for image in response.json()["images"]] == ["east"]


def test_expired_token_is_refused(client, tenant_a):
    token, _ = issued(login(client, keystone_body("alpha-admin", PASSWORD, domain={"name": "alpha"})))
    Token.objects.filter(digest=Token.digest_of(token)).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = TokenClient(token).get("/v2/images")
    assert response.status_code == 401 and response.json()["error_code"] == "APIGW.0307"


@pytest.mark.parametrize(
    "body",
    [
        keystone_body("alpha-admin", "wrong-password", domain={"name": "alpha"}),
        keystone_body("alpha-admin", PASSWORD, domain={"name": "bravo"}),
        keystone_body("alpha-admin", PASSWORD, domain={"name": "no-such-account"}),
        keystone_body("bravo-admin", PASSWORD, domain={"name": "alpha"}),
        keystone_body("alpha-admin", PASSWORD, domain={}),
        keystone_body("", PASSWORD, domain={"name": "alpha"}),
        keystone_body("alpha-admin", PASSWORD, domain={"name": "alpha"}, project={"name": "mars-1"}),
        {"auth": {"identity": {"methods": ["token"], "token": {"id": "abc"}}}},
        {"auth": "nonsense"},
        {"auth": {"identity": {"methods": ["password"], "password": {"user": "alpha-admin"}}}},
        {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {"user": {"name": ["alpha-admin"], "password": PASSWORD, "domain": {"name": "alpha"}}},
                }
            }
        },
        {},
    ],
    ids=[
        "password",
        "other-domain",
        "unknown-domain",
        "user-of-another-account",
        "no-domain",
        "no-name",
        "unknown-project",
        "token-method",
        "nonsense",
        "user-not-an-object",
        "name-not-a-string",
        "empty",
    ],
)
def test_refusals_are_401_in_keystones_shape(client, tenant_a, tenant_b, body):
    response = login(client, body)
    assert response.status_code == 401, response.content
    assert response.json()["error"]["code"] == 401 and response.json()["error"]["title"] == "Unauthorized"
    assert "X-Subject-Token" not in response


def test_project_of_another_account_is_401(client, tenant_a, tenant_b):
    response = login(
        client, keystone_body("alpha-admin", PASSWORD, domain={"name": "alpha"}, project={"id": tenant_b.project.id})
    )
    assert response.status_code == 401


def test_body_that_is_not_json_is_400(client, tenant_a):
    response = client.post(TOKENS, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_logins_are_traced(client, tenant_a):
    issued(login(client, keystone_body("alpha-admin", PASSWORD, domain={"name": "alpha"})))
    login(client, keystone_body("alpha-admin", "wrong-password", domain={"name": "alpha"}))
    success, failure = Trace.objects.filter(event_name="login").order_by("id")
    assert (success.result, success.username, success.account_id, success.project_id, success.via) == (
        "success",
        "alpha-admin",
        tenant_a.account.id,
        tenant_a.project.id,
        "api",
    )
    assert success.resource_type == "iam" and success.region_id == "cn-north-4"
    assert (failure.result, failure.username, failure.error_code) == ("failure", "alpha-admin", "401")


def test_project_lookup_the_sdk_makes(client, tenant_a, tenant_b):
    token, _ = issued(login(client, keystone_body("alpha-admin", PASSWORD, domain={"name": "alpha"})))
    projects = TokenClient(token).get("/v3/projects", {"name": "cn-east-3"}).json()["projects"]
    assert [p["id"] for p in projects] == [project_of(tenant_a.account, "cn-east-3").id]
    assert TokenClient(token).get("/v3/projects", {"name": "mars-1"}).json()["projects"] == []


def test_identity_version_document(client):
    response = client.get("/v3")
    assert response.status_code == 200
    version = response.json()["version"]
    assert version["id"].startswith("v3") and version["status"] == "stable"
    assert version["links"][0]["href"] == "http://testserver/v3/"
