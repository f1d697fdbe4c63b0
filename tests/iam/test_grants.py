"""Role dependencies (refused when granting, when revoking, and of no effect when broken) and per-image grants."""

import pytest
from django.core.exceptions import ValidationError

from core.errors import ImsError
from iam import seeding as iam
from iam.authz import can, scope
from iam.grants import grant_policy, revoke_grant
from iam.models import Grant, Group
from iam.policies import IMS_ADMINISTRATOR, IMS_READ_ONLY, SERVER_ADMINISTRATOR, TENANT_ADMINISTRATOR
from images.models import Image
from images.object_grants import grant_image_action, revoke_image_action
from tests import factories


@pytest.fixture
def group(tenant_a):
    return Group.objects.create(account=tenant_a.account, name="operators")


def test_ims_administrator_without_tenant_administrator_is_refused(identity, group):
    with pytest.raises(ImsError) as refused:
        grant_policy(group, identity[IMS_ADMINISTRATOR])
    assert refused.value.code == "IAM.0203"
    assert "needs Tenant Administrator" in refused.value.message
    assert not Grant.objects.filter(group=group).exists()


def test_ims_administrator_after_tenant_administrator_in_the_same_scope(identity, group, tenant_a):
    grant_policy(group, identity[TENANT_ADMINISTRATOR], tenant_a.project)
    grant_policy(group, identity[IMS_ADMINISTRATOR], tenant_a.project)
    assert group.grants.count() == 2


def test_a_dependency_in_another_project_does_not_count(identity, group, tenant_a):
    grant_policy(group, identity[TENANT_ADMINISTRATOR], factories.project_of(tenant_a.account, "cn-east-3"))
    with pytest.raises(ImsError, match="same scope"):
        grant_policy(group, identity[IMS_ADMINISTRATOR], tenant_a.project)
    with pytest.raises(ImsError):
        grant_policy(group, identity[IMS_ADMINISTRATOR])  # all projects needs Tenant Administrator in all projects


def test_a_dependency_in_all_projects_covers_one_project(identity, group, tenant_a):
    grant_policy(group, identity[TENANT_ADMINISTRATOR])
    grant_policy(group, identity[IMS_ADMINISTRATOR], tenant_a.project)


def test_server_administrator_needs_ims_administrator_in_the_same_project(identity, group, tenant_a):
    grant_policy(group, identity[TENANT_ADMINISTRATOR])
    with pytest.raises(ImsError, match="needs IMS Administrator"):
        grant_policy(group, identity[SERVER_ADMINISTRATOR], tenant_a.project)
    grant_policy(group, identity[IMS_ADMINISTRATOR], tenant_a.project)
    grant_policy(group, identity[SERVER_ADMINISTRATOR], tenant_a.project)


def test_revoking_a_dependency_still_needed_is_refused(identity, group):
    tenant_admin = grant_policy(group, identity[TENANT_ADMINISTRATOR])
    ims_admin = grant_policy(group, identity[IMS_ADMINISTRATOR])
    with pytest.raises(ImsError) as refused:
        revoke_grant(tenant_admin)
    assert refused.value.code == "IAM.0204"
    assert Grant.objects.filter(pk=tenant_admin.pk).exists()
    revoke_grant(ims_admin)
    revoke_grant(tenant_admin)
    assert not group.grants.exists()


def test_model_validation_refuses_the_same_way(identity, group):
    grant = Grant(group=group, policy=identity[IMS_ADMINISTRATOR])
    with pytest.raises(ValidationError, match="Tenant Administrator"):
        grant.full_clean()


def test_a_custom_policy_or_project_of_another_account_is_refused(identity, group, tenant_b):
    from iam.models import Policy

    foreign = Policy.objects.create(
        name="b-only",
        kind=Policy.Kind.CUSTOM,
        account=tenant_b.account,
        document={"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["ims:images:get"]}]},
    )
    with pytest.raises(ImsError) as refused:
        grant_policy(group, foreign)
    assert refused.value.code == "IAM.0201"
    with pytest.raises(ImsError) as refused:
        grant_policy(group, identity[IMS_READ_ONLY], tenant_b.project)
    assert refused.value.code == "IAM.0202"


def test_a_role_whose_dependency_is_gone_gives_nothing(identity, tenant_a):
    # Written around the checks, as a raw import or an old database might hold it.
    lone = iam.ensure_group(tenant_a.account, "lone-admins", [identity[IMS_ADMINISTRATOR]])
    user, _ = iam.ensure_user(tenant_a.account, "alpha-lone", factories.PASSWORD, groups=[lone])
    actor = factories.actor(user)
    assert not can(actor, "ims:images:list")
    iam.ensure_group(tenant_a.account, "lone-admins", [identity[TENANT_ADMINISTRATOR]])
    assert can(factories.actor(user), "ims:images:delete")


def test_effective_permissions_page_leaves_out_a_broken_role(identity, tenant_a):
    from iam.account import effective_permissions

    lone = iam.ensure_group(tenant_a.account, "lone-admins", [identity[IMS_ADMINISTRATOR]])
    user, _ = iam.ensure_user(tenant_a.account, "alpha-lone", factories.PASSWORD, groups=[lone])
    region = effective_permissions(user)[0]
    assert region.grants == [] and not any(allowed for _, allowed in region.actions)


# Per-image grants (django-guardian)


def test_a_reader_granted_update_on_one_image_may_update_that_image_only(tenant_a):
    granted, other = factories.make_image(tenant_a.project), factories.make_image(tenant_a.project)
    grant_image_action(tenant_a.reader, granted, "ims:images:update")
    actor = factories.actor(tenant_a.reader)
    assert can(actor, "ims:images:update", granted)
    assert not can(actor, "ims:images:update", other)
    assert not can(actor, "ims:images:update")  # not for images in general
    assert list(scope(actor, "ims:images:update", Image.objects.all())) == [granted]


def test_a_per_image_grant_alone_makes_the_image_visible(tenant_a):
    nobody = factories.make_user(tenant_a.account, "alpha-nobody")
    image = factories.make_image(tenant_a.project)
    grant_image_action(nobody, image, "ims:images:get")
    actor = factories.actor(nobody)
    assert list(scope(actor, "ims:images:get", Image.objects.all())) == [image]
    assert not scope(actor, "ims:images:list", Image.objects.all()).exists()


def test_an_explicit_deny_wins_over_a_per_image_grant(tenant_a):
    from iam.models import Policy

    image = factories.make_image(tenant_a.project)
    grant_image_action(tenant_a.reader, image, "ims:images:update")
    deny = Policy.objects.create(
        name="frozen",
        kind=Policy.Kind.CUSTOM,
        account=tenant_a.account,
        document={"Version": "1.1", "Statement": [{"Effect": "Deny", "Action": ["ims:images:update"]}]},
    )
    grant_policy(tenant_a.reader.iam_groups.get(), deny)
    assert not can(factories.actor(tenant_a.reader), "ims:images:update", image)


def test_revoking_a_per_image_grant(tenant_a):
    image = factories.make_image(tenant_a.project)
    grant_image_action(tenant_a.reader, image, "ims:images:update")
    revoke_image_action(tenant_a.reader, image, "ims:images:update")
    assert not can(factories.actor(tenant_a.reader), "ims:images:update", image)


@pytest.mark.parametrize("case", ["other-account-user", "public-image", "unknown-action"])
def test_bad_per_image_grants_are_refused(tenant_a, tenant_b, public_catalog, case):
    image = factories.make_image(tenant_a.project)
    user, action = tenant_a.reader, "ims:images:update"
    if case == "other-account-user":
        user = tenant_b.reader
    elif case == "public-image":
        image = Image.objects.filter(image_type="gold").first()
    else:
        action = "ims:quotas:get"
    with pytest.raises(ImsError) as refused:
        grant_image_action(user, image, action)
    assert refused.value.code in {"IAM.0301", "IAM.0302", "IAM.0303"}


def test_a_guardian_row_for_another_accounts_user_gives_nothing(tenant_a, tenant_b):
    from guardian.shortcuts import assign_perm

    image = factories.make_image(tenant_a.project)
    assign_perm("images.ims_images_update", tenant_b.reader, image)  # around the service's check
    factories.share(image, tenant_b.project, status="accepted")
    actor = factories.actor(tenant_b.reader)
    assert not can(actor, "ims:images:update", image)
    assert image not in scope(actor, "ims:images:update", Image.objects.all())


def test_a_per_image_grant_works_through_the_api(tenant_a):
    from tests.api_clients import SignedClient

    image = factories.make_image(tenant_a.project, name="before")
    other = factories.make_image(tenant_a.project, name="untouched")
    grant_image_action(tenant_a.reader, image, "ims:images:update")
    client = SignedClient(tenant_a.reader, project=tenant_a.project)
    patch = [{"op": "replace", "path": "/name", "value": "after"}]
    assert client.send("PATCH", f"/v2/cloudimages/{image.pk}", patch).status_code == 200
    refused = client.send("PATCH", f"/v2/cloudimages/{other.pk}", patch)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "IMG.0003"
    assert Image.objects.get(pk=image.pk).name == "after"
    assert Image.objects.get(pk=other.pk).name == "untouched"


def test_the_console_enables_exactly_the_granted_actions_on_that_image(tenant_a):
    from django.test import Client
    from django.urls import reverse

    image, other = factories.make_image(tenant_a.project), factories.make_image(tenant_a.project)
    grant_image_action(tenant_a.reader, image, "ims:images:delete")
    grant_image_action(tenant_a.reader, image, "ims:images:share")
    client = Client()
    client.force_login(tenant_a.reader)

    def page(name, target):
        return client.get(reverse(name, args=[target.pk])).content.decode()

    assert 'data-testid="action-delete">' in page("images:image_actions", image)
    assert 'data-testid="action-delete" disabled' in page("images:image_actions", other)
    assert 'data-testid="share-submit">' in page("images:image_members", image)
    assert 'data-testid="share-submit" disabled' in page("images:image_members", other)
    assert client.post(reverse("images:image_delete", args=[image.pk])).status_code == 302
    assert not Image.objects.filter(pk=image.pk).exclude(status="deleted").exists()
