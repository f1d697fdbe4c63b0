"""The signed-in user's own page: profile, access keys and the permissions that apply to them per region."""
from dataclasses import dataclass

from django.db import transaction

from iam.actors import actor_for_user
from iam.authz import can
from iam.credentials import create_access_key
from iam.models import AccessKey, Grant, Project

# A few actions that tell a user at a glance what they may do in a region.
KEY_ACTIONS = (
    "ims:images:list",
    "ims:images:get",
    "ims:serverImages:create",
    "ims:images:update",
    "ims:images:delete",
    "ims:images:share",
    "ims:images:export",
    "ims:images:copy",
)


@dataclass
class RegionPermissions:
    project: Project
    grants: list
    actions: list  # (action, allowed)


def profile(user) -> dict:
    membership = getattr(user, "iam", None)
    return {
        "username": user.username,
        "account": membership.account if membership else None,
        "groups": list(user.iam_groups.order_by("name")),
        "last_login": user.last_login,
    }


def own_access_keys(user):
    return AccessKey.objects.filter(user=user).order_by("created_at")


def own_access_key(user, access_key: str) -> AccessKey:
    """The user's key; another user's key is simply not there (AccessKey.DoesNotExist)."""
    return AccessKey.objects.get(user=user, access_key=access_key)


def create_own_access_key(*, user, description: str = "") -> tuple[AccessKey, str]:
    return create_access_key(user=user, description=description[:255])


def set_access_key_status(*, user, access_key: str, active: bool) -> AccessKey:
    with transaction.atomic():
        key = own_access_key(user, access_key)
        key.is_active = active
        key.save(update_fields=["is_active"])
    return key


def delete_access_key(*, user, access_key: str) -> None:
    own_access_key(user, access_key).delete()


def effective_permissions(user) -> list[RegionPermissions]:
    """Per project of the user's account: the grants that apply there and the key actions, from `iam.authz`."""
    membership = getattr(user, "iam", None)
    if membership is None:
        return []
    projects = Project.objects.select_related("region", "account").filter(account=membership.account)
    grants = list(Grant.objects.filter(group__users=user, group__account=membership.account)
                  .select_related("policy", "group", "project"))
    result = []
    for project in projects.order_by("region__position"):
        actor = actor_for_user(user, project, via="console")
        applying = [g for g in grants if g.project_id in (None, project.id)]
        result.append(RegionPermissions(project, applying, [(a, can(actor, a)) for a in KEY_ACTIONS]))
    return result
