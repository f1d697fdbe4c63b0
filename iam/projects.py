"""An account's projects beyond each region's default one, under the product's naming rules.

The default project of a region carries the region's id as its name (the official SDK finds its project with
`GET /v3/projects?name=<region>`). The product names a sub-project `<region>_<name>`; Keystone lets an operator
name a project freely. Both are accepted, as long as a name cannot send a client to the wrong region: a name that
is a region's id is that region's default project, and a name starting with `<region>_` lives in that region.

Refusal codes: IAM.0401 name not allowed · IAM.0402 name taken in the account · IAM.0403 name of another region.
"""

import re

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ImsError
from core.text import check_plain_text
from iam.models import Account, Project, Region

PROJECT_NAME = re.compile(r"^[0-9A-Za-z_.-]{1,64}$")
SUB_PROJECT_SEPARATOR = "_"


def project_name_refusal(account: Account, region: Region, name, *, is_default: bool = False, project_pk=None):
    """Why `name` cannot name a project of `account` in `region`, or None."""
    if not isinstance(name, str) or not PROJECT_NAME.match(name):
        return ImsError("IAM.0401", _("A project name has 1 to 64 characters: letters, digits, '-', '.' and '_'."))
    named_region = _region_named_by(name)
    if named_region is not None and named_region != region.id:
        return ImsError(
            "IAM.0403",
            _("The project name %(name)s names region %(named)s, but the project is in %(region)s.")
            % {"name": name, "named": named_region, "region": region.id},
        )
    if name == region.id and not is_default:
        return ImsError(
            "IAM.0403",
            _("%(name)s is the name of the region's default project; name a sub-project %(name)s_<name>.")
            % {"name": name},
        )
    if Project.objects.filter(account=account, name=name).exclude(pk=project_pk).exists():
        return ImsError("IAM.0402", _("The account already has a project named %(name)s.") % {"name": name}, 409)
    return None


def _region_named_by(name: str) -> str | None:
    region_ids = Region.objects.values_list("id", flat=True)
    for region_id in region_ids:
        if name == region_id or name.startswith(region_id + SUB_PROJECT_SEPARATOR):
            return region_id
    return None


@transaction.atomic
def ensure_project(account: Account, region: Region, name: str, *, description: str = "") -> tuple[Project, bool]:
    """The account's project `name` in `region`, created if missing (True when created). The region's default
    project is found by the region's id as well; an existing project of another region is refused."""
    existing = Project.objects.select_related("region").filter(account=account, name=name).first()
    if existing is not None:
        if existing.region_id != region.id:
            raise ImsError(
                "IAM.0403",
                _("The account's project %(name)s is in region %(existing)s, not %(region)s.")
                % {"name": name, "existing": existing.region_id, "region": region.id},
            )
        return existing, False
    if refusal := project_name_refusal(account, region, name):
        raise refusal
    description = check_plain_text("description", description, limit=255)
    return Project.objects.create(account=account, region=region, name=name, description=description), True
