"""Failed and locked sign-ins are traced under the account whose user name was tried, on the console and on the
token API, so that account's administrator sees brute-force attempts on its users (on the audit page too)."""

import pytest

from audit.models import Trace
from tests.api_clients import keystone_body
from tests.factories import PASSWORD


def console_login(client, username, password="wrong-password"):
    return client.post("/console/login", {"username": username, "password": password})


def api_login(client, username, password="wrong-password", domain="alpha"):
    body = keystone_body(username, password, domain={"name": domain})
    return client.post("/v3/auth/tokens", body, content_type="application/json")


@pytest.mark.parametrize("attempt", [console_login, api_login], ids=["console", "api"])
def test_failed_sign_in_is_traced_under_the_tried_users_account(client, tenant_a, attempt):
    attempt(client, "alpha-reader")
    trace = Trace.objects.get(event_name="login")
    assert trace.result == "failure" and trace.username == "alpha-reader"
    assert trace.account_id == tenant_a.account.id
    assert trace.resource_id == str(tenant_a.reader.pk)


@pytest.mark.parametrize("attempt", [console_login, api_login], ids=["console", "api"])
def test_locked_sign_ins_are_traced_under_the_account(client, tenant_a, attempt):
    for _ in range(6):
        attempt(client, "alpha-reader")
    locked = Trace.objects.filter(event_name="login", error_code="locked")
    assert locked.exists() and set(locked.values_list("account_id", flat=True)) == {tenant_a.account.id}


def test_the_accounts_administrator_sees_the_attempts(client, tenant_a, tenant_b):
    console_login(client, "alpha-reader")
    api_login(client, "bravo-admin", domain="bravo")
    client.post("/console/login", {"username": "alpha-admin", "password": PASSWORD})
    page = client.get("/console/audit/", {"event_name": "login", "result": "failure"}).content.decode()
    assert "alpha-reader" in page and "bravo-admin" not in page


def test_a_user_name_nobody_has_is_traced_without_an_account(client, db):
    console_login(client, "nobody-at-all")
    assert Trace.objects.get(event_name="login").account_id == ""
