"""Who may call the API: AK/SK signatures and tokens, refused in the gateway's shape the SDK understands."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone as django_timezone

from iam.credentials import issue_token
from iam.models import AccessKey, Token
from tests.api_clients import SignedClient, TokenClient
from tests.factories import project_of

LIST = "/v2/cloudimages"


@pytest.fixture
def api_a(tenant_a) -> SignedClient:
    return SignedClient(tenant_a.admin, project=tenant_a.project)


def gateway_refusal(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error_code"] == code and body["error_msg"] and body["request_id"] == response["X-Request-Id"]
    return body


def test_signed_request_is_accepted_and_noted(api_a):
    assert api_a.get(LIST).status_code == 200
    assert AccessKey.objects.get(pk=api_a.access_key).last_used_at is not None


def test_no_credentials_is_401(client, tenant_a):
    gateway_refusal(client.get(LIST), 401, "APIGW.0301")


def test_wrong_secret_key_is_401(api_a):
    body = gateway_refusal(api_a.get(LIST, secret="x" * 40), 401, "APIGW.0301")
    assert "verify aksk signature fail" in body["error_msg"]


def test_unknown_access_key_is_401(api_a):
    AccessKey.objects.filter(pk=api_a.access_key).update(is_active=False)
    body = gateway_refusal(api_a.get(LIST), 401, "APIGW.0301")
    assert "ak not exist" in body["error_msg"]


def test_changed_query_after_signing_is_401(api_a):
    headers = api_a.headers("GET", f"{LIST}?limit=1")
    gateway_refusal(api_a.client.generic("GET", f"{LIST}?limit=2", headers=headers), 401, "APIGW.0301")


@pytest.mark.parametrize("minutes", [-16, 16])
def test_signature_older_or_newer_than_15_minutes_is_401(api_a, minutes):
    signed_at = datetime.now(UTC) - timedelta(minutes=minutes)
    body = gateway_refusal(api_a.get(LIST, now=signed_at), 401, "APIGW.0303")
    assert "15-minute" in body["error_msg"]


def test_signature_within_the_window_is_accepted(api_a):
    assert api_a.get(LIST, now=datetime.now(UTC) - timedelta(minutes=14)).status_code == 200


def test_project_of_another_account_is_403(api_a, tenant_b):
    gateway_refusal(api_a.get(LIST, project_id=tenant_b.project.id), 403, "APIGW.0302")


def test_unknown_project_is_403(api_a):
    gateway_refusal(api_a.get(LIST, project_id="0" * 32), 403, "APIGW.0302")


def test_without_project_id_the_first_region_is_used(tenant_a):
    client = SignedClient(tenant_a.admin)
    assert client.project_id is None
    response = client.get("/v3/projects")
    assert response.status_code == 200
    assert {p["name"] for p in response.json()["projects"]} >= {"cn-north-4", "cn-east-3"}


def test_another_region_of_the_own_account_is_accepted(api_a, tenant_a):
    assert api_a.get(LIST, project_id=project_of(tenant_a.account, "cn-east-3").id).status_code == 200


def test_token_is_accepted(tenant_a):
    token, _ = issue_token(user=tenant_a.admin, project=tenant_a.project)
    assert TokenClient(token).get("/v2/images").status_code == 200


def test_wrong_token_is_401(tenant_a):
    gateway_refusal(TokenClient("ims-not-a-token").get("/v2/images"), 401, "APIGW.0307")


def test_expired_token_is_401(tenant_a):
    token, row = issue_token(user=tenant_a.admin, project=tenant_a.project)
    Token.objects.filter(pk=row.pk).update(expires_at=django_timezone.now() - timedelta(seconds=1))
    gateway_refusal(TokenClient(token).get("/v2/images"), 401, "APIGW.0307")


def test_token_of_a_deactivated_user_is_401(tenant_a):
    token, _ = issue_token(user=tenant_a.admin, project=tenant_a.project)
    tenant_a.admin.is_active = False
    tenant_a.admin.save()
    gateway_refusal(TokenClient(token).get("/v2/images"), 401, "APIGW.0307")


def test_access_key_of_a_user_outside_any_account_is_403(django_user_model, identity):
    operator = django_user_model.objects.create_user("operator", password="Operator-Pass-1")
    gateway_refusal(SignedClient(operator).get(LIST), 403, "APIGW.0302")


def test_a_signature_that_leaves_out_the_host_is_refused(api_a):
    from iam import signing

    now = datetime.now(UTC)
    headers = {
        "content-type": "application/json",
        "x-project-id": api_a.project_id,
        "x-sdk-date": now.strftime("%Y%m%dT%H%M%SZ"),
        "host": "testserver",
    }
    signed = ["content-type", "x-project-id", "x-sdk-date"]  # no host
    canonical = signing.canonical_request(
        method="GET", raw_path=LIST, query_pairs=[], headers=headers, signed_headers=signed, body=b""
    )
    signature = signing.compute_signature(api_a.secret, signing.string_to_sign(headers["x-sdk-date"], canonical))
    authorization = signing.authorization_header(api_a.access_key, signed, signature)
    response = api_a.client.get(
        LIST, headers={**{k.title(): v for k, v in headers.items() if k != "host"}, "Authorization": authorization}
    )
    gateway_refusal(response, 401, "APIGW.0301")


def test_a_json_body_must_be_signed_not_declared_unsigned(api_a):
    response = api_a.send(
        "POST", "/v2/cloudimages/action", {"name": "x"}, extra={"X-Sdk-Content-Sha256": "UNSIGNED-PAYLOAD"}
    )
    gateway_refusal(response, 401, "APIGW.0301")
