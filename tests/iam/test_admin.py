"""The Django admin as each account's administrators use it: their own account only, checked and traced."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from guardian.models import UserObjectPermission

from audit.models import Trace
from iam import seeding as iam
from iam.authz import can
from iam.credentials import create_access_key
from iam.models import AccessKey, Grant, Group, Member, Policy
from iam.policies import IMS_ADMINISTRATOR, IMS_FULL_ACCESS, TENANT_ADMINISTRATOR
from images.object_grants import grant_image_action
from tests.factories import PASSWORD, actor, make_image

User = get_user_model()
VALID_DOCUMENT = '{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["ims:images:get"]}]}'


def url(name: str, *args) -> str:
    return reverse(f"admin:{name}", args=args)


def refused(response) -> bool:
    """Another account's object: the admin's "doesn't exist" redirect, a 404, or a plain refusal."""
    if response.status_code == 302:
        return response.url == url("index")
    return response.status_code in (403, 404)


def admin_traces(event: str | None = None):
    traces = Trace.objects.filter(via="admin")
    return traces.filter(event_name=event) if event else traces


def custom_policy(account, name: str) -> Policy:
    return Policy.objects.create(
        name=name,
        kind=Policy.Kind.CUSTOM,
        account=account,
        description=f"{name} text",
        document={"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["ims:images:get"]}]},
    )


@pytest.fixture
def world(tenant_a, tenant_b):
    """Each account with a custom policy, an access key, an image and a per-image grant of its own."""
    objects = {}
    for tenant in (tenant_a, tenant_b):
        name = tenant.account.name
        image = make_image(tenant.project, name=f"{name}-image")
        objects[name] = {
            "policy": custom_policy(tenant.account, f"{name}-policy"),
            "key": create_access_key(user=tenant.reader, description=f"{name}-key")[0],
            "image": image,
            "image_grant": grant_image_action(tenant.reader, image, "ims:images:get"),
            "group": Group.objects.get(account=tenant.account, name=f"group-{name}-admin"),
        }
    return objects


@pytest.fixture
def alpha_admin(tenant_a) -> Client:
    tenant_a.admin.is_staff = True
    tenant_a.admin.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(tenant_a.admin)
    return client


@pytest.fixture
def operator(db) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("operator", "", PASSWORD))
    return client


CHANGELISTS = {
    "auth_user_changelist": ("alpha-reader", "bravo-reader"),
    "iam_group_changelist": ("group-alpha-reader", "group-bravo-reader"),
    "iam_grant_changelist": ("group-alpha-reader", "group-bravo-reader"),
    "iam_policy_changelist": ("alpha-policy", "bravo-policy"),
    "iam_accesskey_changelist": ("alpha-key", "bravo-key"),
    "images_perimagegrant_changelist": ("alpha-image", "bravo-image"),
}


@pytest.mark.parametrize("changelist", CHANGELISTS)
def test_account_admin_lists_only_their_own_account(alpha_admin, world, changelist):
    own, other = CHANGELISTS[changelist]

    html = alpha_admin.get(url(changelist)).content.decode()

    assert own in html and other not in html and "bravo" not in html


def test_a_policy_document_is_edited_as_json_text(alpha_admin, world):
    html = alpha_admin.get(url("iam_policy_change", world["alpha"]["policy"].pk)).content.decode()

    assert "&quot;Version&quot;: &quot;1.1&quot;" in html


def test_system_policies_are_listed_for_everyone_to_pick(alpha_admin, world):
    html = alpha_admin.get(url("iam_policy_changelist")).content.decode()

    assert TENANT_ADMINISTRATOR in html and IMS_FULL_ACCESS in html


@pytest.mark.parametrize("changelist", CHANGELISTS)
def test_operator_lists_every_account(operator, world, changelist):
    html = operator.get(url(changelist)).content.decode()

    assert all(name in html for name in CHANGELISTS[changelist])


def other_accounts_objects(tenant_b, world):
    bravo = world["bravo"]
    return {
        "auth_user": tenant_b.reader.pk,
        "iam_group": bravo["group"].pk,
        "iam_policy": bravo["policy"].pk,
        "iam_grant": bravo["group"].grants.first().pk,
        "iam_accesskey": bravo["key"].pk,
        "images_perimagegrant": bravo["image_grant"].pk,
    }


def test_another_accounts_objects_are_not_found(alpha_admin, tenant_b, world):
    for model, pk in other_accounts_objects(tenant_b, world).items():
        for view in ("change", "delete", "history"):
            response = alpha_admin.get(url(f"{model}_{view}", pk))
            assert refused(response), (model, view, response.status_code)


def test_another_accounts_objects_cannot_be_changed_or_deleted(alpha_admin, tenant_b, world):
    for model, pk in other_accounts_objects(tenant_b, world).items():
        assert refused(alpha_admin.post(url(f"{model}_change", pk), {"name": "taken", "is_active": ""}))
        assert refused(alpha_admin.post(url(f"{model}_delete", pk), {"post": "yes"}))

    tenant_b.reader.refresh_from_db()
    assert tenant_b.reader.is_active
    assert Group.objects.filter(pk=world["bravo"]["group"].pk, name="group-bravo-admin").exists()
    assert Policy.objects.filter(pk=world["bravo"]["policy"].pk, name="bravo-policy").exists()
    assert AccessKey.objects.filter(pk=world["bravo"]["key"].pk).exists()
    assert UserObjectPermission.objects.filter(pk=world["bravo"]["image_grant"].pk).exists()
    assert not admin_traces().exists()


def test_account_admin_does_not_see_the_platforms_models(alpha_admin):
    html = alpha_admin.get(url("index")).content.decode()

    assert url("iam_group_changelist") in html and url("iam_project_changelist") in html
    for hidden in ("iam_account", "iam_region", "iam_member", "auth_group", "images_image", "images_job", "obs_bucket"):
        assert url(f"{hidden}_changelist") not in html
        assert alpha_admin.get(url(f"{hidden}_changelist")).status_code == 403


def test_another_accounts_choices_are_refused_in_add_forms(alpha_admin, tenant_a, tenant_b, world):
    alpha, bravo = world["alpha"], world["bravo"]
    policies = iam.ensure_system_policies()
    full_access = policies[IMS_FULL_ACCESS].pk
    attempts = [
        ("iam_grant_add", {"group": bravo["group"].pk, "policy": full_access, "project": ""}, "group"),
        ("iam_grant_add", {"group": alpha["group"].pk, "policy": bravo["policy"].pk, "project": ""}, "policy"),
        (
            "iam_grant_add",
            {"group": alpha["group"].pk, "policy": full_access, "project": tenant_b.project.pk},
            "project",
        ),
        ("iam_group_add", {"name": "mixed", "users": [tenant_b.reader.pk]}, "users"),
        (
            "images_perimagegrant_add",
            {"user": tenant_b.reader.pk, "image": alpha["image"].pk, "action": "ims:images:update"},
            "user",
        ),
        (
            "images_perimagegrant_add",
            {"user": tenant_a.reader.pk, "image": bravo["image"].pk, "action": "ims:images:update"},
            "image",
        ),
    ]
    grants, groups, image_grants = Grant.objects.count(), Group.objects.count(), UserObjectPermission.objects.count()

    for view, data, field in attempts:
        response = alpha_admin.post(url(view), data)
        assert response.status_code == 200, view
        assert field in response.context["adminform"].form.errors, (view, field)

    assert (Grant.objects.count(), Group.objects.count(), UserObjectPermission.objects.count()) == (
        grants,
        groups,
        image_grants,
    )


def test_a_new_group_and_policy_belong_to_the_admins_account(alpha_admin, tenant_a, tenant_b):
    alpha_admin.post(
        url("iam_group_add"), {"name": "ops", "account": tenant_b.account.pk, "users": [tenant_a.reader.pk]}
    )
    alpha_admin.post(
        url("iam_policy_add"),
        {"name": "readers", "kind": "system_role", "account": tenant_b.account.pk, "document": VALID_DOCUMENT},
    )

    assert Group.objects.get(name="ops").account == tenant_a.account
    policy = Policy.objects.get(name="readers")
    assert (policy.account, policy.kind) == (tenant_a.account, Policy.Kind.CUSTOM)


def test_adding_a_user_makes_them_a_member_of_the_admins_account(alpha_admin, tenant_a):
    response = alpha_admin.post(
        url("auth_user_add"),
        {"username": "alpha-new", "usable_password": "true", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 302
    assert User.objects.get(username="alpha-new").iam.account == tenant_a.account


def test_account_admin_cannot_see_or_set_superuser(alpha_admin, tenant_a):
    page = alpha_admin.get(url("auth_user_change", tenant_a.reader.pk)).content.decode()
    response = alpha_admin.post(
        url("auth_user_change", tenant_a.reader.pk),
        {
            "username": "alpha-reader",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": "2025-01-01",
            "date_joined_1": "00:00:00",
        },
    )

    assert "is_superuser" not in page and "user_permissions" not in page
    assert response.status_code == 302
    tenant_a.reader.refresh_from_db()
    assert tenant_a.reader.is_staff and not tenant_a.reader.is_superuser


def test_account_admin_never_sees_a_superuser_even_in_their_account(alpha_admin, tenant_a):
    root = User.objects.create_superuser("alpha-root", "", PASSWORD)
    Member.objects.create(user=root, account=tenant_a.account)

    assert "alpha-root" not in alpha_admin.get(url("auth_user_changelist")).content.decode()
    assert refused(alpha_admin.get(url("auth_user_change", root.pk)))


def test_a_member_who_is_not_staff_is_sent_to_the_login(tenant_a):
    client = Client()
    client.force_login(tenant_a.reader)

    response = client.get(url("iam_group_changelist"))

    assert response.status_code == 302 and response.url.startswith(url("login"))


@pytest.mark.parametrize(
    "document, message",
    [
        ('{"Version": "1.1", "Statement": [', "is not valid JSON"),
        (
            '{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["ims:image:get"]}]}',
            "matches no action of this service",
        ),
    ],
)
def test_a_bad_policy_document_is_refused_with_its_reason(alpha_admin, document, message):
    response = alpha_admin.post(url("iam_policy_add"), {"name": "broken", "document": document})

    errors = response.context["adminform"].form.errors["document"]
    assert response.status_code == 200 and len(errors) == 1 and message in errors[0]
    assert message in response.content.decode()
    assert not Policy.objects.filter(name="broken").exists()


def test_ims_administrator_without_tenant_administrator_is_refused(alpha_admin, tenant_a):
    group = Group.objects.create(account=tenant_a.account, name="ops")
    ims_admin = iam.ensure_system_policies()[IMS_ADMINISTRATOR]

    response = alpha_admin.post(url("iam_grant_add"), {"group": group.pk, "policy": ims_admin.pk, "project": ""})

    assert response.status_code == 200
    assert "needs Tenant Administrator" in response.content.decode()
    assert not group.grants.exists()


@pytest.fixture
def ops_group(tenant_a):
    policies = iam.ensure_system_policies()
    group = iam.ensure_group(tenant_a.account, "ops", [policies[TENANT_ADMINISTRATOR], policies[IMS_ADMINISTRATOR]])
    return group, group.grants.get(policy__name=TENANT_ADMINISTRATOR)


def test_revoking_a_role_another_grant_needs_is_refused(alpha_admin, ops_group):
    _group, tenant_admin = ops_group

    response = alpha_admin.post(url("iam_grant_delete", tenant_admin.pk), {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert "needs Tenant Administrator; revoke IMS Administrator first" in response.content.decode()
    assert Grant.objects.filter(pk=tenant_admin.pk).exists()
    assert not admin_traces().exists()


def test_revoking_a_needed_role_in_bulk_is_refused(alpha_admin, ops_group):
    group, tenant_admin = ops_group

    response = alpha_admin.post(
        url("iam_grant_changelist"),
        {"action": "delete_selected", "_selected_action": [tenant_admin.pk], "post": "yes"},
        follow=True,
    )

    assert "revoke IMS Administrator first" in response.content.decode()
    assert "Successfully deleted" not in response.content.decode()
    assert group.grants.count() == 2


def test_revoking_both_roles_in_one_go_is_allowed(alpha_admin, ops_group):
    group, _tenant_admin = ops_group

    alpha_admin.post(
        url("iam_grant_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": list(group.grants.values_list("pk", flat=True)),
            "post": "yes",
        },
    )

    assert not group.grants.exists()
    assert admin_traces("revokePolicy").count() == 2


def test_a_per_image_grant_lets_a_reader_update_that_image(alpha_admin, tenant_a):
    image = make_image(tenant_a.project)
    assert not can(actor(tenant_a.reader), "ims:images:update", image)

    response = alpha_admin.post(
        url("images_perimagegrant_add"), {"user": tenant_a.reader.pk, "image": image.pk, "action": "ims:images:update"}
    )

    assert response.status_code == 302
    assert can(actor(tenant_a.reader), "ims:images:update", image)
    assert admin_traces("grantImage").get().account_id == tenant_a.account.pk


def test_every_admin_change_writes_one_trace(alpha_admin, tenant_a, world):
    group_pk = world["alpha"]["group"].pk
    key_pk = world["alpha"]["key"].pk
    policy_pk, image_grant_pk = world["alpha"]["policy"].pk, world["alpha"]["image_grant"].pk
    tenant_admin = iam.ensure_system_policies()[TENANT_ADMINISTRATOR]
    steps = [
        ("createGroup", url("iam_group_add"), {"name": "ops", "users": [tenant_a.reader.pk]}),
        ("updateGroup", url("iam_group_change", group_pk), {"name": "renamed", "description": "now"}),
        ("createPolicy", url("iam_policy_add"), {"name": "readers", "document": VALID_DOCUMENT}),
        (
            "grantPolicy",
            url("iam_grant_add"),
            {"group": group_pk, "policy": tenant_admin.pk, "project": tenant_a.project.pk},
        ),
        (
            "updateAccessKey",
            url("iam_accesskey_changelist"),
            {"action": "disable_selected", "_selected_action": [key_pk]},
        ),
        ("deleteAccessKey", url("iam_accesskey_delete", key_pk), {"post": "yes"}),
        (
            "createUser",
            url("auth_user_add"),
            {"username": "alpha-new", "usable_password": "true", "password1": PASSWORD, "password2": PASSWORD},
        ),
        ("deleteGroup", url("iam_group_delete", group_pk), {"post": "yes"}),
        (
            "updatePolicy",
            url("iam_policy_change", policy_pk),
            {"name": "alpha-policy", "description": "changed", "document": VALID_DOCUMENT},
        ),
        ("deletePolicy", url("iam_policy_delete", policy_pk), {"post": "yes"}),
        ("revokeImage", url("images_perimagegrant_delete", image_grant_pk), {"post": "yes"}),
        (
            "updateUser",
            url("auth_user_change", tenant_a.reader.pk),
            {"username": "alpha-reader", "is_active": "on", "date_joined_0": "2025-01-01", "date_joined_1": "00:00"},
        ),
        ("deleteUser", url("auth_user_delete", tenant_a.reader.pk), {"post": "yes"}),
    ]
    for event, address, data in steps:
        before = admin_traces().count()
        response = alpha_admin.post(address, data)
        assert response.status_code == 302, (event, response.content.decode()[:3000])
        assert admin_traces().count() == before + 1, event
        trace = admin_traces().first()
        assert (trace.event_name, trace.username, trace.account_id, trace.resource_type) == (
            event,
            "alpha-admin",
            tenant_a.account.pk,
            "iam",
        )
        assert trace.source_ip == "127.0.0.1"


def test_the_admin_password_change_is_traced(alpha_admin, tenant_a):
    new_password = "Another-Horse-43"

    response = alpha_admin.post(
        url("auth_user_password_change", tenant_a.reader.pk),
        {"password1": new_password, "password2": new_password, "usable_password": "true"},
    )

    assert response.status_code == 302
    tenant_a.reader.refresh_from_db()
    assert tenant_a.reader.check_password(new_password)
    trace = admin_traces().get()
    assert (trace.event_name, trace.resource_name, trace.username) == ("changePassword", "alpha-reader", "alpha-admin")


def test_a_refused_password_change_is_not_traced(alpha_admin, tenant_a):
    alpha_admin.post(url("auth_user_password_change", tenant_a.reader.pk), {"password1": "a", "password2": "b"})

    assert not admin_traces().exists()


def test_operator_puts_a_user_in_an_account(operator, tenant_b):
    response = operator.post(
        url("auth_user_add"),
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "iam-TOTAL_FORMS": "1",
            "iam-INITIAL_FORMS": "0",
            "iam-MIN_NUM_FORMS": "0",
            "iam-MAX_NUM_FORMS": "1",
            "iam-0-account": tenant_b.account.pk,
        },
    )

    assert response.status_code == 302
    assert User.objects.get(username="newcomer").iam.account == tenant_b.account
    assert admin_traces("createUser").get().account_id == tenant_b.account.pk


@pytest.mark.parametrize("audience", ["alpha_admin", "operator"])
def test_every_admin_page_opens_or_is_refused_never_fails(request, audience, world, ops_group):
    from django.contrib import admin

    client = request.getfixturevalue(audience)
    for model, model_admin in admin.site._registry.items():
        name = f"{model._meta.app_label}_{model._meta.model_name}"
        pages = [url(f"{name}_changelist"), url(f"{name}_add")]
        sample = model_admin.get_queryset(_request_as(client)).first()
        if sample is not None:
            pages += [url(f"{name}_change", sample.pk), url(f"{name}_delete", sample.pk)]
        for page in pages:
            assert client.get(page).status_code in (200, 403), page


def _request_as(client):
    """A request carrying the client's signed-in user, to ask an admin for its queryset."""
    from django.contrib.auth import get_user
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.session = client.session
    request.user = get_user(request)
    return request


def test_system_policies_are_read_only_for_account_admins(alpha_admin):
    system = Policy.objects.get(name=TENANT_ADMINISTRATOR)

    changed = alpha_admin.post(url("iam_policy_change", system.pk), {"name": "mine", "document": VALID_DOCUMENT})
    deleted = alpha_admin.post(url("iam_policy_delete", system.pk), {"post": "yes"})

    assert changed.status_code == 403 and deleted.status_code == 403
    assert Policy.objects.filter(pk=system.pk, name=TENANT_ADMINISTRATOR).exists()


def test_account_admin_reads_only_their_accounts_traces(alpha_admin, tenant_a, tenant_b):
    for tenant in (tenant_a, tenant_b):
        Trace.objects.create(
            event_name=f"{tenant.account.name}Event", operation="x", result="success", account_id=tenant.account.pk
        )

    html = alpha_admin.get(url("audit_trace_changelist")).content.decode()

    assert "alphaEvent" in html and "bravoEvent" not in html


def test_the_admin_names_every_identity_model_in_chinese():
    from django.apps import apps
    from django.contrib import admin
    from django.utils import translation

    with translation.override("zh-hans"):
        untranslated = [
            f"{model._meta.label}: {model._meta.verbose_name_plural}"
            for model in admin.site._registry
            if model._meta.app_label in ("iam", "auth")
            and not any("\u4e00" <= ch <= "\u9fff" for ch in str(model._meta.verbose_name_plural))
        ]
        apps_untranslated = [
            config.label
            for config in apps.get_app_configs()
            if config.label in ("iam", "images", "obs", "audit")
            and not any("\u4e00" <= ch <= "\u9fff" for ch in str(config.verbose_name))
        ]
    assert not untranslated and not apps_untranslated, (untranslated, apps_untranslated)
