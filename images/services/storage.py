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


def collect_unreferenced(*, manifest_grace: timedelta = MANIFEST_GRACE, chunk_grace: timedelta | None = None) -> dict:
    from images.blobs.gc import collect_garbage

    manifests = sweep_orphan_manifests(grace=manifest_grace)
    stats = collect_garbage() if chunk_grace is None else collect_garbage(grace=chunk_grace)
    return {"manifests": manifests, "chunks": getattr(stats, "chunks_deleted", stats)}
