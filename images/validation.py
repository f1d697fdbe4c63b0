"""Checks of image input values that are not plain text: object URLs, booleans, checksums.

The text checks (names, descriptions, tags, numbers, choices) live in `core.text`, shared by every app.
"""

import re

from django.utils.translation import gettext as _

from core.errors import invalid


def check_bucket_url(field: str, value) -> str:
    if not isinstance(value, str) or ":" not in value or value.startswith(":") or value.endswith(":"):
        raise invalid(field, _("must name an object as bucket:key."))
    return value


def check_bool(field: str, value, *, default: bool = False) -> bool:
    """A JSON boolean: the string "false" must not quietly become True."""
    if value is None:
        return default
    if not isinstance(value, bool):
        raise invalid(field, _("must be true or false (a JSON boolean)."))
    return value


def check_sha256(field: str, value) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", value):
        raise invalid(field, _("must be 64 hexadecimal characters."))
    return value.lower()
