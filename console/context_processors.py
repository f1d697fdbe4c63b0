"""What every console page needs: the regions to switch between and the current one; and what a page of one app
shows of another app above it (the shell may read every app)."""

from django.utils.functional import SimpleLazyObject

from iam.authz import can
from iam.models import Project
from images.selectors import image_grants_of


def console(request):
    actor = getattr(request, "actor", None)
    if actor is None:
        return {}
    # One entry per region: its default project (an account's other projects are reached by their IDs).
    projects = (
        Project.objects.filter(account=actor.account, is_default=True)
        .select_related("region")
        .order_by("region__position")
    )
    language = getattr(request, "LANGUAGE_CODE", "en")
    return {
        "actor": actor,
        "current_region": actor.region,
        "current_region_name": actor.region.display_name(language),
        "regions": [(p.region_id, p.region.display_name(language)) for p in projects],
        # What the shell offers only to those who may use it (the pages themselves still refuse the others).
        "may_use_obs": can(actor, "obs:buckets:list"),
        "may_create_image": can(actor, "ims:serverImages:create") or can(actor, "ims:dataImages:create"),
    }


def account_sections(request):
    """The "My account" page (iam) lists the user's per-image grants (images) through this: read only by the
    templates that show them (`images/_my_image_grants.html`), so other pages pay nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"my_image_grants": SimpleLazyObject(lambda: image_grants_of(user))}
