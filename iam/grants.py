"""Giving policies and roles to groups under the rules of `iam.grant_rules`; a grant that has lost its
dependency anyway (rows written by hand) gives nothing: `effective_grants` leaves it out."""

from django.db import transaction

from iam.grant_rules import check_grant, check_revoke, covers
from iam.models import Grant, Group, Policy, Project


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
