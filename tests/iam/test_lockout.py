"""Sign-in protection: consecutive failures lock a user name, on the console and on the token API alike."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import Trace
from iam import lockout
from iam.lockout import LoginLockout
from tests.api_clients import keystone_body
from tests.factories import PASSWORD

LOGIN_URL = "/console/login"
TOKENS = "/v3/auth/tokens"


def console_login(client, password, username="alpha-admin"):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def api_login(client, password, username="alpha-admin"):
    return client.post(
        TOKENS, keystone_body(username, password, domain={"name": "alpha"}), content_type="application/json"
    )


def expire_lock(username="alpha-admin"):
    LoginLockout.objects.filter(username=username).update(locked_until=timezone.now() - timedelta(seconds=1))


def test_console_locks_after_five_failures_and_refuses_the_right_password(client, tenant_a):
    for _ in range(5):
        assert console_login(client, "wrong-password").status_code == 200
    response = console_login(client, PASSWORD)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Try again in 15 minutes" in response.content.decode()
    assert Trace.objects.filter(event_name="login", username="alpha-admin", error_code="locked").count() == 1
    assert Trace.objects.filter(error_code="login_failed").count() == 5


def test_four_failures_do_not_lock(client, tenant_a):
    for _ in range(4):
        console_login(client, "wrong-password")
    assert console_login(client, PASSWORD).status_code == 302


def test_token_api_locks_after_five_failures(client, tenant_a):
    for _ in range(5):
        assert api_login(client, "wrong-password").status_code == 401
    response = api_login(client, PASSWORD)

    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == 401 and error["title"] == "Unauthorized"
    assert "Try again in" in error["message"]
    assert Trace.objects.filter(username="alpha-admin", error_code="locked").exists()


def test_console_and_api_failures_share_one_counter(client, tenant_a):
    for _ in range(3):
        console_login(client, "wrong-password")
    for _ in range(2):
        api_login(client, "wrong-password")
    assert api_login(client, PASSWORD).status_code == 401
    assert console_login(client, PASSWORD).status_code == 200


def test_unknown_user_names_lock_the_same_way(client, tenant_a):
    """The lock says nothing about whether the user exists."""
    for _ in range(5):
        api_login(client, "wrong-password", username="nobody-here")
    nobody = api_login(client, "anything", username="nobody-here").json()["error"]["message"]
    for _ in range(5):
        api_login(client, "wrong-password")
    somebody = api_login(client, PASSWORD).json()["error"]["message"]
    assert nobody == somebody


def test_the_lock_ends_after_the_period(client, tenant_a):
    for _ in range(5):
        console_login(client, "wrong-password")
    assert console_login(client, PASSWORD).status_code == 200
    expire_lock()
    assert console_login(client, PASSWORD).status_code == 302


def test_after_an_expired_lock_counting_starts_afresh(client, tenant_a):
    for _ in range(5):
        api_login(client, "wrong-password")
    expire_lock()
    api_login(client, "wrong-password")
    assert api_login(client, PASSWORD).status_code == 201


def test_a_success_resets_the_counter(client, tenant_a):
    for _ in range(4):
        api_login(client, "wrong-password")
    assert api_login(client, PASSWORD).status_code == 201
    for _ in range(4):
        api_login(client, "wrong-password")
    assert api_login(client, PASSWORD).status_code == 201
    assert not LoginLockout.objects.filter(username="alpha-admin").exists()


def test_lockout_settings_apply(client, tenant_a, settings):
    settings.LOGIN_LOCKOUT_ATTEMPTS, settings.LOGIN_LOCKOUT_MINUTES = 2, 1
    for _ in range(2):
        api_login(client, "wrong-password")
    response = api_login(client, PASSWORD)
    assert response.status_code == 401 and "Try again in 1 minute." in response.json()["error"]["message"]


@pytest.mark.django_db(transaction=True)
def test_parallel_failures_are_all_counted(settings):
    settings.LOGIN_LOCKOUT_ATTEMPTS = 1000
    threads_count, per_thread = 6, 5
    errors = []

    def fail_several():
        try:
            for _ in range(per_thread):
                lockout.record_failure("raced-user")
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=fail_several) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert LoginLockout.objects.get(username="raced-user").failures == threads_count * per_thread


@pytest.mark.django_db(transaction=True)
def test_parallel_failures_cannot_slip_past_the_limit():
    barrier = threading.Barrier(8)

    def fail_once():
        try:
            barrier.wait()
            lockout.record_failure("raced-user")
        finally:
            connection.close()

    threads = [threading.Thread(target=fail_once) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    row = LoginLockout.objects.get(username="raced-user")
    assert row.failures == 5 and lockout.locked_until("raced-user") is not None
