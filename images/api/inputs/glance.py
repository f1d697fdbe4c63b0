"""The bodies and queries of Glance's image calls: create (`POST /v2/images`) and the list's `sort`.

Every field is checked by the check the other faces share; names the schema does not know are Glance's extra
properties (strings), and the reserved or read-only names are refused with 403 as Glance refuses them.
"""

from django.utils.translation import gettext as _
from rest_framework import serializers

from core import text
from core.errors import ImsError, invalid
from images import validation
from images.api.inputs.common import CheckedBoolean, CheckedChar, CheckedChoice, CheckedInteger, CheckedList
from images.choices import Visibility
from images.glance_properties import check_extra_properties, check_settable
from images.services.imports import GLANCE_CONTAINER_FORMATS, GLANCE_DISK_FORMATS


def _name(value) -> str:
    """Glance's name is optional; when given it follows the product's naming rule."""
    return "" if value is None else text.check_name(value)


def _visibility(value) -> str:
    return text.check_choice("visibility", value, set(Visibility.values), default=Visibility.PRIVATE)


class GlanceCreateImageInput(serializers.Serializer):
    """POST /v2/images: a queued image waiting for its file."""

    name = CheckedChar(check=_name, allow_null=True, help_text="Optional: 1 to 128 characters.")
    visibility = CheckedChoice(
        check=_visibility,
        choices=Visibility.values,
        help_text="private (default) or shared: the owner's; public or community: a cloud administrator's.",
    )
    disk_format = CheckedChoice(
        check=lambda value: text.check_choice("disk_format", value, GLANCE_DISK_FORMATS, default="vhd"),
        choices=sorted(GLANCE_DISK_FORMATS),
    )
    container_format = CheckedChoice(
        check=lambda value: text.check_choice("container_format", value, GLANCE_CONTAINER_FORMATS, default="bare"),
        choices=sorted(GLANCE_CONTAINER_FORMATS),
    )
    tags = CheckedList(check=text.check_glance_tags, child=serializers.CharField())
    min_disk = CheckedInteger(check=lambda value: text.check_int("min_disk", value, 0, 1024, default=0))
    min_ram = CheckedInteger(check=lambda value: text.check_int("min_ram", value, 0, 1024 * 1024, default=0))
    protected = CheckedBoolean(check=lambda value: validation.check_bool("protected", value))
    os_hidden = CheckedBoolean(check=lambda value: validation.check_bool("os_hidden", value))
    owner = CheckedChar(
        check=lambda value: value, allow_null=True, help_text="A cloud administrator's: the owning project's id."
    )

    @staticmethod
    def not_an_object() -> ImsError:
        return invalid("body", _("must be a JSON object."))

    def get_fields(self):
        fields = super().get_fields()
        # Glance's name for it cannot be a class attribute: Python would mangle the leading underscores.
        fields["__os_version"] = CheckedChar(
            check=lambda value: value or "Other Linux(64 bit)", source="os_version", help_text="The OS version."
        )
        return fields

    def validate(self, attrs):
        known = set(self.fields)
        for name in self.initial_data:
            check_settable(name)
        # A null extra property is how some clients say "not set": nothing to store.
        extra = {name: value for name, value in self.initial_data.items() if name not in known and value is not None}
        attrs["extra_properties"] = check_extra_properties(extra)
        if attrs.get("owner") is None:
            attrs.pop("owner", None)
        return attrs


# Glance's `sort=key[:dir],…` as the selectors' sort_key/sort_dir (the first key decides; ties go by id).
SORT_DIRECTIONS = ("asc", "desc")
MEMBER_STATUSES = ("accepted", "pending", "rejected", "all")


def glance_list_query(query):
    """The list query as the selectors read it: Glance's `sort` translated, and Glance's default member status
    (images shared with the caller are listed once accepted; `member_status=all` lists every answer)."""
    query = query.copy()
    # Glance's member_status leaves the caller's own and public images in the list (the IMS filter does not).
    member_status = query.pop("member_status", ["accepted"])
    member_status = member_status[-1] if isinstance(member_status, list) else member_status
    if member_status not in MEMBER_STATUSES:
        raise invalid("member_status", _("must be one of: %(values)s.") % {"values": ", ".join(MEMBER_STATUSES)})
    if member_status != "all":
        query["shared_member_status"] = member_status
    if "sort" not in query:
        return query
    first = query.pop("sort")[-1].split(",")[0].strip()
    key, _sep, direction = first.partition(":")
    if direction and direction not in SORT_DIRECTIONS:
        raise invalid("sort", _("the direction after ':' must be asc or desc."))
    query["sort_key"] = key
    query["sort_dir"] = direction or "desc"
    return query
