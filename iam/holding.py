"""Each region's holding project: where an image waits whose owner a cloud administrator named by an id that no
project of the region has (Glance stores any owner id; here an image always belongs to a project, since quotas,
lists and grants hang on one).

The holding project belongs to the platform operator's account, never to a tenant's, is named
`<region>_unassigned`, and is made on first need (with the platform account, if there is none yet). Its images
count against its quotas, which are those of every project (`IMS_PRIVATE_IMAGE_QUOTA`,
`IMS_PARALLEL_TASK_QUOTA`). Refusal code: IAM.0404 the platform account's name is taken by a tenant.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import ImsError
from iam.models import Account, Project, Region
from iam.projects import SUB_PROJECT_SEPARATOR, ensure_project
from iam.seeding import PLATFORM_ACCOUNT, ensure_account

HOLDING_NAME = "unassigned"
HOLDING_DESCRIPTION = "Images whose owner, named by a cloud administrator, is no project of this region."


def platform_account() -> Account:
    """The platform operator's account, made on first need."""
    account = Account.objects.filter(is_platform=True).order_by("created_at").first()
    if account is None:
        account = ensure_account(PLATFORM_ACCOUNT, is_platform=True)
    if not account.is_platform:  # a tenant took the name: its projects must never hold other tenants' images
        raise ImsError(
            "IAM.0404",
            _("The account %(name)s is a tenant's, not the platform's: images cannot be held for unknown owners.")
            % {"name": PLATFORM_ACCOUNT},
            409,
        )
    return account


def holding_project_name(region: Region) -> str:
    return f"{region.id}{SUB_PROJECT_SEPARATOR}{HOLDING_NAME}"


def holding_project(region: Region) -> Project:
    """The region's holding project, made on first need; two requests making it at once get the same one."""
    account = platform_account()
    name = holding_project_name(region)
    try:
        with transaction.atomic():  # a savepoint: on PostgreSQL a failed insert would end the caller's transaction
            project, _created = ensure_project(account, region, name, description=HOLDING_DESCRIPTION)
    except IntegrityError:  # made by a concurrent request a moment ago
        project = Project.objects.get(account=account, name=name)
    return project


def is_holding_project(project: Project) -> bool:
    return project.account.is_platform and project.name == holding_project_name(project.region)
