"""Shared text and value checks, each raising ImsError IMG.0001 naming the field.

Every face (IMS, Glance, console, admin) refuses the same input the same way because they all call these.
"""

import re

from django.utils.translation import gettext as _

from core.errors import invalid

NAME_PATTERN = re.compile(r"^[0-9A-Za-z\u4e00-\u9fa5 ._-]{1,128}$")
# Line breaks, tabs and every other control character (C0, DEL, C1), the bidirectional overrides and isolates
# that make "invoice\u202egpj.exe" read as "invoiceexe.jpg", and the characters that open markup.
HIDDEN_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
DESCRIPTION_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069<>]")
TAG_KEY_PATTERN = re.compile(r"^[0-9A-Za-z\u4e00-\u9fa5_.-]{1,36}$")
TAG_VALUE_PATTERN = re.compile(r"^[0-9A-Za-z\u4e00-\u9fa5_.-]{0,43}$")
CONTROL_CHARACTERS = HIDDEN_CHARACTERS
MAX_TAGS = 10


def check_name(name) -> str:
    if not isinstance(name, str) or not NAME_PATTERN.match(name) or name != name.strip():
        raise invalid(
            "name",
            _(
                "1 to 128 characters: letters, digits, Chinese characters, spaces, '-', '.' and "
                "'_', not starting or ending with a space."
            ),
        )
    return name


def check_description(description) -> str:
    if description in (None, ""):
        return ""
    if not isinstance(description, str) or len(description) > 1024 or DESCRIPTION_FORBIDDEN.search(description):
        raise invalid(
            "description",
            _("at most 1024 characters, without line breaks, control characters, direction overrides, '<' or '>'."),
        )
    return description


def check_plain_text(field: str, value, *, limit: int) -> str:
    """Free text where markup is harmless (it is escaped) but hidden characters are not: no line breaks, control
    characters (NUL, which PostgreSQL refuses, among them) or direction overrides; at most `limit` characters."""
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or len(value) > limit or HIDDEN_CHARACTERS.search(value):
        raise invalid(
            field,
            _("at most %(n)d characters, without line breaks, control characters or direction overrides.")
            % {"n": limit},
        )
    return value


def check_int(field: str, value, low: int, high: int, *, default=None) -> int:
    if value in (None, "") and default is not None:
        return default
    if isinstance(value, bool):
        raise invalid(field, _("must be a whole number."))
    if isinstance(value, float) and not value.is_integer():
        # int() would cut 40.7 to 40 (and fail on inf): a value the client did not send is never stored.
        raise invalid(field, _("must be a whole number."))
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise invalid(field, _("must be a whole number.")) from None
    if not low <= number <= high:
        raise invalid(field, _("must be between %(low)d and %(high)d.") % {"low": low, "high": high})
    return number


def check_choice(field: str, value, allowed, *, default=None) -> str:
    if value in (None, "") and default is not None:
        return default
    if not isinstance(value, str) or value not in allowed:
        raise invalid(field, _("must be one of: %(values)s.") % {"values": ", ".join(sorted(allowed))})
    return value


def check_tags(image_tags=None, tags=None) -> dict[str, str]:
    """`image_tags` [{key, value}] or the legacy `tags` ["key.value"]; at most 10, keys unique."""
    if image_tags and tags:
        raise invalid("tags", _("give either tags or image_tags, not both."))
    if not isinstance(image_tags or [], list) or not isinstance(tags or [], list):
        # A string would be taken character by character: "ab" is not the tags "a" and "b".
        raise invalid("tags", _("must be a list of tags."))
    pairs = []
    for item in image_tags or []:
        if not isinstance(item, dict) or "key" not in item:
            raise invalid("image_tags", _("each tag needs a key."))
        pairs.append((item.get("key"), item.get("value") or ""))
    for item in tags or []:
        if not isinstance(item, str):
            raise invalid("tags", _("each tag is a string 'key.value'."))
        key, _dot, value = item.partition(".")
        pairs.append((key, value))
    if len(pairs) > MAX_TAGS:
        raise invalid("tags", _("an image has at most %(n)d tags.") % {"n": MAX_TAGS})
    result = {}
    for key, value in pairs:
        if not isinstance(key, str) or not TAG_KEY_PATTERN.match(key):
            raise invalid("tags", _("tag keys are 1 to 36 letters, digits, Chinese characters, '_', '.' or '-'."))
        if not isinstance(value, str) or not TAG_VALUE_PATTERN.match(value):
            raise invalid("tags", _("tag values are up to 43 letters, digits, Chinese characters, '_', '.' or '-'."))
        if key in result:
            raise invalid("tags", _("tag key %(key)s appears twice.") % {"key": key})
        result[key] = value
    return result


def check_glance_tag(tag) -> str:
    """A Glance tag is an IMS tag key with no value: it may hold neither '=' nor '.', which would split it."""
    if not isinstance(tag, str) or "=" in tag or "." in tag or not TAG_KEY_PATTERN.match(tag):
        raise invalid("tag", _("1 to 36 letters, digits, Chinese characters, '_' or '-', without '=' or '.'."))
    return tag


def check_glance_tags(tags) -> list[str]:
    """Glance's `tags`: a list of at most 10 tags (a repeated tag is stored once)."""
    tags = [] if tags is None else tags
    if not isinstance(tags, list):
        raise invalid("tags", _("must be a list of tags."))
    if len(tags) > MAX_TAGS:
        raise invalid("tags", _("an image has at most %(n)d tags.") % {"n": MAX_TAGS})
    return [check_glance_tag(tag) for tag in tags]
