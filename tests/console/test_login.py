"""Signing in and out of the console, and what anonymous visitors get."""

import pytest
from django.urls import reverse

from audit.models import Trace, TraceResult
from tests.factories import PASSWORD

LOGIN_URL = "/console/login"


def test_signing_in_with_the_right_password_opens_the_image_list(client, tenant_a):
    response = client.post(LOGIN_URL, {"username": "alpha-admin", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("images:image_list")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "alpha-admin" in page.content.decode()
    trace = Trace.objects.get(event_name="login")
    assert (trace.result, trace.username, trace.via) == (TraceResult.SUCCESS, "alpha-admin", "console")


def test_signing_in_with_a_wrong_password_shows_an_error_and_traces_the_failure(client, tenant_a):
    response = client.post(LOGIN_URL, {"username": "alpha-admin", "password": "not-the-password"})

    assert response.status_code == 200
    assert 'data-testid="login-error"' in response.content.decode()
    assert "_auth_user_id" not in client.session
    trace = Trace.objects.get(event_name="login")
    assert trace.result == TraceResult.FAILURE
    assert trace.username == "alpha-admin"
    assert trace.error_code == "login_failed"


def test_signing_in_keeps_the_page_the_visitor_asked_for(client, tenant_a):
    wanted = reverse("images:image_list") + "?imagetype=private"
    response = client.post(LOGIN_URL, {"username": "alpha-admin", "password": PASSWORD, "next": wanted})

    assert response["Location"] == wanted


def test_signing_in_refuses_a_next_address_on_another_site(client, tenant_a):
    response = client.post(
        LOGIN_URL, {"username": "alpha-admin", "password": PASSWORD, "next": "https://evil.example/steal"}
    )

    assert response["Location"] == reverse("images:image_list")


@pytest.mark.parametrize(
    "path",
    [
        "/console/",
        "/console/images/",
        "/console/images/?imagetype=private",
        "/console/images/6f1c3a52-6c1e-4c55-9d59-2f0d1c6b8e01",
    ],
)
def test_anonymous_visitors_are_sent_to_the_login_page(client, db, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL + "?next=")


def test_signing_out_needs_a_post_and_ends_the_session(console_as, tenant_a):
    client = console_as(tenant_a.admin)

    assert client.get("/console/logout").status_code == 405
    response = client.post("/console/logout")

    assert response["Location"] == reverse("console:login")
    assert client.get("/console/images/").status_code == 302
