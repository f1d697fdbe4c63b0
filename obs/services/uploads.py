"""Multipart uploads: start, send parts (any order, in parallel, again after a failure), list the parts
stored (to resume), complete (assembled and verified server-side), abort."""

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from iam.actors import Actor
from iam.models import Region
from iam.operations import operation
from obs.errors import CHECKSUM_MISMATCH, INVALID_PART, PARTS_MISSING, UPLOAD_STATE, ObsError, invalid_parameter
from obs.limits import MAX_PARTS, MIN_PART_SIZE, max_object_size, max_part_size, part_size_for
from obs.models import Upload, UploadPart, UploadStatus
from obs.naming import validate_key
from obs.object_store import object_store_for
from obs.selectors import find_bucket, find_upload
from obs.services.common import checked_content_type, checked_sha256, checked_size, record_object

ACTION = "obs:objects:put"


def _address(kwargs) -> dict:
    return {"bucket": kwargs.get("bucket", ""), "key": kwargs.get("key", ""), "size": kwargs.get("size", "")}


def _upload(kwargs) -> dict:
    return {"upload_id": kwargs.get("upload_id", ""), "part": kwargs.get("number", "")}


@operation("start_upload", summary=_address)
def start_upload(
    actor: Actor,
    *,
    bucket: str,
    key: str,
    size: int,
    part_size: int | None = None,
    sha256: str = "",
    content_type: str = "",
) -> Upload:
    """A new upload of `size` bytes in parts of `part_size` (default: 8 MiB, more for very large objects)."""
    key = validate_key(key)
    size = checked_size(size, limit=max_object_size())
    part_size = _checked_part_size(size, part_size)
    target = find_bucket(actor, bucket, ACTION)
    upload = Upload(
        bucket=target,
        key=key,
        size=size,
        part_size=part_size,
        sha256=checked_sha256(sha256),
        content_type=checked_content_type(content_type),
        created_by=actor.user,
    )
    upload.s3_upload_id = object_store_for(target.region_id).start_upload(upload)
    upload.save()
    return upload


def _checked_part_size(size: int, wanted) -> int:
    if wanted is not None and (isinstance(wanted, bool) or not isinstance(wanted, int)):
        raise invalid_parameter(_("part_size must be a whole number of bytes."))
    part_size = part_size_for(size, wanted)
    if not MIN_PART_SIZE <= part_size <= max_part_size():
        raise invalid_parameter(
            _("part_size must be between %(min)d and %(max)d bytes.") % {"min": MIN_PART_SIZE, "max": max_part_size()}
        )
    if -(-size // part_size) > MAX_PARTS:
        raise invalid_parameter(
            _("An upload has at most %(max)d parts: choose a larger part_size.") % {"max": MAX_PARTS}
        )
    return part_size


@operation("put_part", summary=_upload, atomic=False)
def put_part(actor: Actor, *, upload_id, number: int, stream, size: int) -> UploadPart:
    """Store part `number` (again, if it was sent before); every part but the last has exactly `part_size`
    bytes."""
    upload = find_upload(actor, upload_id, ACTION)
    _require_uploading(upload)
    if not 1 <= number <= upload.part_count:
        raise ObsError(INVALID_PART, _("This upload has parts 1 to %(count)d.") % {"count": upload.part_count})
    if size != upload.expected_part_size(number):
        raise ObsError(
            INVALID_PART,
            _("Part %(number)d must have %(expected)d bytes, not %(size)d.")
            % {"number": number, "expected": upload.expected_part_size(number), "size": size},
        )
    store = object_store_for(upload.bucket.region_id)
    digest, etag = store.write_part(upload, number, stream, size)
    with transaction.atomic():
        status = Upload.objects.select_for_update().filter(pk=upload.pk).values_list("status", flat=True).first()
        if status != UploadStatus.UPLOADING:  # aborted or completed while this part arrived
            if status != UploadStatus.COMPLETING:  # (an assembly in progress still reads the parts)
                store.abort(upload)
            raise _not_uploading(upload, status)
        part, _created = UploadPart.objects.update_or_create(
            upload=upload, number=number, defaults={"size": digest.size, "sha256": digest.sha256, "etag": etag}
        )
    part.upload = upload
    return part


@operation("list_parts")
def list_parts(actor: Actor, *, upload_id) -> Upload:
    """The upload with its stored parts (`upload.stored_parts`): a client resumes by sending the others."""
    upload = find_upload(actor, upload_id, ACTION)
    upload.stored_parts = list(upload.parts.order_by("number"))
    return upload


@operation("complete_upload", summary=_upload, atomic=False)
def complete_upload(actor: Actor, *, upload_id, sha256: str = ""):
    """Assemble the parts into the object and verify its SHA-256 against `sha256` (or the one given at the
    start). A mismatch or any failure aborts the upload: nothing is published, the parts are freed. Asked again
    after it succeeded (the answer was lost), it answers the same object."""
    sha256 = checked_sha256(sha256)
    upload = find_upload(actor, upload_id, ACTION)
    expected = sha256 or upload.sha256
    if sha256 and upload.sha256 and sha256 != upload.sha256:
        raise ObsError(CHECKSUM_MISMATCH, _("The SHA-256 given now differs from the one given at the start."))
    if upload.status == UploadStatus.COMPLETED:
        return _completed_object(upload, expected)
    _require_uploading(upload)
    parts = list(upload.parts.order_by("number"))
    missing = sorted(set(range(1, upload.part_count + 1)) - {part.number for part in parts})
    if missing:
        raise ObsError(PARTS_MISSING, _("Parts still missing: %(parts)s.") % {"parts": _numbers(missing)}, 409)
    if not Upload.objects.filter(pk=upload.pk, status=UploadStatus.UPLOADING).update(status=UploadStatus.COMPLETING):
        raise _not_uploading(upload, UploadStatus.COMPLETING)
    store = object_store_for(upload.bucket.region_id)
    name = store.object_name(upload.bucket.name, upload.key)
    try:
        digest = store.assemble(upload, parts, name, expected_sha256=expected)
    except BaseException:
        _give_up(upload, store)
        raise
    try:
        stored = record_object(
            upload.bucket,
            upload.key,
            size=digest.size,
            sha256=digest.sha256,
            md5=digest.md5,
            etag=digest.md5,
            content_type=upload.content_type,
        )
    except BaseException:
        store.delete(name)  # the bucket went away while the parts were assembled
        _give_up(upload, store)
        raise
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.COMPLETED)
    return stored


@operation("abort_upload", summary=_upload)
def abort_upload(actor: Actor, *, upload_id) -> Upload:
    upload = find_upload(actor, upload_id, ACTION)
    if upload.status in (UploadStatus.COMPLETED, UploadStatus.COMPLETING):
        raise _not_uploading(upload, upload.status)
    object_store_for(upload.bucket.region_id).abort(upload)
    upload.status = UploadStatus.ABORTED
    upload.save(update_fields=["status"])
    upload.parts.all().delete()
    return upload


def _completed_object(upload: Upload, expected: str):
    stored = upload.bucket.stored_objects.filter(key=upload.key).first()
    if stored is None or (expected and stored.sha256 != expected):  # replaced or deleted since
        raise _not_uploading(upload, upload.status)
    stored.bucket = upload.bucket
    return stored


def _give_up(upload: Upload, store) -> None:
    store.abort(upload)
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.ABORTED)


def abandon_stale_uploads(cutoff) -> int:
    """Multipart uploads nobody has fed since `cutoff` (no new part, started before it): their parts are removed
    and they end ABORTED, as if their owner had aborted them. The collector calls it after its grace period."""
    recent_part = UploadPart.objects.filter(upload=OuterRef("pk"), created_at__gte=cutoff)
    stale = Upload.objects.filter(status=UploadStatus.UPLOADING, created_at__lt=cutoff).exclude(Exists(recent_part))
    count = 0
    for upload in stale.select_related("bucket"):
        _give_up(upload, object_store_for(upload.bucket.region_id))
        upload.parts.all().delete()
        count += 1
    return count


def sweep_unnamed_upload_staging(cutoff) -> int:
    """What a crash leaves under the stores' `_uploads/`: parts and S3 multipart uploads that no upload in
    progress names, older than `cutoff`. Runs after `abandon_stale_uploads`, which ends the stale ones first."""
    live = {str(pk) for pk in Upload.objects.filter(status=UploadStatus.UPLOADING).values_list("pk", flat=True)}
    return sum(
        object_store_for(region_id).sweep_unnamed_staging(live, cutoff)
        for region_id in Region.objects.values_list("id", flat=True)
    )


def _require_uploading(upload: Upload) -> None:
    if upload.status != UploadStatus.UPLOADING:
        raise _not_uploading(upload, upload.status)


def _not_uploading(upload: Upload, status) -> ObsError:
    label = UploadStatus(status).label if status in UploadStatus.values else status
    return ObsError(
        UPLOAD_STATE,
        _("Upload %(id)s is no longer in progress (%(status)s).") % {"id": upload.pk, "status": label},
        409,
    )


def _numbers(numbers: list[int], shown: int = 10) -> str:
    text = ", ".join(str(number) for number in numbers[:shown])
    return text + (" …" if len(numbers) > shown else "")
