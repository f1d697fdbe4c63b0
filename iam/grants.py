"""Giving policies and roles to groups, with the product's rules about what may be given together.

IMS Administrator works only beside Tenant Administrator in the same scope, and Server Administrator
only beside IMS Administrator in the same project. Granting one without its dependency is refused,
revoking a dependency another grant still needs is refused, and a grant that has lost its dependency
anyway (rows written by hand) gives nothing: `effective_grants` leaves it out.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ImsError
from iam.models import Grant, Group, Policy, Project


def covers(outer_project_id, inner_project_id) -> bool:
    """A grant in all projects covers every project; a grant in one project covers only that one."""
    return outer_project_id is None or outer_project_id == inner_project_id


def check_grant(group: Group, policy: Policy, project: Project | None, *, existing=None) -> None:
    """Refuses a grant the product would refuse. `existing`: the group's grants to judge against."""
    if policy.kind == Policy.Kind.CUSTOM and policy.account_id != group.account_id:
        raise ImsError("IAM.0201", _("The custom policy %(policy)s belongs to another account.") % {"policy": policy})
    if project is not None and project.account_id != group.account_id:
        raise ImsError("IAM.0202", _("The project %(project)s belongs to another account.") % {"project": project.pk})
    held = existing if existing is not None else list(group.grants.select_related("policy"))
    for dependency in policy.depends_on.all():
        if not any(g.policy_id == dependency.pk and covers(g.project_id, getattr(project, "pk", None)) for g in held):
            raise ImsError(
                "IAM.0203",
                _(
                    "%(policy)s needs %(dependency)s granted to the group %(group)s in the same scope "
                    "(%(scope)s); grant %(dependency)s first."
                )
                % {
                    "policy": policy.name,
                    "dependency": dependency.name,
                    "group": group.name,
                    "scope": project.region_id if project is not None else _("all projects"),
                },
            )


def check_revoke(grant: Grant) -> None:
    """Refuses to take away a role another grant of the same group depends on."""
    others = list(grant.group.grants.select_related("policy").exclude(pk=grant.pk))
    for other in others:
        if other.policy.depends_on.filter(pk=grant.policy_id).exists() and covers(grant.project_id, other.project_id):
            still_covered = any(
                g.policy_id == grant.policy_id and covers(g.project_id, other.project_id) for g in others
            )
            if not still_covered:
                raise ImsError(
                    "IAM.0204",
                    _("%(dependent)s of the group %(group)s needs %(policy)s; revoke %(dependent)s first.")
                    % {"dependent": other.policy.name, "group": grant.group.name, "policy": grant.policy.name},
                )


@transaction.atomic
def grant_policy(group: Group, policy: Policy, project: Project | None = None) -> Grant:
    Group.objects.select_for_update().filter(pk=group.pk).first()  # one grant change per group at a time
    existing = Grant.objects.filter(group=group, policy=policy, project=project).first()
    if existing is not None:
        return existing
    check_grant(group, policy, project)
    return Grant.objects.create(group=group, policy=policy, project=project)


@transaction.atomic
def revoke_grant(grant: Grant) -> None:
    Group.objects.select_for_update().filter(pk=grant.group_id).first()
    check_revoke(grant)
    grant.delete()


def dependency_map(policy_ids) -> dict[int, set[int]]:
    """For each policy, the ids of the policies it depends on (one query)."""
    through = Policy.depends_on.through.objects.filter(from_policy_id__in=set(policy_ids))
    dependencies: dict[int, set[int]] = {}
    for policy_id, dependency_id in through.values_list("from_policy_id", "to_policy_id"):
        dependencies.setdefault(policy_id, set()).add(dependency_id)
    return dependencies


def effective_grants(grants: list, project_id: str, dependencies: dict[int, set[int]]) -> list:
    """Of a user's grants applying in `project_id`, those whose dependencies are met there, transitively.
    `grants`: anything with `policy_id` and `project_id`."""
    effective = [g for g in grants if covers(g.project_id, project_id)]
    while True:
        held = {g.policy_id for g in effective}
        kept = [g for g in effective if dependencies.get(g.policy_id, set()) <= held]
        if len(kept) == len(effective):
            return kept
        effective = kept
