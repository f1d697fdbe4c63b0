"""What every console page needs: the regions to switch between and the current one."""

from iam.models import Project


def console(request):
    actor = getattr(request, "actor", None)
    if actor is None:
        return {}
    projects = Project.objects.filter(account=actor.account).select_related("region").order_by("region__position")
    language = getattr(request, "LANGUAGE_CODE", "en")
    return {
        "actor": actor,
        "current_region": actor.region,
        "current_region_name": actor.region.display_name(language),
        "regions": [(p.region_id, p.region.display_name(language)) for p in projects],
    }
