"""Objects: streamed put, list, open for reading, delete."""

from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from iam.actors import Actor
from iam.operations import operation
from kms.services import new_object_data_key, open_object_data_key
from obs.errors import invalid_parameter, object_not_found
from obs.limits import max_object_size, max_put_size
from obs.models import Bucket, StoredObject
from obs.naming import validate_key
from obs.object_store import object_store_for
from obs.sealing import OpeningReader, SealingReader, sealed_size
from obs.selectors import find_bucket
from obs.services.common import Deleted, checked_content_type, checked_sha256, checked_size, record_object

MAX_LIST_LIMIT = 1000


def _address(kwargs) -> dict:
    return {"bucket": kwargs.get("bucket", ""), "key": kwargs.get("key", "")}


@operation("put_object", summary=_address, atomic=False)
def put_object(
    actor: Actor,
    *,
    bucket: str,
    key: str,
    stream=None,
    size: int,
    content_type: str = "",
    sha256: str = "",
    cmk_id: str = "",
    file_path: Path | None = None,
) -> StoredObject:
    """Store `size` bytes read from `stream` (a file or a request body) under `bucket:key`, replacing any
    object there once every byte arrived (and matched `sha256`, when given).

    `file_path` instead of `stream`: a file the caller hands over (a job's output). Local storage moves it into
    place once hashed, rather than copying it; what is left at `file_path` is still the caller's to remove.

    With `cmk_id` (a KMS key of the account, as for SSE-KMS) the object is encrypted at rest under a data key of
    its own (obs.sealing). Only this service can seal, so such an object is written in one stream whatever its
    size (the store splits it into parts itself) rather than through a client's multipart upload."""
    if (stream is None) == (file_path is None):
        raise ValueError("put_object reads either a stream or a file, never both nor neither")
    key = validate_key(key)
    size = checked_size(size, limit=max_object_size() if cmk_id else max_put_size())
    content_type, sha256 = checked_content_type(content_type), checked_sha256(sha256)
    target = find_bucket(actor, bucket, "obs:objects:put")
    store = object_store_for(target.region_id)
    name = store.object_name(target.name, key)
    encryption = {}
    if cmk_id:
        address = f"{target.name}:{key}"
        key_id, data_key, wrapped = new_object_data_key(actor, cmk_id, address=address)
        with open(file_path, "rb") if file_path is not None else nullcontext(stream) as source:
            sealing = SealingReader(source, size, data_key, address, expected_sha256=sha256)
            etag = store.write(name, sealing, sealed_size(size), content_type=content_type).md5
        digest, encryption = sealing.digest, {"cmk_id": key_id, "wrapped_data_key": wrapped}
    elif file_path is not None:
        digest = store.take(name, file_path, size, expected_sha256=sha256, content_type=content_type)
        etag = digest.md5
    else:
        digest = store.write(name, stream, size, expected_sha256=sha256, content_type=content_type)
        etag = digest.md5
    try:
        return record_object(
            target,
            key,
            size=digest.size,
            sha256=digest.sha256,
            md5=digest.md5,
            etag=etag,
            content_type=content_type,
            **encryption,
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


@operation("open_object", atomic=False)
def open_object(actor: Actor, *, bucket: str, key: str):
    """(stream, object) for reading; the caller closes the stream. In S3 mode an object put into the bucket
    with another S3 client is registered on first sight. (No transaction: a refused use of an encrypted object's
    key stays traced.)"""
    target = find_bucket(actor, bucket, "obs:objects:get")
    stored = find_object(target, validate_key(key))
    store = object_store_for(target.region_id)
    name = store.object_name(target.name, stored.key)
    try:
        stream, size = store.open(name)
    except FileNotFoundError:
        raise object_not_found(target.name, stored.key) from None
    sealed = stored.encrypted
    if size != (sealed_size(stored.size) if sealed else stored.size) and not (sealed and store.local_path(name)):
        # Replaced in S3 by another client since we recorded it. (A local sealed file of another size was altered:
        # opening it below refuses it.)
        refresh_from_storage(stored, store)
    if stored.encrypted:
        # Opened for any caller who may read the object (as S3 does for SSE-KMS objects of the account), unless
        # the key is disabled or pending deletion.
        try:
            data_key = open_object_data_key(
                actor, cmk_id=stored.cmk_id, wrapped_data_key=stored.wrapped_data_key, address=stored.url
            )
        except BaseException:
            stream.close()
            raise
        stream = OpeningReader(stream, stored.size, data_key, stored.url)
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
    # Whatever another client put there is not sealed by this service.
    stored.sha256, stored.cmk_id, stored.wrapped_data_key = "", "", ""
    stored.save(update_fields=["size", "md5", "etag", "sha256", "cmk_id", "wrapped_data_key"])


@operation("delete_object", summary=_address)
def delete_object(actor: Actor, *, bucket: str, key: str) -> Deleted:
    target = find_bucket(actor, bucket, "obs:objects:delete")
    stored = find_object(target, validate_key(key))
    deleted = Deleted(pk=str(stored.pk), name=stored.url)
    stored.delete()
    store = object_store_for(target.region_id)
    store.delete(store.object_name(target.name, stored.key))
    return deleted
