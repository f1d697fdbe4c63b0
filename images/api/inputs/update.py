"""The bodies of image modification and deletion: the IMS JSON-patch, Glance's two JSON-patch media types, and
Glance's delete options.

The patch is reduced to `Change`s here; the service applies the product's rules to each change (which
attributes, which values). Values stay as the client sent them: the SDK types them as strings.
"""

from django.utils.translation import gettext as _
from rest_framework import serializers

from core.errors import invalid
from images.services.update import Change

PATCH_V21 = "application/openstack-images-v2.1-json-patch"
PATCH_V20 = "application/openstack-images-v2.0-json-patch"
OPS = ("add", "replace", "remove")
# Wire names that are aliases of an attribute's official name.
ALIASES = {"description": "__description", "os_version": "__os_version"}


class PatchOperation(serializers.Serializer):
    """One change of the IMS patch and of Glance's v2.1 patch (RFC 6902 style)."""

    op = serializers.ChoiceField(choices=OPS)
    path = serializers.CharField(help_text="/<attribute>, for example /name or /__os_version.")
    value = serializers.JSONField(required=False, help_text="The new value; absent for remove.")


class PatchOperationV20(serializers.Serializer):
    """One change of Glance's older v2.0 patch: the operation's name holds the path."""

    add = serializers.CharField(required=False)
    replace = serializers.CharField(required=False)
    remove = serializers.CharField(required=False)
    value = serializers.JSONField(required=False)


def parse_patch(body, *, style: str = "2.1") -> list[Change]:
    """The JSON-patch array as changes: `{op, path, value}`, or the older Glance `{"replace": "/name", "value"}`."""
    if not isinstance(body, list) or not body:
        raise invalid("body", _("must be a non-empty JSON array of changes."))
    return [_change(item, style) for item in body]


def _change(item, style: str) -> Change:
    if not isinstance(item, dict):
        raise invalid("body", _("each change must be a JSON object."))
    if style == "2.0":
        ops = [op for op in OPS if op in item]
        if len(ops) != 1:
            raise invalid("body", _("each change names exactly one of add, replace or remove."))
        op, path = ops[0], item[ops[0]]
    else:
        op, path = item.get("op"), item.get("path")
        if op not in OPS:
            raise invalid("op", _("must be add, replace or remove."))
    if not isinstance(path, str) or not path.startswith("/") or len(path) < 2:
        raise invalid("path", _("must name one attribute, as /name."))
    attribute = path[1:]
    return Change(op, ALIASES.get(attribute, attribute), item.get("value"))


class GlanceDeleteBody(serializers.Serializer):
    """DELETE /v2/images/{image_id}: an optional body."""

    delete_backup = serializers.BooleanField(
        required=False, help_text="Delete the CBR backup the image was made from too; false by default."
    )


def delete_options(data) -> dict:
    """The options of a Glance delete; no body means the defaults, a null or a string is refused."""
    body = data or {}
    backup = body.get("delete_backup", False) if isinstance(body, dict) else None
    if not isinstance(backup, bool):
        raise invalid("delete_backup", _("must be true or false."))
    return {"delete_backup": backup}
