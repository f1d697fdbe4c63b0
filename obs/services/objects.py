"""Objects: streamed put, list, open for reading, delete."""

from dataclasses import dataclass

from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from iam.actors import Actor
from iam.operations import operation
from obs.errors import invalid_parameter, object_not_found
from obs.limits import max_put_size
from obs.models import Bucket, StoredObject
from obs.naming import validate_key
from obs.object_store import object_store_for
from obs.selectors import find_bucket
from obs.services.common import Deleted, checked_content_type, checked_sha256, checked_size, record_object

MAX_LIST_LIMIT = 1000


def _address(kwargs) -> dict:
    return {"bucket": kwargs.get("bucket", ""), "key": kwargs.get("key", "")}


@operation("put_object", summary=_address, atomic=False)
def put_object(
    actor: Actor, *, bucket: str, key: str, stream, size: int, content_type: str = "", sha256: str = ""
) -> StoredObject:
    """Store `size` bytes read from `stream` (a file or a request body) under `bucket:key`, replacing any
    object there once every byte arrived (and matched `sha256`, when given)."""
    key = validate_key(key)
    size = checked_size(size, limit=max_put_size())
    content_type, sha256 = checked_content_type(content_type), checked_sha256(sha256)
    target = find_bucket(actor, bucket, "obs:objects:put")
    store = object_store_for(target.region_id)
    name = store.object_name(target.name, key)
    digest = store.write(name, stream, size, expected_sha256=sha256, content_type=content_type)
    try:
        return record_object(
            target,
            key,
            size=digest.size,
            sha256=digest.sha256,
            md5=digest.md5,
            etag=digest.md5,
            content_type=content_type,
        )
    except Exception:
        store.delete(name)  # the bucket went away meanwhile: leave no bytes behind
        raise


@dataclass
class ObjectPage:
    bucket: Bucket
    items: list
    next_marker: str | None


@operation("list_objects")
def list_objects(
    actor: Actor, *, bucket: str, prefix: str = "", marker: str = "", limit: int = MAX_LIST_LIMIT
) -> ObjectPage:
    """Objects in key order, those starting with `prefix`, after `marker` (the last key of the page before)."""
    if not 1 <= limit <= MAX_LIST_LIMIT:
        raise invalid_parameter(_("limit must be between 1 and %(max)d.") % {"max": MAX_LIST_LIMIT})
    target = find_bucket(actor, bucket, "obs:objects:list")
    rows = target.stored_objects.all()
    if prefix:
        rows = with_prefix(rows, prefix)
    if marker:
        rows = rows.filter(key__gt=marker)
    rows = list(rows.order_by("key")[: limit + 1])
    for row in rows:
        row.bucket = target
    next_marker = rows[limit - 1].key if len(rows) > limit else None
    return ObjectPage(bucket=target, items=rows[:limit], next_marker=next_marker)


def with_prefix(rows, prefix: str):
    # SQLite's LIKE ignores case: compare the key's first characters exactly as well.
    return rows.filter(key__startswith=prefix).alias(head=Substr("key", 1, len(prefix))).filter(head=prefix)


@operation("open_object")
def open_object(actor: Actor, *, bucket: str, key: str):
    """(stream, object) for reading; the caller closes the stream. In S3 mode an object put into the bucket
    with another S3 client is registered on first sight."""
    target = find_bucket(actor, bucket, "obs:objects:get")
    stored = find_object(target, validate_key(key))
    store = object_store_for(target.region_id)
    try:
        stream, size = store.open(store.object_name(target.name, stored.key))
    except FileNotFoundError:
        raise object_not_found(target.name, stored.key) from None
    if size != stored.size:  # replaced in S3 by another client since we recorded it
        refresh_from_storage(stored, store)
    return stream, stored


def find_object(bucket: Bucket, key: str) -> StoredObject:
    stored = bucket.stored_objects.filter(key=key).first()
    if stored is None:
        stored = register_from_storage(bucket, key)
    stored.bucket = bucket
    return stored


def register_from_storage(bucket: Bucket, key: str) -> StoredObject:
    store = object_store_for(bucket.region_id)
    found = store.head(store.object_name(bucket.name, key))
    if found is None:
        raise object_not_found(bucket.name, key)
    # Its SHA-256 is unknown until it is read: left empty rather than reading gigabytes here.
    stored, _created = StoredObject.objects.get_or_create(
        bucket=bucket,
        key=key,
        defaults={
            "size": found["size"],
            "md5": found["md5"],
            "etag": found["etag"],
            "content_type": found["content_type"],
        },
    )
    return stored


def refresh_from_storage(stored: StoredObject, store) -> None:
    found = store.head(store.object_name(stored.bucket.name, stored.key))
    if found is None:
        raise object_not_found(stored.bucket.name, stored.key)
    stored.size, stored.md5, stored.etag = found["size"], found["md5"], found["etag"]
    stored.sha256 = ""
    stored.save(update_fields=["size", "md5", "etag", "sha256"])


@operation("delete_object", summary=_address)
def delete_object(actor: Actor, *, bucket: str, key: str) -> Deleted:
    target = find_bucket(actor, bucket, "obs:objects:delete")
    stored = find_object(target, validate_key(key))
    deleted = Deleted(pk=str(stored.pk), name=stored.url)
    stored.delete()
    store = object_store_for(target.region_id)
    store.delete(store.object_name(target.name, stored.key))
    return deleted
