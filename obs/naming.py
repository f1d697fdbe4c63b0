"""Names of buckets and keys, and `bucket:key` addresses: validated before anything touches storage."""

import re
import unicodedata

from django.utils.translation import gettext as _

from obs.errors import invalid_name

BUCKET_PATTERN = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
IP_ADDRESS = re.compile(r"\d{1,3}(\.\d{1,3}){3}")
MAX_KEY_BYTES = 1024
# Control characters, lone surrogates and the line and paragraph separators: invisible or unsafe in
# file systems, logs and headers.
FORBIDDEN_CATEGORIES = {"Cc", "Cs", "Zl", "Zp"}


def validate_bucket_name(name) -> str:
    """S3's rules: 3 to 63 lowercase letters, digits, hyphens and dots; a letter or digit at each end."""
    name = name if isinstance(name, str) else ""
    if not BUCKET_PATTERN.fullmatch(name) or ".." in name or ".-" in name or "-." in name or IP_ADDRESS.fullmatch(name):
        raise invalid_name(
            _(
                "A bucket name has 3 to 63 characters: lowercase letters, digits, hyphens (-) and periods (.), "
                "starts and ends with a letter or digit, has no two periods in a row and is not an IP address."
            )
        )
    return name


def validate_key(key) -> str:
    """A key is a relative path: no leading '/', no empty, '.' or '..' segments, no backslash, no control
    characters, at most 1024 bytes of UTF-8."""
    if not isinstance(key, str) or not key:
        raise invalid_name(_("An object key must not be empty."))
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise invalid_name(_("An object key has at most %(max)d bytes (UTF-8).") % {"max": MAX_KEY_BYTES})
    if any(unicodedata.category(char) in FORBIDDEN_CATEGORIES for char in key):
        raise invalid_name(_("An object key must not contain control characters."))
    if "\\" in key:
        raise invalid_name(_("An object key must not contain a backslash (\\)."))
    if key.startswith("/"):
        raise invalid_name(_("An object key must not start with a slash (/)."))
    if any(segment in ("", ".", "..") for segment in key.split("/")):
        raise invalid_name(_("An object key must not contain empty, '.' or '..' path segments."))
    return key


def parse_url(url) -> tuple[str, str]:
    """`bucket:key` → (bucket, key), both validated."""
    bucket, separator, key = url.partition(":") if isinstance(url, str) else ("", "", "")
    if not separator:
        raise invalid_name(_("An object address has the form bucket:key, e.g. images:linux/disk.qcow2."))
    return validate_bucket_name(bucket), validate_key(key)


def file_name(key: str) -> str:
    return key.rsplit("/", 1)[-1]
