"""What several operations share: recording an object's row once its bytes are stored, and checks of input."""

import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from obs.errors import bucket_not_found, invalid_parameter, too_large
from obs.models import Bucket, StoredObject

SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")
DEFAULT_CONTENT_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class Deleted:
    """What a deletion returns: enough for its audit trace to name what is gone."""

    pk: str
    name: str


def checked_sha256(value) -> str:
    value = (value or "").strip().lower()
    if value and not SHA256_PATTERN.fullmatch(value):
        raise invalid_parameter(_("sha256 must be 64 hexadecimal digits."))
    return value


def checked_content_type(value) -> str:
    value = (value or "").strip()
    if len(value) > 255 or any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise invalid_parameter(_("The content type is not valid."))
    return value or DEFAULT_CONTENT_TYPE


def checked_size(value, *, limit: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise invalid_parameter(_("size must be a whole number of bytes, 0 or more."))
    if value > limit:
        raise too_large(limit)
    return value


def record_object(
    bucket: Bucket,
    key: str,
    *,
    size: int,
    sha256: str,
    md5: str,
    etag: str,
    content_type: str,
    cmk_id: str = "",
    wrapped_data_key: str = "",
) -> StoredObject:
    """Create or replace the row of an object whose bytes were just stored, in a short transaction (a replaced
    object's encryption goes with it: the fields are always set)."""
    now = timezone.now()
    encryption = {"cmk_id": cmk_id, "wrapped_data_key": wrapped_data_key}
    with transaction.atomic():
        if not Bucket.objects.filter(pk=bucket.pk).exists():  # deleted while the bytes arrived
            raise bucket_not_found(bucket.name)
        stored, _created = StoredObject.objects.update_or_create(
            bucket=bucket,
            key=key,
            defaults={
                "size": size,
                "sha256": sha256,
                "md5": md5,
                "etag": etag,
                "content_type": content_type,
                **encryption,
                "updated_at": now,
            },
            create_defaults={
                "size": size,
                "sha256": sha256,
                "md5": md5,
                "etag": etag,
                "content_type": content_type,
                **encryption,
                "created_at": now,
                "updated_at": now,
            },
        )
    stored.bucket = bucket
    return stored
