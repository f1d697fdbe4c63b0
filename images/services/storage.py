"""Freeing stored bytes nothing needs any more: manifests no image uses, then chunks no manifest names."""

import uuid
from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from images.models import ACTIVE_JOB_STATES, Job

# Longer than any import takes between writing its manifest and attaching it to its image.
MANIFEST_GRACE = timedelta(hours=6)
# A glance-direct stage that wrote nothing for this long was abandoned (its web process died mid-upload).
STAGE_IDLE = timedelta(hours=1)


def sweep_orphan_manifests(*, grace: timedelta = MANIFEST_GRACE) -> int:
    """Manifests left by a job that died between storing the disk and finishing its image."""
    from images.blobs.models import Manifest

    cutoff = timezone.now() - grace
    orphans = Manifest.objects.filter(created_at__lt=cutoff)
    # Every model naming a manifest keeps it: images, and the apps above (compute's disks, backups and whole-image
    # disks) that images cannot import.
    for relation in Manifest._meta.related_objects:
        if relation.related_model._meta.label != "blobs.ManifestEntry":
            used = relation.related_model._default_manager.filter(**{relation.field.name: OuterRef("pk")})
            orphans = orphans.exclude(Exists(used))
    if Job.objects.filter(status__in=ACTIVE_JOB_STATES, begin_time__lt=cutoff).exists():
        # A job running longer than the grace period may still attach its manifest: keep the newest ones.
        return 0
    _total, per_model = orphans.delete()
    return per_model.get("blobs.Manifest", 0)


def sweep_staging() -> int:
    """Staging folders of jobs that ended (a worker killed mid-upload, a crash between steps)."""
    import shutil

    from django.conf import settings

    root = settings.VAR_DIR / "staging"
    if not root.is_dir():
        return sweep_staged_images()
    folders = {path.name: path for path in root.iterdir() if path.is_dir()}
    live = set(Job.objects.filter(pk__in=list(folders), status__in=ACTIVE_JOB_STATES).values_list("pk", flat=True))
    removed = 0
    for name, path in folders.items():
        if name not in live:
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed + sweep_staged_images()


def sweep_staged_images(*, idle: timedelta = STAGE_IDLE) -> int:
    """Files staged for a glance-direct import whose image is no longer staged (deleted, or its import ended), and
    stages abandoned half way (the web process died while the bytes arrived): such an image is queued again, so
    that its file can be staged anew, once nothing was written for `idle`."""
    import shutil

    from images.choices import ImageStatus
    from images.models import Image
    from images.services.glance_import import DIGEST, STAGED_STATES, staged_root

    root = staged_root()
    folders = {path.name: path for path in root.iterdir() if path.is_dir()} if root.is_dir() else {}
    cutoff = timezone.now() - idle
    for image_id in Image.objects.filter(status=ImageStatus.UPLOADING, updated_at__lt=cutoff).values_list(
        "pk", flat=True
    ):
        folder = folders.get(str(image_id))
        if folder is not None and ((folder / DIGEST).exists() or _last_written(folder) > cutoff.timestamp()):
            continue  # staged whole and waiting for its import, or its bytes are still arriving
        # Conditional: a stage that ends meanwhile finds its image queued, and refuses rather than keep the file.
        Image.objects.filter(pk=image_id, status=ImageStatus.UPLOADING).update(status=ImageStatus.QUEUED)
    ids = [name for name in folders if _is_uuid(name)]
    staged = Image.objects.filter(pk__in=ids, status__in=STAGED_STATES).values_list("pk", flat=True)
    live = {str(pk) for pk in staged}
    removed = 0
    for name, path in folders.items():
        if name not in live:
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


def _last_written(folder) -> float:
    """The newest modification time of the folder and its files (0 when it is gone)."""
    try:
        return max([folder.stat().st_mtime, *(entry.stat().st_mtime for entry in folder.iterdir())])
    except FileNotFoundError:
        return 0.0


def _is_uuid(name: str) -> bool:
    try:
        return str(uuid.UUID(name)) == name
    except ValueError:
        return False


def collect_unreferenced(
    *, manifest_grace: timedelta = MANIFEST_GRACE, chunk_grace: timedelta | None = None, on_removed=None
) -> dict:
    """Staging folders of ended jobs, then orphaned manifests, then the chunks no manifest names (in this order:
    a manifest removed here frees its chunks for the same run). `on_removed(region_id, digest, stored_size)` is
    called for each chunk removed. The answer is plain data (the periodic task returns it)."""
    from images.blobs.gc import DEFAULT_GRACE, collect_garbage
    from obs.services.uploads import abandon_stale_uploads, sweep_unnamed_upload_staging

    staging = sweep_staging()
    cutoff = timezone.now() - (DEFAULT_GRACE if chunk_grace is None else chunk_grace)
    uploads = abandon_stale_uploads(cutoff)
    upload_strays = sweep_unnamed_upload_staging(cutoff)
    manifests = sweep_orphan_manifests(grace=manifest_grace)
    stats = collect_garbage(grace=DEFAULT_GRACE if chunk_grace is None else chunk_grace, on_removed=on_removed)
    return {
        "staging": staging,
        "uploads": uploads,
        "upload_strays": upload_strays,
        "manifests": manifests,
        "chunks": stats.chunks_deleted,
        "bytes": stats.bytes_deleted,
        "spared": stats.chunks_spared,
        "objects_not_removed": stats.objects_not_removed,
        "strays": stats.strays_deleted,
        "stray_bytes": stats.stray_bytes_deleted,
        "by_region": {region_id: list(totals) for region_id, totals in stats.by_region.items()},
    }
