"""Traces keep hostile caller text safely: bounded, control characters written out (PostgreSQL refuses NUL)."""

import pytest

from audit.models import Trace
from audit.recorder import record


@pytest.mark.django_db
def test_control_characters_and_nul_are_written_out_not_stored():
    trace = record(
        event="putObject",
        operation="put_object",
        username="eve\x00\nadmin",
        resource_name="key\x00",
        summary={"key": "nul\x00\r\nforged line", "big": "x" * 5000},
    )
    stored = Trace.objects.get(pk=trace.pk)
    assert stored.username == "eve\\x00\\x0aadmin" and stored.resource_name == "key\\x00"
    assert stored.summary["key"] == "nul\\x00\\x0d\\x0aforged line"
    assert len(stored.summary["big"]) == 2000


def test_a_login_attempt_with_a_nul_in_the_name_is_a_clean_401(client, tenant_a):
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": "root\x00", "password": "x", "domain": {"name": tenant_a.account.name}}},
            }
        }
    }
    response = client.post("/v3/auth/tokens", body, content_type="application/json")
    assert response.status_code == 401
    assert Trace.objects.get(event_name="login").username == "root\\x00"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/v1/0123/jobs/abc%00def", "/v2/cloudimages?name=a%00b", "/console/images/%00"])
def test_a_nul_anywhere_in_the_address_is_a_clean_400(client, path):
    response = client.get(path)
    assert response.status_code == 400 and response.json()["error"]["code"] == "IMG.0001"
