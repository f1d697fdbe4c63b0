"""Glance's `owner`, which a cloud administrator may set on create and patch, and which Glance stores as any id.

Here an image always belongs to a project of its region (quotas, lists and grants hang on it). An owner id that is
a project of the region moves the image there. Any other id (Tempest names random ones) puts the image in the
region's holding project of the platform (iam/holding.py) and records the id in `Image.external_owner`, which
Glance then shows as the owner: the former project loses the image as it would in Glance, and only cloud
administrators reach it (`ImageQuerySet.visible_to`) until it is given to a real project again.
"""

import dataclasses

from django.utils.translation import gettext as _

from core.errors import invalid
from core.text import check_plain_text
from iam.actors import Actor
from iam.holding import holding_project, is_holding_project
from iam.models import Project
from images.glance_properties import owner_refusal, visibility_refusal

__all__ = ["Ownership", "glance_owner", "quota_actor"]

OWNER_LIMIT = 255  # Glance's limit for `owner`


@dataclasses.dataclass(frozen=True)
class Ownership:
    project: Project
    external_owner: str = ""


def glance_owner(actor: Actor, visibility: str, owner) -> Ownership:
    """Who a Glance create or patch makes the owner: the actor's project, or the one a cloud administrator names
    (a project of the region, else the holding project for the id given)."""
    for refusal in (visibility_refusal(actor, visibility), owner_refusal(actor) if owner else None):
        if refusal is not None:
            raise refusal
    if not owner or owner == actor.project.id:
        return Ownership(actor.project)
    owner = check_plain_text("owner", owner, limit=OWNER_LIMIT)
    region = actor.project.region
    project = Project.objects.select_related("account", "region").filter(pk=owner, region=region).first()
    if project is None:
        return Ownership(holding_project(region), owner)
    if is_holding_project(project):
        # Its images are reached through the ids they are held for; held for none, nobody would find this one.
        raise invalid("owner", _("%(id)s is the region's holding project; name the owner's own id.") % {"id": owner})
    return Ownership(project)


def quota_actor(actor: Actor, project: Project) -> Actor:
    """The actor as seen by the quota checks of `project`: an image counts against the project that holds it."""
    if project.pk == actor.project.pk:
        return actor
    return dataclasses.replace(actor, project=project, _cache={})
