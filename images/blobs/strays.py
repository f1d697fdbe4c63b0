"""Files in the chunk store that no row names: what a crash leaves between writing bytes and committing rows.

A worker killed mid-import leaves `.part-*` files (a chunk half written) and whole chunk objects whose rows were
never committed (the row is written after its object); a collector killed between deleting a row and its
object leaves the object. The collector removes them once older than its grace period: a writer in progress
commits its rows well within it, and the object of a row being written is never older than the row.
"""

import logging
from datetime import datetime

from django.core.files.storage import Storage

from iam.models import Region
from images.blobs.models import PLAIN_ROOT, SEALED_ROOT, Chunk
from images.blobs.objects import chunk_storage

logger = logging.getLogger(__name__)
PARTIAL_PREFIX = ".part-"


def sweep_strays(cutoff: datetime) -> tuple[int, int]:
    """Removes unnamed files last modified before `cutoff` in every region's chunk store: (files, bytes)."""
    files = size = 0
    for region_id in Region.objects.values_list("id", flat=True):
        storage = chunk_storage(region_id)
        for folder in _leaf_folders(storage):
            removed, removed_size = _sweep_folder(storage, region_id, folder, cutoff)
            files, size = files + removed, size + removed_size
    return files, size


def _leaf_folders(storage: Storage):
    """sha256/ab/cd and sealed/ab/cd: the folders that hold objects (two levels of the digest's hex prefix)."""
    for root in (PLAIN_ROOT, SEALED_ROOT):
        try:  # S3 has no folders to test for: a prefix with nothing under it lists empty
            firsts = storage.listdir(root)[0]
        except FileNotFoundError:
            continue
        for first in firsts:
            for second in storage.listdir(f"{root}/{first}")[0]:
                yield f"{root}/{first}/{second}"


def _sweep_folder(storage: Storage, region_id: str, folder: str, cutoff: datetime) -> tuple[int, int]:
    names = storage.listdir(folder)[1]
    digests = {name.split(".", 1)[0] for name in names if not name.startswith(PARTIAL_PREFIX)}
    known = {
        f"{digest}.{generation}"
        for digest, generation in Chunk.objects.filter(
            region_id=region_id, digest__in=digests, sealed=folder.startswith(SEALED_ROOT)
        ).values_list("digest", "generation")
    }
    files = size = 0
    for name in names:
        path = f"{folder}/{name}"
        if name in known or storage.get_modified_time(path) >= cutoff:
            continue
        # Checked again just before: a row committed since the listing names the object now.
        if not name.startswith(PARTIAL_PREFIX) and _named(region_id, name):
            continue
        try:
            stored = storage.size(path)
            storage.delete(path)
        except OSError:
            logger.warning("stray chunk file %s/%s could not be removed", region_id, path, exc_info=True)
            continue
        files, size = files + 1, size + stored
    return files, size


def _named(region_id: str, name: str) -> bool:
    digest, _dot, generation = name.partition(".")
    return Chunk.objects.filter(region_id=region_id, digest=digest, generation=generation).exists()
