"""The one authorization engine. Every service asks `authorize()`/`can()`; every read starts from `scope()`.

Three sources of permission, in this order: an explicit Deny of a policy statement wins over everything;
then an Allow of a statement (for every resource, or for the resource at hand); then a per-object grant
(django-guardian) on an object of the actor's own account. Grants apply in one project or in all of the
account's projects; a role whose dependency is missing gives nothing.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import ImsError
from iam import caller_cache
from iam.grants import effective_grants
from iam.models import Grant, Project
from iam.policies import Statement, statements_of

if TYPE_CHECKING:  # iam.actors reads statements from here
    from iam.actors import Actor


class PermissionDenied(ImsError):
    status = 403

    def __init__(self, action: str):
        super().__init__("IMG.0003", _("You do not have permission to perform %(action)s.") % {"action": action})
        self.action = action


@dataclass(frozen=True)
class _GrantRow:
    policy_id: int
    project_id: str | None
    document: dict


def effective_statements(user, project: Project) -> tuple[Statement, ...]:
    if user is None or not user.is_active:
        return ()
    return caller_cache.STATEMENTS.get_or_read((user.pk, project.pk), lambda: _read_statements(user, project))


def _read_statements(user, project: Project) -> tuple[Statement, ...]:
    # One query: each grant joined with its policy's dependencies (one row per dependency, or one with None).
    rows = (
        Grant.objects.filter(group__users=user, group__account_id=project.account_id)
        .filter(Q(project=project) | Q(project__isnull=True))
        .values_list("pk", "policy_id", "project_id", "policy__document", "policy__depends_on")
    )
    grants, dependencies = {}, {}
    for pk, policy_id, project_id, document, dependency_id in rows:
        grants[pk] = _GrantRow(policy_id, project_id, document)
        if dependency_id is not None:
            dependencies.setdefault(policy_id, set()).add(dependency_id)
    return tuple(
        statement
        for grant in effective_grants(list(grants.values()), project.pk, dependencies)
        for statement in statements_of(grant.document)
    )


def resource_urn(obj) -> str | None:
    urn = getattr(obj, "urn", None)
    return urn() if callable(urn) else urn


def granted_actions(actor: "Actor", obj) -> frozenset[str]:
    """The actions per-object grants give the actor on `obj` (objects that support them), read once per actor."""
    if not hasattr(obj, "actions_granted_to"):
        return frozenset()
    key = ("object-grants", type(obj).__name__, obj.pk)
    if key not in actor._cache:
        actor._cache[key] = obj.actions_granted_to(actor)
    return actor._cache[key]


def can(actor: "Actor", action: str, obj=None) -> bool:
    if actor.is_system:
        return True
    urn = resource_urn(obj) if obj is not None else None
    matching = [s for s in actor.statements if s.matches(action, urn)]
    if any(s.effect == "Deny" for s in matching):
        return False
    if any(s.effect == "Allow" for s in matching):
        return True
    return obj is not None and action in granted_actions(actor, obj)


# Not a policy action: account administration belongs to the account's administrators (its active staff users, the
# Django admin's rule) and to the platform operator, whatever their policies say.
ACCOUNT_ADMINISTRATION = "iam:account:administer"


def administers_account(actor: "Actor") -> bool:
    user = actor.user
    if user is None or not user.is_active:
        return False
    if user.is_superuser:
        return True
    membership = getattr(user, "iam", None)
    return user.is_staff and membership is not None and membership.account_id == actor.account.id


# Not a policy action either: Glance's cloud administrator (the `admin` role of its default policy) is the platform
# operator, never an account's own administrator, since it sees and changes every tenant's images.
CLOUD_ADMINISTRATION = "ims:cloud:administer"


def is_cloud_admin_user(user) -> bool:
    return user is not None and user.is_active and user.is_superuser


def is_cloud_admin(actor: "Actor") -> bool:
    """Whether the actor is a cloud administrator in Glance's sense: may set an image's `owner`, create `public`
    and `community` images, and act on every project's images. The platform operator (an active superuser) and
    the system actor are; no policy of an account makes anyone one."""
    return actor.is_system or is_cloud_admin_user(actor.user)


def authorize_cloud_administration(actor: "Actor") -> None:
    if not is_cloud_admin(actor):
        raise PermissionDenied(CLOUD_ADMINISTRATION)


def authorize_account_administration(actor: "Actor") -> None:
    if not (actor.is_system or administers_account(actor)):
        raise PermissionDenied(ACCOUNT_ADMINISTRATION)


def authorize(actor: "Actor", action: str, obj=None) -> None:
    if not can(actor, action, obj):
        raise PermissionDenied(action)


def authorize_all(actor: "Actor", actions, obj=None) -> None:
    for action in actions:
        authorize(actor, action, obj)


def scope(actor: "Actor", action: str, queryset: QuerySet) -> QuerySet:
    """What the actor may see of `queryset`; objects of other tenants simply are not there.

    The same decision as `can()`, made in SQL for a whole list: querysets that know resources
    (`resource_q`, `granted_q`) narrow by the statements naming resources and by per-object grants.
    """
    visible = queryset.visible_to(actor)
    if actor.is_system:
        return visible
    matching = [s for s in actor.statements if s.matches_action(action)]
    if any(s.effect == "Deny" and not s.resources for s in matching):
        return queryset.none()
    knows_resources = hasattr(queryset, "resource_q")
    if any(s.effect == "Allow" and not s.resources for s in matching):
        allowed = visible
    elif knows_resources:
        patterns = [r for s in matching if s.effect == "Allow" for r in s.resources]
        allowed = visible.filter(queryset.resource_q(patterns) | queryset.granted_q(actor, action))
    else:
        return queryset.none()
    denied = [r for s in matching if s.effect == "Deny" for r in s.resources]
    if denied and knows_resources:
        allowed = allowed.exclude(queryset.resource_q(denied))
    return allowed
