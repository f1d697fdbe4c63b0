"""The caller's token and policy statements, kept a few seconds per web process: a change made in the process
takes effect at once, one made elsewhere within the cache's lifetime, and nothing is cached inside a transaction."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from iam import caller_cache
from iam.authz import effective_statements
from iam.credentials import issue_token, resolve_token
from iam.models import Grant, Token
from tests import factories

pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture(autouse=True)
def empty_caches():
    caller_cache.TOKENS.clear()
    caller_cache.STATEMENTS.clear()
    yield
    caller_cache.TOKENS.clear()
    caller_cache.STATEMENTS.clear()


@pytest.fixture
def caller(tenant_a):
    project = factories.project_of(tenant_a.account)
    token, _row = issue_token(user=tenant_a.admin, project=project)
    return token, tenant_a.admin, project


def test_a_token_is_read_once_then_served_from_the_cache(caller):
    token, user, project = caller
    assert resolve_token(token).user.pk == user.pk
    with CaptureQueriesContext(connection) as queries:
        row = resolve_token(token)
    assert len(queries.captured_queries) == 0
    assert (row.user.pk, row.project.pk) == (user.pk, project.pk)


def test_each_call_gets_its_own_copy_of_the_cached_caller(caller):
    token, _user, _project = caller
    first, second = resolve_token(token), resolve_token(token)
    assert first.user is not second.user and first.project is not second.project


def test_a_deactivated_user_is_refused_at_once_in_this_process(caller):
    token, user, _project = caller
    assert resolve_token(token) is not None
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert resolve_token(token) is None


def test_a_deleted_token_is_refused_at_once_in_this_process(caller):
    token, _user, _project = caller
    assert resolve_token(token) is not None
    Token.objects.get(digest=Token.digest_of(token)).delete()
    assert resolve_token(token) is None


def test_a_change_made_elsewhere_takes_effect_when_the_entry_expires(caller, monkeypatch):
    """Another process's change sends no signal here: an update without signals stands in for it."""
    token, user, _project = caller
    assert resolve_token(token) is not None
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert resolve_token(token) is not None  # still within the lifetime
    later = caller_cache.clock() + caller_cache.TTL_SECONDS + 0.1
    monkeypatch.setattr(caller_cache, "clock", lambda: later)
    assert resolve_token(token) is None


def test_an_expired_token_is_refused_even_from_the_cache(caller, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    token, _user, _project = caller
    row = resolve_token(token)
    monkeypatch.setattr(timezone, "now", lambda: row.expires_at + timedelta(seconds=1))
    assert resolve_token(token) is None


def test_a_removed_grant_takes_effect_at_once_in_this_process(caller):
    _token, user, project = caller
    assert effective_statements(user, project)
    with CaptureQueriesContext(connection) as queries:
        assert effective_statements(user, project)
    assert len(queries.captured_queries) == 0
    Grant.objects.filter(group__users=user).delete()
    assert effective_statements(user, project) == ()


def test_nothing_is_cached_inside_a_transaction(caller):
    token, user, project = caller
    with transaction.atomic():
        assert resolve_token(token) is not None
        assert effective_statements(user, project)
    assert caller_cache.TOKENS.get(Token.digest_of(token)) is None
    assert caller_cache.STATEMENTS.get((user.pk, project.pk)) is None


def test_a_value_read_before_a_change_is_not_kept_after_it(caller):
    """A thread that read the old rows while another committed a revocation must not cache what it read."""
    cache = caller_cache.TtlCache()

    def read_then_revoke_elsewhere():
        value = "read before the change"
        cache.clear()  # the other thread's change commits while this read is under way
        return value

    assert cache.get_or_read("key", read_then_revoke_elsewhere) == "read before the change"
    assert cache.get("key") is None
    assert cache.get_or_read("key", lambda: "read after it") == "read after it"
    assert cache.get("key") == "read after it"
