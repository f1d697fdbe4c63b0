"""The one authorization engine. Every service asks `authorize()`/`can()`; every read starts from `scope()`.

Explicit Deny wins over any Allow. Grants apply in one project or in all of the account's projects.
"""
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from console.errors import ImsError
from iam.models import Grant, Project
from iam.policies import Statement, statements_of


class PermissionDenied(ImsError):
    status = 403

    def __init__(self, action: str):
        super().__init__("IMG.0003", _("You do not have permission to perform %(action)s.") % {"action": action})
        self.action = action


def effective_statements(user, project: Project) -> tuple[Statement, ...]:
    if user is None or not user.is_active:
        return ()
    grants = (
        Grant.objects.filter(group__users=user, group__account_id=project.account_id)
        .filter(Q(project=project) | Q(project__isnull=True))
        .select_related("policy")
    )
    return tuple(statement for grant in grants for statement in statements_of(grant.policy.document))


def resource_urn(obj) -> str | None:
    urn = getattr(obj, "urn", None)
    return urn() if callable(urn) else urn


def can(actor, action: str, obj=None) -> bool:
    if actor.is_system:
        return True
    urn = resource_urn(obj) if obj is not None else None
    matching = [s for s in actor.statements if s.matches(action, urn)]
    if any(s.effect == "Deny" for s in matching):
        return False
    return any(s.effect == "Allow" for s in matching)


def authorize(actor, action: str, obj=None) -> None:
    if not can(actor, action, obj):
        raise PermissionDenied(action)


def authorize_all(actor, actions, obj=None) -> None:
    for action in actions:
        authorize(actor, action, obj)


def scope(actor, action: str, queryset: QuerySet) -> QuerySet:
    """What the actor may see of `queryset`; objects of other tenants simply are not there."""
    if not can(actor, action):
        return queryset.none()
    return queryset.visible_to(actor)
