"""The tag API's bodies: v1 `tag`/`image_tag`, v2 `tag`, `tags` and `action`, and the selection by tags
(`list_image_by_tags`). Tags are checked by the product's tag rules (core.text through the tag service), so
every refusal keeps its code and message."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import text
from core.errors import invalid
from images.api.inputs.common import Checked, CheckedChoice, CheckedList, given
from images.services import tags
from images.services.tags import MAX_FILTER_KEYS, MAX_LIMIT, TagFilter


class TagIn(serializers.Serializer):
    key = serializers.CharField(help_text="1 to 36 letters, digits, Chinese characters, '_', '.' or '-'.")
    value = serializers.CharField(required=False, help_text="Up to 43 of the same characters; empty by default.")


@extend_schema_field(TagIn)
class CheckedTag(Checked, serializers.JSONField):
    """One {key, value} object, checked by the tag rules."""


def tag_list(**kwargs) -> serializers.Field:
    return CheckedList(tags.tag_pairs, child=TagIn(), **kwargs)


class LegacyTagBody(serializers.Serializer):
    """PUT /v1/cloudimages/tags: one tag, as the legacy "key.value" string or as an {key, value} object."""

    image_id = serializers.CharField()
    tag = serializers.CharField(required=False, help_text='"key.value" (the value may contain dots).')
    image_tag = TagIn(required=False)

    def to_internal_value(self, data):
        # The tag is checked before the image id, as the API always answered.
        if data.get("image_tag") is not None:
            pairs = tags.tag_pairs([data["image_tag"]], "image_tag")
        else:
            pairs = tags.legacy_tag(data.get("tag"))
        if not data.get("image_id"):
            raise invalid("image_id", _("is required."))
        return {"image_id": data["image_id"], "tags": pairs}


class TagsBody(serializers.Serializer):
    """DELETE /v1/{project_id}/cloudimages/{image_id}/tags/delete: the keys to remove (values are ignored)."""

    tags = tag_list(required=True)


class AddTagBody(serializers.Serializer):
    """POST /v2/{project_id}/images/{image_id}/tags: add one tag, or overwrite its value."""

    tag = CheckedTag(lambda tag: tags.tag_pairs([tag], "tag"), required=True)

    def validate(self, attrs):
        return {"tags": attrs["tag"]}


class TagActionBody(serializers.Serializer):
    """POST /v2/{project_id}/images/{image_id}/tags/action."""

    # The service refuses an unknown action itself, after the tags were checked.
    action = CheckedChoice(given, choices=["create", "delete"], required=True, help_text="Case-sensitive.")
    tags = tag_list()

    def to_internal_value(self, data):
        pairs = tags.tag_pairs(data.get("tags") or [])
        return {"action": data.get("action"), "tags": pairs}


class TagFilterIn(serializers.Serializer):
    key = serializers.CharField()
    values = serializers.ListField(
        child=serializers.CharField(), required=False, max_length=MAX_FILTER_KEYS, help_text="Empty: any value."
    )


class MatchIn(serializers.Serializer):
    key = serializers.ChoiceField(choices=["resource_name"])
    value = serializers.CharField(help_text="Part of the image name; empty matches every name.")


def tag_filters(data: dict, field: str) -> list[TagFilter]:
    items = data.get(field) or []
    if not isinstance(items, list) or len(items) > MAX_FILTER_KEYS:
        raise invalid(field, _("at most %(n)d {key, values} objects.") % {"n": MAX_FILTER_KEYS})
    return [_tag_filter(item, field) for item in items]


def _tag_filter(item, field: str) -> TagFilter:
    values = item.get("values") or [] if isinstance(item, dict) else None
    if (
        not isinstance(item, dict)
        or not isinstance(item.get("key"), str)
        or not item["key"]
        or not isinstance(values, list)
        or len(values) > MAX_FILTER_KEYS
    ):
        raise invalid(field, _("each filter has a key and at most %(n)d values.") % {"n": MAX_FILTER_KEYS})
    return TagFilter(item["key"], tuple(str(value) for value in values))


def name_matches(data: dict) -> list[str]:
    matches = data.get("matches") or []
    names = []
    for match in matches if isinstance(matches, list) else [None]:
        if (
            not isinstance(match, dict)
            or match.get("key") != "resource_name"
            or not isinstance(match.get("value"), str)
        ):
            raise invalid("matches", _("each match is {key: resource_name, value}."))
        if match["value"]:
            names.append(match["value"])
    return names


FILTER_FIELDS = ("tags", "tags_any", "not_tags", "not_tags_any")


class ListImageByTagsBody(serializers.Serializer):
    """POST /v2/{project_id}/images/resource_instances/action (ListImageByTagsRequestBody)."""

    action = serializers.ChoiceField(
        choices=["filter", "count"], help_text="filter: a page of images; count: how many."
    )
    tags = TagFilterIn(many=True, required=False, help_text="Images with every one of these tags.")
    tags_any = TagFilterIn(many=True, required=False, help_text="Images with at least one of these tags.")
    not_tags = TagFilterIn(many=True, required=False, help_text="Images without all of these tags.")
    not_tags_any = TagFilterIn(many=True, required=False, help_text="Images with none of these tags.")
    without_any_tag = serializers.BooleanField(required=False, help_text="Only untagged images; ignores the filters.")
    matches = MatchIn(many=True, required=False)
    limit = serializers.CharField(required=False, help_text="A whole number as a string (the SDK's type), 1-1000.")
    offset = serializers.CharField(required=False, help_text="A whole number as a string; 0 by default.")

    def to_internal_value(self, data):
        # Checked in the order the API always refused them: filters are ignored (not checked) without tags,
        # the page only for `filter`.
        action = data.get("action")
        if action not in ("filter", "count"):
            raise invalid("action", _("must be filter or count."))
        untagged = data.get("without_any_tag") is True
        parsed = {"action": action, "without_any_tag": untagged}
        if not untagged:
            parsed.update({field: tag_filters(data, field) for field in FILTER_FIELDS})
        parsed["names"] = name_matches(data)
        if action == "filter":
            parsed["limit"] = text.check_int("limit", data.get("limit"), 1, MAX_LIMIT, default=10)
            parsed["offset"] = text.check_int("offset", data.get("offset"), 0, 10**9, default=0)
        return parsed
