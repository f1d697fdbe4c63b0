"""Keystone's tenancy: several projects per region, Keystone roles in tokens and assignments, the cloud
administrator, and sharing with another project of the same account."""

import pytest

from core.errors import ImsError
from iam.actors import actor_for_user, project_in_region
from iam.authz import is_cloud_admin
from iam.models import Region
from iam.projects import ensure_project, project_name_refusal
from iam.roles import role_assignments, roles_of
from images.selectors import show_image_quota
from images.services import members
from tests.api_clients import TokenClient, keystone_body
from tests.factories import PASSWORD, READER, make_image, make_user

TOKENS = "/v3/auth/tokens"


@pytest.fixture
def north(identity):
    return Region.objects.get(pk="cn-north-4")


@pytest.fixture
def sub_project(tenant_a, north):
    project, _ = ensure_project(tenant_a.account, north, "cn-north-4_dev")
    return project


def token_for(client, username: str, account: str, project: dict | None = None) -> tuple[str, dict]:
    response = client.post(
        TOKENS, keystone_body(username, PASSWORD, domain={"name": account}, project=project), "application/json"
    )
    assert response.status_code == 201, response.content
    return response["X-Subject-Token"], response.json()["token"]


def test_a_sub_project_leaves_the_default_project_of_its_region_in_place(tenant_a, sub_project):
    assert project_in_region(tenant_a.account, "cn-north-4") == tenant_a.project != sub_project
    assert sub_project.region_id == "cn-north-4" and not sub_project.is_default


@pytest.mark.parametrize(
    ("name", "code"),
    [("cn-north-4", "IAM.0403"), ("cn-east-3_dev", "IAM.0403"), ("dev team", "IAM.0401"), ("x" * 65, "IAM.0401")],
)
def test_project_names_that_would_mislead_a_client_are_refused(tenant_a, north, name, code):
    assert project_name_refusal(tenant_a.account, north, name).code == code


def test_a_project_name_is_unique_in_its_account_and_free_elsewhere(tenant_a, tenant_b, north, sub_project):
    assert ensure_project(tenant_a.account, north, "cn-north-4_dev") == (sub_project, False)
    assert ensure_project(tenant_b.account, north, "cn-north-4_dev")[1] is True
    ensure_project(tenant_a.account, Region.objects.get(pk="cn-east-3"), "team-x")
    with pytest.raises(ImsError) as refused:
        ensure_project(tenant_a.account, north, "team-x")
    assert refused.value.code == "IAM.0403"


def test_images_and_grants_stay_in_their_project(client, tenant_a, sub_project):
    make_image(tenant_a.project, name="default-one")
    make_image(sub_project, name="sub-one")
    token, body = token_for(client, "alpha-admin", "alpha", {"name": sub_project.name, "domain": {"name": "alpha"}})
    assert body["project"]["id"] == sub_project.id
    listed = TokenClient(token).get("/v2/images", {"visibility": "private"}).json()["images"]
    assert [image["name"] for image in listed] == ["sub-one"]
    quota = show_image_quota(actor_for_user(tenant_a.admin, sub_project, via="api"))
    assert next(usage for usage in quota if usage.type == "image").used == 1  # quotas count per project
    # A reader granted only in the default project holds no role in the sub-project.
    reader = make_user(tenant_a.account, "alpha-north-reader", *READER, project=tenant_a.project)
    assert [r.name for r in roles_of(actor_for_user(reader, tenant_a.project, via="api"))] == ["reader"]
    assert roles_of(actor_for_user(reader, sub_project, via="api")) == []


def test_tokens_carry_keystone_roles_and_every_regions_endpoints(client, tenant_a):
    _, admin = token_for(client, "alpha-admin", "alpha")
    _, reader = token_for(client, "alpha-reader", "alpha")
    assert [role["name"] for role in admin["roles"]] == ["member", "reader"]
    assert [role["name"] for role in reader["roles"]] == ["reader"]
    image = next(entry for entry in admin["catalog"] if entry["type"] == "image")
    assert {e["region_id"] for e in image["endpoints"]} == set(Region.objects.values_list("id", flat=True))


def test_the_platform_operator_is_the_cloud_administrator(tenant_a):
    admin = tenant_a.admin
    assert not is_cloud_admin(actor_for_user(admin, tenant_a.project, via="api"))  # an account's administrator
    admin.is_superuser = True
    admin.save()
    actor = actor_for_user(admin, tenant_a.project, via="api")
    assert is_cloud_admin(actor) and [r.name for r in roles_of(actor)] == ["admin", "member", "reader"]
    admin.is_active = False
    assert not is_cloud_admin(actor)


def test_role_assignments_show_the_account_to_its_administrator_and_oneself_to_others(tenant_a, tenant_b):
    tenant_a.admin.is_staff = True  # the account's administrator
    tenant_a.admin.save()
    admin_view = role_assignments(actor_for_user(tenant_a.admin, tenant_a.project, via="api"), role="reader")
    assert {a.user.username for a in admin_view} == {"alpha-admin", "alpha-reader"}
    reader_view = role_assignments(
        actor_for_user(tenant_a.reader, tenant_a.project, via="api"), project_id=tenant_a.project.id
    )
    assert [(a.user.username, a.role.name) for a in reader_view] == [("alpha-reader", "reader")]


def test_identity_api_lists_roles_assignments_and_projects(client, tenant_a, tenant_b, sub_project):
    token, _ = token_for(client, "alpha-reader", "alpha")
    api = TokenClient(token)
    assert [r["name"] for r in api.get("/v3/roles").json()["roles"]] == ["reader", "member", "admin"]
    assert api.get("/v3/roles/admin").json()["role"]["name"] == "admin"
    assert api.get("/v3/roles/owner").status_code == 404
    assignments = api.get("/v3/role_assignments", {"scope.project.id": tenant_a.project.id}).json()
    assert [(a["user"]["name"], a["role"]["name"]) for a in assignments["role_assignments"]] == [
        ("alpha-reader", "reader")
    ]
    assert api.get(f"/v3/projects/{sub_project.id}").json()["project"]["name"] == "cn-north-4_dev"
    assert api.get(f"/v3/projects/{tenant_b.project.id}").status_code == 404


def test_an_image_is_shared_with_another_project_of_the_same_account(tenant_a, sub_project):
    image = make_image(tenant_a.project)
    owner = actor_for_user(tenant_a.admin, tenant_a.project, via="api")
    assert members.glance_add_image_member(owner, image=image, member_id=sub_project.id).status == "pending"
    with pytest.raises(ImsError) as refused:
        members.glance_add_image_member(owner, image=image, member_id=tenant_a.project.id)
    assert refused.value.code == "IMG.0608"


def test_the_account_page_shows_each_projects_keystone_roles(client, tenant_a, sub_project):
    client.force_login(tenant_a.reader)
    page = client.get("/console/account/").content.decode()
    assert 'data-testid="keystone-roles"' in page and "Keystone roles (OpenStack clients): reader" in page
    assert "project cn-north-4_dev" in page  # the sub-project has its own permissions section


def test_the_operators_project_form_applies_the_naming_rules(tenant_a, north):
    from iam.admin import ProjectForm

    data = {"account": tenant_a.account.pk, "region": north.pk, "description": ""}
    assert ProjectForm({**data, "name": "cn-north-4_team"}).is_valid()
    refused = ProjectForm({**data, "name": "cn-east-3_team"})
    assert not refused.is_valid() and "names region cn-east-3" in refused.errors["name"][0]
    second_default = ProjectForm({**data, "name": "cn-north-4_two", "is_default": True})
    assert not second_default.is_valid()  # one default project per region


def test_a_user_lists_the_projects_it_holds_a_role_in(client, tenant_a, sub_project):
    reader = make_user(tenant_a.account, "alpha-north-reader", *READER, project=tenant_a.project)
    token, _ = token_for(client, reader.username, "alpha")
    api = TokenClient(token)
    assert [p["id"] for p in api.get("/v3/auth/projects").json()["projects"]] == [tenant_a.project.id]
    assert [p["id"] for p in api.get(f"/v3/users/{reader.pk}/projects").json()["projects"]] == [tenant_a.project.id]
    assert api.get(f"/v3/users/{tenant_a.admin.pk}/projects").status_code == 404
