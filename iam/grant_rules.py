"""The product's rules about what may be given to a group together (pure checks on the rows at hand).

IMS Administrator works only beside Tenant Administrator in the same scope, and Server Administrator
only beside IMS Administrator in the same project. Granting one without its dependency is refused, and
revoking a dependency another grant still needs is refused. `Grant.clean()` and `iam.grants` both ask here,
so this module reads the rows it is given and imports no model.
"""

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from core.errors import ImsError

if TYPE_CHECKING:
    from iam.models import Grant, Group, Policy, Project

CUSTOM = "custom"  # Policy.Kind.CUSTOM


def covers(outer_project_id, inner_project_id) -> bool:
    """A grant in all projects covers every project; a grant in one project covers only that one."""
    return outer_project_id is None or outer_project_id == inner_project_id


def check_grant(group: "Group", policy: "Policy", project: "Project | None", *, existing=None) -> None:
    """Refuses a grant the product would refuse. `existing`: the group's grants to judge against."""
    if policy.kind == CUSTOM and policy.account_id != group.account_id:
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


def check_revoke(grant: "Grant") -> None:
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
