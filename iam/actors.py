"""Who is acting: a user of an account, working in one project (region), with the request's context."""

from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth import get_user_model

from iam.models import Account, Project, Region

SYSTEM_USERNAME = "ims-system"


@dataclass(eq=False)
class Actor:
    user: object
    account: Account
    project: Project
    source_ip: str = ""
    user_agent: str = ""
    request_id: str = ""
    via: str = "console"
    is_system: bool = False
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def region(self) -> Region:
        return self.project.region

    @property
    def username(self) -> str:
        return self.user.username if self.user else SYSTEM_USERNAME

    @cached_property
    def statements(self):
        from iam.authz import effective_statements

        return effective_statements(self.user, self.project)


def request_context(request) -> dict:
    from core.context import client_ip

    return {
        "source_ip": client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:255],
        "request_id": getattr(request, "request_id", ""),
    }


def project_in_region(account: Account, region_id: str | None) -> Project | None:
    """The account's default project of the region (of the first region when none is named)."""
    projects = Project.objects.select_related("region", "account").filter(account=account, is_default=True)
    if region_id:
        return projects.filter(region_id=region_id).first()
    return projects.order_by("region__position").first()


def actor_for_user(user, project: Project, *, via: str, request=None) -> Actor:
    context = request_context(request) if request is not None else {}
    return Actor(user=user, account=project.account, project=project, via=via, **context)


def actor_for_console(request) -> Actor | None:
    membership = getattr(request.user, "iam", None)
    if membership is None:
        return None  # the platform operator without an account uses Django admin only
    project = project_in_region(membership.account, request.session.get("region"))
    if project is None:
        project = project_in_region(membership.account, None)
    if project is None:
        return None
    return actor_for_user(request.user, project, via="console", request=request)


def system_actor(project: Project) -> Actor:
    """Jobs and seeding act as this named actor: authorized for everything, still traced."""
    user, _ = get_user_model().objects.get_or_create(username=SYSTEM_USERNAME, defaults={"is_active": False})
    return Actor(user=user, account=project.account, project=project, via="system", is_system=True)
