"""`manage.py load_identity FILE`: accounts, projects, users and Keystone roles from JSON, idempotent, all or
nothing, with errors naming the entry."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from iam.actors import actor_for_user
from iam.authz import is_cloud_admin
from iam.models import Account, Grant, Project
from iam.roles import roles_of

PASSWORD = "Correct-Horse-Battery-42"


def identity_file(tmp_path, data) -> str:
    path = tmp_path / "identity.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return str(path)


def tempest_world(password: str = PASSWORD) -> dict:
    return {
        "accounts": [
            {
                "name": "Default",
                "projects": [
                    {"name": "tempest-proj1", "region": "cn-north-4"},
                    {"name": "tempest-proj2", "region": "cn-north-4"},
                ],
                "users": [
                    {
                        "name": "tempest-user1",
                        "password": password,
                        "roles": [{"project": "tempest-proj1", "role": "member"}],
                    },
                    {
                        "name": "tempest-user2",
                        "password": password,
                        "roles": [{"project": "tempest-proj2", "role": "reader"}],
                    },
                    {
                        "name": "tempest-admin",
                        "password": password,
                        "roles": [{"project": "tempest-proj1", "role": "admin"}],
                    },
                ],
            }
        ]
    }


def load(tmp_path, data) -> str:
    from io import StringIO

    out = StringIO()
    call_command("load_identity", identity_file(tmp_path, data), stdout=out)
    return out.getvalue()


def roles_in(username: str, project_name: str) -> list[str]:
    user = get_user_model().objects.get(username=username)
    return [role.name for role in roles_of(actor_for_user(user, Project.objects.get(name=project_name), via="api"))]


def test_the_file_creates_accounts_projects_users_and_roles(db, tmp_path):
    assert "3 users" in load(tmp_path, tempest_world())
    assert roles_in("tempest-user1", "tempest-proj1") == ["member", "reader"]
    assert roles_in("tempest-user1", "tempest-proj2") == []
    assert roles_in("tempest-user2", "tempest-proj2") == ["reader"]
    admin = get_user_model().objects.get(username="tempest-admin")
    assert admin.check_password(PASSWORD) and is_cloud_admin(
        actor_for_user(admin, admin.iam.account.projects.first(), via="api")
    )
    assert Account.objects.get(name="Default").projects.filter(is_default=True).count() == 4  # one per region


def test_a_second_run_changes_nothing_but_resets_passwords(db, tmp_path):
    load(tmp_path, tempest_world())
    counts = (Account.objects.count(), Project.objects.count(), get_user_model().objects.count(), Grant.objects.count())
    user = get_user_model().objects.get(username="tempest-user1")
    user.set_password("Changed-By-Hand-123")
    user.save()
    assert "0 accounts, 0 projects, 0 users, 0 role grants" in load(tmp_path, tempest_world())
    assert (
        Account.objects.count(),
        Project.objects.count(),
        get_user_model().objects.count(),
        Grant.objects.count(),
    ) == counts
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("change", "named", "code"),
    [
        (
            lambda w: w["accounts"][0]["users"][1]["roles"][0].update(role="owner"),
            "users[1] (tempest-user2)",
            "IAM.0501",
        ),
        (lambda w: w["accounts"][0]["projects"][1].update(region="mars-1"), "projects[1] (tempest-proj2)", "IAM.0502"),
        (
            lambda w: w["accounts"][0]["users"][2]["roles"][0].update(project="nope"),
            "users[2] (tempest-admin) › roles[0] (nope)",
            "IAM.0503",
        ),
        (lambda w: w["accounts"][0]["users"][2].update(password="short"), "users[2] (tempest-admin)", "IAM.0505"),
        (lambda w: w["accounts"][0]["users"].append(dict(w["accounts"][0]["users"][0])), "users[3]", "IAM.0506"),
        (lambda w: w["accounts"][0]["projects"][0].update(name="cn-east-3_x"), "projects[0] (cn-east-3_x)", "IAM.0403"),
    ],
)
def test_a_bad_entry_is_named_and_nothing_is_applied(db, tmp_path, change, named, code):
    world = tempest_world()
    change(world)
    with pytest.raises(CommandError) as refused:
        load(tmp_path, world)
    assert code in str(refused.value) and named in str(refused.value)
    assert not Account.objects.filter(name="Default").exists()
    assert not get_user_model().objects.filter(username__startswith="tempest-").exists()


def test_a_user_of_another_account_is_refused(tenant_a, tmp_path):
    world = tempest_world()
    world["accounts"][0]["users"][0]["name"] = "alpha-reader"
    with pytest.raises(CommandError, match=r"IAM.0504.*alpha-reader"):
        load(tmp_path, world)
    assert tenant_a.reader.iam.account == tenant_a.account


@pytest.mark.parametrize("content", ["{not json", '{"accounts": {}}', "[]"])
def test_a_file_that_is_not_an_identity_file_is_refused(db, tmp_path, content):
    with pytest.raises(CommandError, match="JSON"):
        load(tmp_path, content)
