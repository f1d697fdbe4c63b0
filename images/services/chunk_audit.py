"""The periodic chunk audit (`images.blobs.audit`) and what a damaged chunk means for the images naming it."""

from django.conf import settings
from django.db.models import Q

from audit.models import TraceResult
from audit.recorder import record
from iam.actors import system_actor
from images.blobs.models import Chunk
from images.models import Image, ImageStatus

AUDIT_BUDGET_SECONDS = 120.0  # per run of the periodic task (every 10 minutes): at most a fifth of the time
CHUNK_CORRUPTED = "imageDataCorrupted"  # traced once per image made unusable by a damaged chunk
DAMAGED = "IMG.0990"
USABLE = (ImageStatus.ACTIVE, ImageStatus.DEACTIVATED)


def audit_stored_chunks(*, budget_seconds: float = AUDIT_BUDGET_SECONDS, bytes_per_second: int | None = None) -> dict:
    """Verifies the chunks verified longest ago, within the budget and at the configured rate
    (CHUNK_AUDIT_BYTES_PER_SECOND, 0: the audit is off). The answer is plain data (the periodic task returns it)."""
    from images.blobs.audit import AuditStats, audit_chunks

    rate = settings.CHUNK_AUDIT_BYTES_PER_SECOND if bytes_per_second is None else bytes_per_second
    if rate <= 0:
        return _answer(AuditStats(), [])
    failed = fail_images_naming_quarantined_chunks()
    stats = audit_chunks(
        budget_seconds=budget_seconds,
        bytes_per_second=rate,
        on_corrupt=lambda chunk, reason: failed.extend(fail_images_naming(chunk, reason)),
    )
    return _answer(stats, failed)


def _answer(stats, failed: list[str]) -> dict:
    return {
        "chunks_verified": stats.chunks_verified,
        "bytes_read": stats.bytes_read,
        "quarantined": [list(row) for row in stats.quarantined],
        "images_failed": len(failed),
        "errors": stats.errors,
        "missing": stats.missing,
        "not_moved": stats.not_moved,
        "stopped": stats.stopped,
    }


def fail_images_naming(chunk, reason: str) -> list[str]:
    """Marks every usable image whose disk names the damaged chunk as failed (status killed: not downloaded,
    copied or used for servers), each traced with the reason. Its ids."""
    images = _naming(chunk).exclude(Q(status=ImageStatus.DELETED) | Q(status=ImageStatus.KILLED))
    return _fail(images, chunk, reason)


def fail_images_naming_quarantined_chunks() -> list[str]:
    """Fails the active or deactivated images that name a chunk quarantined before: an import or a copy whose
    manifest was committed before the quarantine but given to its image after, or a run that failed between
    quarantining a chunk and failing its images. Their ids."""
    used = Q(entries__manifest__images__status__in=USABLE) | Q(
        entries__manifest__whole_image_disks__image__status__in=USABLE
    )
    failed = []
    for chunk in Chunk.objects.filter(used, quarantined_at__isnull=False).distinct():
        failed += _fail(_naming(chunk).filter(status__in=USABLE), chunk, chunk.quarantine_reason)
    return failed


def _naming(chunk):
    """The images whose disks name the chunk: the image's own, and the data disks of a whole-machine image."""
    named = Q(manifest__entries__chunk_id=chunk.pk) | Q(whole_disks__manifest__entries__chunk_id=chunk.pk)
    return Image.objects.filter(pk__in=Image.objects.filter(named).values("pk"))


def _fail(images, chunk, reason: str) -> list[str]:
    images = list(images.select_related("owner"))
    # Not an image deleted since it was read: a deleted image stays deleted.
    Image.objects.filter(pk__in=[image.pk for image in images]).exclude(status=ImageStatus.DELETED).update(
        status=ImageStatus.KILLED
    )
    for image in images:
        record(
            event=CHUNK_CORRUPTED,
            operation="audit_chunks",
            actor=system_actor(image.owner),
            resource_id=str(image.pk),
            resource_name=image.name,
            result=TraceResult.FAILURE,
            error_code=DAMAGED,
            summary={
                "reason": f"A stored chunk of this image's disk is damaged: {reason}.",
                "chunk": chunk.digest,
                "region": chunk.region_id,
                "previous_status": image.status,
            },
        )
    return [str(image.pk) for image in images]
