"""Freeing stored bytes nothing needs any more: manifests no image uses, then chunks no manifest names."""

from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from images.models import ACTIVE_JOB_STATES, Job

# Longer than any import takes between writing its manifest and attaching it to its image.
MANIFEST_GRACE = timedelta(hours=6)


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
        return 0
    folders = {path.name: path for path in root.iterdir() if path.is_dir()}
    live = set(Job.objects.filter(pk__in=list(folders), status__in=ACTIVE_JOB_STATES).values_list("pk", flat=True))
    removed = 0
    for name, path in folders.items():
        if name not in live:
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


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
