"""Keystone's role names, and how they map to the product's policies both ways.

What a user may do is decided by policies alone (`iam.authz`); a Keystone role is a name for a set of them, so
that OpenStack clients, Tempest and operators' identity files speak of `reader`, `member` and `admin`:

- given (by `load_identity`, in one project): `reader` grants IMS ReadOnlyAccess there; `member` grants
  IMS FullAccess; `admin` grants IMS FullAccess and Tenant Administrator, and makes the user a cloud
  administrator (the platform operator's role: `iam.authz.is_cloud_admin`).
- reported (in tokens and role assignments, per project): `reader` when the user may list and show images
  there; `member` when it may also create, change, share and delete them; `admin` for a cloud administrator.
  As in Keystone, where `admin` implies `member` and `member` implies `reader`, the implied roles are listed too.

An account's own administrator (Tenant Administrator, Django staff) is a `member`, never an `admin`: Glance's
admin acts on every tenant's images, which only the platform operator may.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from iam.actors import Actor, actor_for_user
from iam.authz import administers_account, can, is_cloud_admin
from iam.models import Project
from iam.policies import IMS_FULL_ACCESS, IMS_READ_ONLY, TENANT_ADMINISTRATOR

READER, MEMBER, ADMIN = "reader", "member", "admin"


@dataclass(frozen=True)
class KeystoneRole:
    name: str
    description: str
    policies: tuple[str, ...]  # the system policies the role grants in a project
    implies: tuple[str, ...] = ()


ROLES: tuple[KeystoneRole, ...] = (
    KeystoneRole(READER, "View images and quotas.", (IMS_READ_ONLY,)),
    KeystoneRole(MEMBER, "Every image operation in the project.", (IMS_FULL_ACCESS,), implies=(READER,)),
    KeystoneRole(
        ADMIN,
        "Cloud administrator: every operation, on every project's images.",
        (IMS_FULL_ACCESS, TENANT_ADMINISTRATOR),
        implies=(MEMBER,),
    ),
)
BY_NAME: dict[str, KeystoneRole] = {role.name: role for role in ROLES}
ROLE_NAMES = tuple(BY_NAME)

READER_ACTIONS = ("ims:images:list", "ims:images:get")
MEMBER_ACTIONS = (*READER_ACTIONS, "ims:images:create", "ims:images:update", "ims:images:share", "ims:images:delete")


def role_id(name: str) -> str:
    # Stable across installations and restarts: a client may keep a role's id between runs.
    return name


def role_named(name_or_id: str) -> KeystoneRole | None:
    return BY_NAME.get(name_or_id)


def roles_of(actor: Actor) -> list[KeystoneRole]:
    """The Keystone roles the actor holds in its project, implied ones included, strongest first."""
    if is_cloud_admin(actor):
        return [BY_NAME[ADMIN], BY_NAME[MEMBER], BY_NAME[READER]]
    if all(can(actor, action) for action in MEMBER_ACTIONS):
        return [BY_NAME[MEMBER], BY_NAME[READER]]
    if all(can(actor, action) for action in READER_ACTIONS):
        return [BY_NAME[READER]]
    return []


def role_reference(role: KeystoneRole) -> dict:
    return {"id": role_id(role.name), "name": role.name}


@dataclass(frozen=True)
class RoleAssignment:
    user: object
    project: object
    role: KeystoneRole


def role_assignments(
    actor: Actor, *, user_id: str | None = None, project_id: str | None = None, role: str | None = None
) -> list[RoleAssignment]:
    """The roles users of the actor's account hold in its projects, as Keystone's effective assignments.

    The account's administrators and cloud administrators see every user of the account; anyone else sees their
    own assignments only (Keystone's default policy lets a user list its own)."""
    users = get_user_model().objects.filter(iam__account=actor.account, is_active=True).order_by("pk")
    if not (administers_account(actor) or is_cloud_admin(actor)):
        users = users.filter(pk=actor.user.pk)
    if user_id is not None:
        users = users.filter(pk=user_id) if str(user_id).isdigit() else users.none()
    projects = Project.objects.select_related("region", "account").filter(account=actor.account)
    if project_id is not None:
        projects = projects.filter(pk=project_id)
    projects = list(projects)
    return [
        RoleAssignment(user, project, held)
        for user in users
        for project in projects
        for held in roles_of(actor_for_user(user, project, via="api"))
        if role is None or held.name == role
    ]
