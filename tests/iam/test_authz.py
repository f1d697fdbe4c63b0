"""The one authorization engine: grants, scopes, explicit deny, and what each system policy allows."""

import pytest

from iam.authz import PermissionDenied, authorize, can, scope
from iam.models import Policy
from iam.policies import IMS_READ_ONLY, Statement, statements_of
from images.models import Image
from tests import factories


def test_full_access_may_create_and_read(tenant_a):
    actor = factories.actor(tenant_a.admin)
    assert can(actor, "ims:images:list")
    assert can(actor, "ims:serverImages:create")
    assert can(actor, "ims:images:delete")


def test_read_only_may_list_and_get_but_never_change(tenant_a):
    actor = factories.actor(tenant_a.reader)
    assert can(actor, "ims:images:list")
    assert can(actor, "ims:images:get")
    assert can(actor, "ims:quotas:get")
    for action in (
        "ims:images:create",
        "ims:images:update",
        "ims:images:delete",
        "ims:images:share",
        "ims:images:export",
        "ims:images:copy",
        "ims:serverImages:create",
    ):
        assert not can(actor, action), action
    with pytest.raises(PermissionDenied) as refused:
        authorize(actor, "ims:images:delete")
    assert refused.value.status == 403 and refused.value.code == "IMG.0003"


def test_user_without_grant_may_do_nothing(tenant_a):
    nobody = factories.make_user(tenant_a.account, "alpha-nobody")
    assert not can(factories.actor(nobody), "ims:images:list")


def test_grant_in_one_project_does_not_reach_another_region(identity):
    account = factories.make_account("regional")
    north = factories.project_of(account, "cn-north-4")
    user = factories.make_user(account, "regional-user", IMS_READ_ONLY, project=north)
    assert can(factories.actor(user, "cn-north-4"), "ims:images:list")
    assert not can(factories.actor(user, "cn-east-3"), "ims:images:list")


def test_explicit_deny_wins_over_allow(tenant_a):
    deny = Policy.objects.create(
        name="no-delete",
        kind=Policy.Kind.CUSTOM,
        account=tenant_a.account,
        document={"Version": "1.1", "Statement": [{"Effect": "Deny", "Action": ["ims:images:delete"]}]},
    )
    group = tenant_a.admin.iam_groups.first()
    group.grants.create(policy=deny)
    actor = factories.actor(tenant_a.admin)
    assert not can(actor, "ims:images:delete")
    assert can(actor, "ims:images:update")


def test_statement_wildcards_match_case_insensitively():
    statement = statements_of({"Statement": [{"Effect": "Allow", "Action": "ims:*:get*"}]})[0]
    assert statement == Statement("Allow", ("ims:*:get*",))
    assert statement.matches("ims:images:get")
    assert statement.matches("IMS:quotas:GET")
    assert not statement.matches("ims:images:list")


def test_scope_hides_other_tenants_private_images(tenant_a, tenant_b):
    mine = factories.make_image(tenant_a.project)
    theirs = factories.make_image(tenant_b.project)
    shared = factories.make_image(tenant_b.project)
    factories.share(shared, tenant_a.project)
    visible = set(scope(factories.actor(tenant_a.reader), "ims:images:list", Image.objects.all()))
    assert mine in visible and shared in visible and theirs not in visible


def test_scope_is_empty_without_the_permission(tenant_a):
    factories.make_image(tenant_a.project)
    nobody = factories.make_user(tenant_a.account, "alpha-nobody")
    assert not scope(factories.actor(nobody), "ims:images:list", Image.objects.all()).exists()
