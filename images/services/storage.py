"""Freeing stored bytes nothing needs any more: manifests no image uses, then chunks no manifest names."""

from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from images.models import Image, Job
from images.services.jobs import ACTIVE_STATES

# Longer than any import takes between writing its manifest and attaching it to its image.
MANIFEST_GRACE = timedelta(hours=6)


def sweep_orphan_manifests(*, grace: timedelta = MANIFEST_GRACE) -> int:
    """Manifests left by a job that died between storing the disk and finishing its image."""
    from images.blobs.models import Manifest

    cutoff = timezone.now() - grace
    used = Image.objects.filter(manifest=OuterRef("pk"))
    orphans = Manifest.objects.filter(created_at__lt=cutoff).exclude(Exists(used))
    if Job.objects.filter(status__in=ACTIVE_STATES, begin_time__lt=cutoff).exists():
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
    live = set(Job.objects.filter(pk__in=list(folders), status__in=ACTIVE_STATES).values_list("pk", flat=True))
    removed = 0
    for name, path in folders.items():
        if name not in live:
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


def collect_unreferenced(*, manifest_grace: timedelta = MANIFEST_GRACE, chunk_grace: timedelta | None = None) -> dict:
    from images.blobs.gc import collect_garbage

    sweep_staging()
    manifests = sweep_orphan_manifests(grace=manifest_grace)
    stats = collect_garbage() if chunk_grace is None else collect_garbage(grace=chunk_grace)
    return {"manifests": manifests, "chunks": getattr(stats, "chunks_deleted", stats)}
