"""Image tags: every tag operation of the catalogue, on the IMS v1 and v2 paths and Glance's.

A tag is a key with a value (Glance's tags are keys with an empty value); an image has at most 10. The API's
input serializers (images/api/inputs/tags.py) parse the bodies; `tag_pairs` and `legacy_tag` are the tag rules
they and the console share.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from core import text
from core.errors import ImsError, invalid
from iam.actors import Actor
from iam.operations import operation
from images.choices import ImageStatus
from images.filtersets import filter_images
from images.models import Image, ImageTag
from images.selectors import LIST_ACTION, get_image, get_own_image, visible_images

MAX_FILTER_KEYS = 10
MAX_LIMIT = 1000
TAG_LIST_FILTERS = (
    "__imagetype",
    "id",
    "status",
    "name",
    "min_disk",
    "__platform",
    "__os_type",
    "member_status",
    "virtual_env_type",
    "enterprise_project_id",
    "architecture",
    "created_at",
    "updated_at",
)


def tag_pairs(items, field: str = "tags") -> dict[str, str]:
    """[{key, value}] checked by the product's tag rules, as {key: value}."""
    if not isinstance(items, list):
        raise invalid(field, _("must be a list of {key, value} objects."))
    return text.check_tags(image_tags=items) if items else {}


def legacy_tag(tag) -> dict[str, str]:
    """The v1 `tag` string "key.value" (the value may itself contain dots)."""
    if not isinstance(tag, str) or not tag:
        raise invalid("tag", _("must be a string key.value."))
    return text.check_tags(tags=[tag])


def _set(image: Image, pairs: dict[str, str]) -> None:
    existing = set(image.tags.values_list("key", flat=True))
    if len(existing | set(pairs)) > text.MAX_TAGS:
        raise ImsError("IMG.0001", _("An image has at most %(n)d tags; delete some first.") % {"n": text.MAX_TAGS})
    for key, value in pairs.items():
        ImageTag.objects.update_or_create(image=image, key=key, defaults={"value": value})
    image.save(update_fields=["updated_at"])


def _remove(image: Image, keys, *, missing_ok: bool = True) -> None:
    deleted, _rows = ImageTag.objects.filter(image=image, key__in=list(keys)).delete()
    if not deleted and not missing_ok:
        raise ImsError("IMG.0404", _("The image has no tag %(key)s.") % {"key": ", ".join(keys)}, 404)
    image.save(update_fields=["updated_at"])


def _tags_summary(kwargs) -> dict:
    return {key: kwargs[key] for key in ("tags", "key", "tag", "action") if key in kwargs}


@operation("create_or_update_tags", summary=_tags_summary, find=get_own_image)
def create_or_update_tags(actor, *, image: Image, tags: dict[str, str]) -> Image:
    _set(image, tags)
    return image


@operation("add_image_tag", summary=_tags_summary, find=get_own_image)
def add_image_tag(actor, *, image: Image, tags: dict[str, str]) -> Image:
    _set(image, tags)
    return image


@operation("batch_add_or_delete_tags", summary=_tags_summary, find=get_own_image)
def batch_add_or_delete_tags(actor, *, image: Image, action: str, tags: dict[str, str]) -> Image:
    if action not in ("create", "delete"):
        raise invalid("action", _("must be create or delete."))
    if not tags:
        raise invalid("tags", _("give at least one tag."))
    if action == "create":
        _set(image, tags)
    else:
        _remove(image, tags)
    return image


@operation("batch_delete_tags", summary=_tags_summary, find=get_own_image)
def batch_delete_tags(actor, *, image: Image, tags: dict[str, str]) -> Image:
    if not tags:
        raise invalid("tags", _("give at least one tag."))
    _remove(image, tags)
    return image


@operation("delete_image_tag", summary=_tags_summary, find=get_own_image)
def delete_image_tag(actor, *, image: Image, key: str) -> Image:
    _remove(image, [key], missing_ok=False)
    return image


@operation("glance_create_tag", summary=_tags_summary, find=get_own_image)
def glance_create_tag(actor, *, image: Image, tag: str) -> Image:
    text.check_glance_tag(tag)
    if not image.tags.filter(key=tag).exists():
        _set(image, {tag: ""})
    return image


@operation("glance_delete_tag", summary=_tags_summary, find=get_own_image)
def glance_delete_tag(actor, *, image: Image, tag: str) -> Image:
    _remove(image, [tag], missing_ok=False)
    return image


# Reads: the tags of one image, of the project's images, and the project's images selected by tags.


def own_images(actor):
    return visible_images(actor).filter(owner=actor.project).exclude(status=ImageStatus.DELETED)


def _listed_image(actor, image_id) -> Image:
    return get_image(actor, image_id, action=LIST_ACTION)


@operation("list_image_tags", find=_listed_image)
def list_image_tags(actor, *, image: Image) -> list[dict]:
    return [{"key": tag.key, "value": tag.value} for tag in image.tags.all()]


@operation("list_tags")
def list_tags(actor, *, query) -> list[str]:
    """The distinct "key.value" tags of the project's images that match the query, a page at a time."""
    filters = {name: query.get(name) for name in TAG_LIST_FILTERS if query.get(name) not in (None, "")}
    images = filter_images(own_images(actor), filters, actor=actor)
    pairs = ImageTag.objects.filter(image__in=images).order_by("key", "value").values_list("key", "value").distinct()
    tags = [f"{key}.{value}" for key, value in pairs]
    limit = text.check_int("limit", query.get("limit"), 1, MAX_LIMIT, default=MAX_LIMIT)
    page = text.check_int("page", query.get("page"), 1, 1_000_000, default=1)
    return tags[(page - 1) * limit : page * limit]


@operation("list_images_tags")
def list_images_tags(actor) -> list[dict]:
    grouped: dict[str, list[str]] = {}
    pairs = ImageTag.objects.filter(image__in=own_images(actor)).order_by("key", "value").values_list("key", "value")
    for key, value in pairs.distinct():
        grouped.setdefault(key, []).append(value)
    return [{"key": key, "values": values} for key, values in grouped.items()]


@dataclass(frozen=True)
class TagFilter:
    """Images with tag `key`, of one of `values` (any value when there are none)."""

    key: str
    values: tuple[str, ...] = ()


@dataclass
class TagSelection:
    """A page of the selected images (None when only counted) and how many are selected."""

    page: list[Image] | None
    total_count: int


def _has(condition: TagFilter) -> Exists:
    tags = ImageTag.objects.filter(image=OuterRef("pk"), key=condition.key)
    return Exists(tags.filter(value__in=condition.values) if condition.values else tags)


def _all(conditions) -> Q:
    query = Q()
    for condition in conditions:
        query &= Q(_has(condition))
    return query


def _any(conditions) -> Q:
    query = Q()
    for condition in conditions:
        query |= Q(_has(condition))
    return query


def _selected(actor, *, tags, tags_any, not_tags, not_tags_any, without_any_tag: bool, names):
    images = own_images(actor)
    if without_any_tag:
        images = images.exclude(Exists(ImageTag.objects.filter(image=OuterRef("pk"))))
    else:
        if tags:
            images = images.filter(_all(tags))
        if tags_any:
            images = images.filter(_any(tags_any))
        if not_tags:
            images = images.exclude(_all(not_tags))
        if not_tags_any:
            images = images.exclude(_any(not_tags_any))
    for name in names:
        images = images.filter(name__icontains=name)
    return images


@operation("list_image_by_tags", summary=lambda kwargs: {"action": kwargs.get("action")})
def list_image_by_tags(
    actor: Actor,
    *,
    action: str,
    tags: list[TagFilter] = (),
    tags_any: list[TagFilter] = (),
    not_tags: list[TagFilter] = (),
    not_tags_any: list[TagFilter] = (),
    without_any_tag: bool = False,
    names: list[str] = (),
    limit: int = 10,
    offset: int = 0,
) -> TagSelection:
    """The project's images selected by tags (`without_any_tag`: untagged ones, the tag filters ignored) and by
    parts of their names: `filter` answers a page of them, `count` only how many."""
    images = _selected(
        actor,
        tags=tags,
        tags_any=tags_any,
        not_tags=not_tags,
        not_tags_any=not_tags_any,
        without_any_tag=without_any_tag,
        names=names,
    )
    if action == "count":
        return TagSelection(None, images.count())
    page = images.order_by("-created_at", "-pk").prefetch_related("tags")[offset : offset + limit]
    return TagSelection(list(page), images.count())
