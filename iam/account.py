"""The signed-in user's own page: profile, access keys and the permissions that apply to them per region."""

from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import text
from core.errors import ImsError
from iam.actors import Actor, actor_for_user
from iam.authz import can
from iam.credentials import create_access_key
from iam.grants import dependency_map, effective_grants
from iam.models import AccessKey, Grant, Project
from iam.operations import operation
from iam.roles import roles_of

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
    roles: list  # the Keystone role names this amounts to (iam.roles)


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


@operation("change_password")
def change_password(actor: Actor, *, old_password: str, new_password: str):
    """The signed-in user's password; the caller keeps the session valid afterwards."""
    user = actor.user
    if not user.check_password(old_password):
        raise ImsError("IAM.0021", _("Your current password was entered incorrectly."))
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        raise ImsError("IAM.0022", " ".join(error.messages)) from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    return user


@operation("create_own_access_key", summary=lambda kwargs: {"description": kwargs.get("description", "")})
def create_own_access_key(actor: Actor, *, description: str = "") -> tuple[AccessKey, str]:
    description = text.check_plain_text("description", description, limit=255)
    return create_access_key(user=actor.user, description=description)


def find_own_key(actor: Actor, access_key) -> AccessKey:
    """The actor's own key; anyone else's is simply not there."""
    key = AccessKey.objects.filter(user=actor.user, access_key=str(access_key)).first()
    if key is None:
        raise ImsError("IAM.0012", _("Access key %(ak)s does not exist.") % {"ak": access_key}, 404)
    return key


@operation(
    "set_access_key_status", target="key", find=find_own_key, summary=lambda kwargs: {"active": kwargs["active"]}
)
def set_access_key_status(actor: Actor, *, key: AccessKey, active: bool) -> AccessKey:
    key.is_active = active
    key.save(update_fields=["is_active"])
    return key


@operation("delete_access_key", target="key", find=find_own_key)
def delete_access_key(actor: Actor, *, key: AccessKey) -> None:
    key.delete()


def effective_permissions(user) -> list[RegionPermissions]:
    """Per project of the user's account: the grants that apply there and the key actions, from `iam.authz`."""
    membership = getattr(user, "iam", None)
    if membership is None:
        return []
    projects = Project.objects.select_related("region", "account").filter(account=membership.account)
    grants = list(
        Grant.objects.filter(group__users=user, group__account=membership.account).select_related(
            "policy", "group", "project"
        )
    )
    dependencies = dependency_map(g.policy_id for g in grants)
    result = []
    for project in projects.order_by("region__position", "-is_default", "name"):
        actor = actor_for_user(user, project, via="console")
        applying = effective_grants(grants, project.id, dependencies)
        actions = [(a, can(actor, a)) for a in KEY_ACTIONS]
        result.append(RegionPermissions(project, applying, actions, [role.name for role in roles_of(actor)]))
    return result


def my_credentials(actor: Actor) -> dict:
    """For "My credentials": who the signed-in user is, and its account's projects in every region, with the
    IDs the APIs take (another account shares an image with a project by its ID)."""
    projects = (
        Project.objects.filter(account=actor.account)
        .select_related("region")
        .order_by("region__position", "-is_default", "name")
    )
    return {
        "account": actor.account,
        "user_id": str(actor.user.pk),
        "username": actor.user.username,
        "projects": list(projects),
    }
