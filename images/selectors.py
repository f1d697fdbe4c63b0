"""Every read of images, jobs, OS versions and quotas, already scoped to what the actor may see."""

import uuid
from dataclasses import dataclass

import orjson
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from core.errors import ImsError
from iam.authz import authorize, is_cloud_admin, scope
from images.choices import ImageStatus, ImageType, SortKey
from images.filtersets import filter_images
from images.models import Image, ImageMember, Job, JobStatus, MarketListing
from images.object_grants import grants_of
from images.public_catalog import OTHER_OS_VERSIONS

LIST_ACTION = "ims:images:list"
GET_ACTION = "ims:images:get"


def image_not_found(image_id) -> ImsError:
    return ImsError("IMG.0002", _("Image %(id)s does not exist.") % {"id": image_id}, 404)


def visible_images(actor, action: str = LIST_ACTION):
    return scope(actor, action, Image.objects.all())


def get_image(actor, image_id, *, action: str = GET_ACTION) -> Image:
    """One image the actor may see; another tenant's image is simply not found."""
    try:
        image_id = uuid.UUID(str(image_id))
    except ValueError:
        raise image_not_found(image_id) from None
    image = visible_images(actor, action).prefetch_related("tags").filter(pk=image_id).first()
    if image is None:
        authorize(actor, action)  # a missing permission reads as 403, not as 404
        raise image_not_found(image_id)
    return image


def get_own_image(actor, image_id) -> Image:
    """An image of the actor's own project: images shared with it, or public ones, cannot be changed by it. A cloud
    administrator also acts on the images held for owners no project has, as Glance's admin acts on any."""
    image = get_image(actor, image_id)
    if image.owner_id != actor.project.id and not (image.external_owner and is_cloud_admin(actor)):
        raise image_not_found(image_id)
    return image


def get_copyable_image(actor, image_id) -> Image:
    """An image the actor may copy within its region: one of its own project, or a market image."""
    image = get_image(actor, image_id)
    if image.owner_id != actor.project.id and image.image_type != ImageType.MARKET:
        raise image_not_found(image_id)
    return image


def get_account_image(actor, image_id) -> Image:
    """An image of any project of the actor's account, whatever the actor's policies: the per-image grants are
    account administration, which only the Django admin offers, to the account's administrators alone."""
    try:
        image = Image.objects.filter(owner__account=actor.account).get(pk=uuid.UUID(str(image_id)))
    except (ValueError, Image.DoesNotExist):
        raise image_not_found(image_id) from None
    return image


@dataclass
class Page:
    items: list
    next_marker: str | None


def parse_limit(raw, *, default: int) -> int:
    if raw in (None, ""):
        return default
    try:
        limit = int(raw)
    except (TypeError, ValueError):
        raise ImsError("IMG.0001", _("limit must be a whole number.")) from None
    if not 1 <= limit <= settings.IMS_API_MAX_LIMIT:
        raise ImsError("IMG.0001", _("limit must be between 1 and %(max)d.") % {"max": settings.IMS_API_MAX_LIMIT})
    return limit


def parse_sort(query) -> tuple[str, str]:
    key = query.get("sort_key") or SortKey.CREATED_AT
    direction = (query.get("sort_dir") or "desc").lower()
    if key not in SortKey.values:
        raise ImsError("IMG.0001", _("sort_key must be one of: %(keys)s.") % {"keys": ", ".join(SortKey.values)})
    if direction not in ("asc", "desc"):
        raise ImsError("IMG.0001", _("sort_dir must be asc or desc."))
    return key, direction


def _after_marker(queryset, marker: str, key: str, direction: str):
    """Keyset pagination: the rows that sort after the marker image, ties broken by id."""
    try:
        marker_id = uuid.UUID(marker)
    except ValueError:
        raise ImsError("IMG.0001", _("marker must be the id of an image in the list.")) from None
    field = "pk" if key == "id" else key
    anchor = queryset.filter(pk=marker_id).values_list(field, flat=True).first()
    if anchor is None:
        raise ImsError("IMG.0001", _("marker %(id)s is not an image of this list.") % {"id": marker})
    beyond = "gt" if direction == "asc" else "lt"
    if field == "pk":
        return queryset.filter(pk__gt=marker_id) if beyond == "gt" else queryset.filter(pk__lt=marker_id)
    return queryset.filter(Q(**{f"{field}__{beyond}": anchor}) | Q(**{field: anchor, f"pk__{beyond}": marker_id}))


def ordered(queryset, key: str, direction: str):
    sign = "" if direction == "asc" else "-"
    fields = ["pk"] if key == "id" else [key, "pk"]
    return queryset.order_by(*(sign + field for field in fields))


def list_images(actor, query, *, default_limit: int = 500) -> Page:
    """A page of the images the actor may list, filtered and sorted as the query asks (marker/limit)."""
    authorize(actor, LIST_ACTION)  # without the permission the API refuses; an empty list would hide why
    limit = parse_limit(query.get("limit"), default=default_limit)
    key, direction = parse_sort(query)
    queryset = filter_images(visible_images(actor), query, actor=actor)
    if query.get("marker"):
        queryset = _after_marker(queryset, query["marker"], key, direction)
    rows = list(ordered(queryset, key, direction).with_tag_texts()[: limit + 1])
    next_marker = str(rows[limit - 1].pk) if len(rows) > limit else None
    page = rows[:limit]
    for image in page:
        image.listed_tags = orjson.loads(image.tag_texts_json)
    return Page(items=page, next_marker=next_marker)


def console_images(actor, query):
    """The console list: the same filters and sorting as the API, paged by the page rather than by marker."""
    authorize(actor, LIST_ACTION)  # refused rather than empty, so the console can say why
    key, direction = parse_sort(query)
    queryset = filter_images(visible_images(actor), query, actor=actor)
    return ordered(queryset, key, direction)


def get_job(actor, job_id: str) -> Job:
    job = Job.objects.visible_to(actor).select_related("image").filter(pk=job_id).first()
    if job is None:
        raise ImsError("IMG.0006", _("Job %(id)s does not exist.") % {"id": job_id}, 404)
    return job


def list_os_versions(actor, tag: str | None = None) -> list[dict]:
    """The OS versions of the actor's region, grouped by platform, as the API's bare array."""
    authorize(actor, LIST_ACTION)
    allowed_tags = {"bms", "uefi", "arm", "x86"}
    if tag and tag not in allowed_tags:
        raise ImsError("IMG.0001", _("tag must be one of: bms, uefi, arm, x86."))
    public = Image.objects.filter(region=actor.region, image_type=ImageType.GOLD).exclude(status=ImageStatus.DELETED)
    if tag in ("arm", "x86"):
        public = public.filter(architecture=tag)
    elif tag == "uefi":
        public = public.filter(hw_firmware_type="uefi")
    elif tag == "bms":
        public = public.filter(virtual_env_type="Ironic") | public.filter(support_flags__bare_metal=True)
    rows = (
        public.order_by("platform", "os_version").values_list("platform", "os_version", "os_bit", "os_type").distinct()
    )
    versions = [dict(platform=p, os_version_key=v, os_version=v, os_bit=b, os_type=t) for p, v, b, t in rows]
    if not tag:
        versions += [
            dict(
                platform="Other",
                os_version_key=o.os_version,
                os_version=o.os_version,
                os_bit=o.os_bit,
                os_type=o.os_type,
            )
            for o in OTHER_OS_VERSIONS
        ]
    grouped: dict[str, list] = {}
    for version in versions:
        grouped.setdefault(version["platform"], []).append(version)
    return [{"platform": platform, "version_list": items} for platform, items in grouped.items()]


@dataclass
class QuotaUsage:
    type: str
    used: int
    quota: int
    min: int
    max: int


def private_images_used(project) -> int:
    """What counts against the project's private image quota: every private image but deleted and killed ones
    (the quota API shows it, the import services check it)."""
    return (
        Image.objects.filter(owner=project, image_type=ImageType.PRIVATE)
        .exclude(status__in=[ImageStatus.DELETED, ImageStatus.KILLED])
        .count()
    )


def show_image_quota(actor) -> list[QuotaUsage]:
    authorize(actor, "ims:quotas:get")
    used_images = private_images_used(actor.project)
    running = Job.objects.filter(project=actor.project, status__in=[JobStatus.INIT, JobStatus.RUNNING]).count()
    return [
        QuotaUsage("image", used_images, settings.IMS_PRIVATE_IMAGE_QUOTA, 1, 10000),
        QuotaUsage("task", running, settings.IMS_PARALLEL_TASK_QUOTA, 1, 1000),
    ]


def image_grants_of(user) -> list[tuple[Image, list[str]]]:
    """The user's per-image grants as (image, [actions]), images of the user's own account only (the "My account"
    page lists them)."""
    membership = getattr(user, "iam", None)
    if membership is None:
        return []
    by_image = grants_of(user)
    images = Image.objects.filter(pk__in=by_image, owner__account=membership.account).select_related("region")
    return [(image, sorted(by_image[image.pk])) for image in images.order_by("name")]


def market_listings_of(images) -> dict:
    """The market listing of each of `images` (a page of the Market tab), by image id, in one query."""
    return {listing.image_id: listing for listing in MarketListing.objects.filter(image__in=[i.pk for i in images])}


def market_choices(actor) -> dict:
    """What the Market tab's vendor and OS filters offer: the vendors and OS versions listed in the actor's region."""
    listed = visible_images(actor).filter(image_type=ImageType.MARKET, market_listing__listed=True)
    pairs = set(listed.values_list("market_listing__vendor", "os_version"))
    return {
        "vendors": sorted({vendor for vendor, _os in pairs}),
        "os_versions": sorted({os_version for _vendor, os_version in pairs if os_version}),
    }


def get_market_image(actor, image_id) -> Image:
    """A market image of the actor's region; any other image is not found."""
    image = get_image(actor, image_id)
    if image.image_type != ImageType.MARKET:
        raise image_not_found(image_id)
    return image


def member_statuses(actor, images) -> dict:
    """The actor's project's answer (pending, accepted) to each of `images` shared with it, by image id."""
    return dict(
        ImageMember.objects.filter(project=actor.project, image__in=[image.pk for image in images]).values_list(
            "image_id", "status"
        )
    )
