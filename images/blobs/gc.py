"""The collector: removes chunks no manifest names, once they have gone unreferenced for a grace period.

Mark: list the chunks with no manifest entry whose `last_referenced_at` is older than now − grace.
Sweep: delete each one's row with a *conditional* DELETE that checks both conditions again, then, only if
that row was deleted, its object.

Why an import running at the same time is safe:

* A writer touches (`last_referenced_at = now`) every chunk it will name before naming it: a chunk it
  found already stored (a dedup hit) is touched when it is found; one it stored itself gets a fresh row,
  written after its object. A touched chunk is younger than the grace period, so the conditional DELETE
  leaves it alone, even if the collector marked it a moment before.
* The writer's final transaction touches every chunk again, checks that none has vanished, and inserts the
  manifest entries. Once the entries exist, the chunk is referenced and the DELETE leaves it alone. If a
  chunk did vanish (the import outlived the grace period), the writer stores it again, as a new row and a
  new object, and retries; it never names a chunk whose row it has not just seen.
* An object's name carries its row's `generation`, so a collector that deletes an object after deleting
  its row can never remove an object that a concurrent writer stored again for the same content.
* The object goes after the row: a crash in between leaves an object no row names (wasted space, never a
  row pointing to nothing).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone

from images.blobs.models import Chunk, ManifestEntry, object_name
from images.blobs.objects import chunk_storage, delete_object
from images.blobs.strays import sweep_strays

logger = logging.getLogger(__name__)

DEFAULT_GRACE = timedelta(hours=6)
MARK_BATCH = 1000


@dataclass
class Stats:
    chunks_deleted: int = 0
    bytes_deleted: int = 0  # stored bytes
    chunks_spared: int = 0  # marked, then touched or named by a writer before the sweep reached them
    objects_not_removed: int = 0  # rows removed, objects left behind (storage errors)
    by_region: dict[str, list[int]] = field(default_factory=dict)  # region → [chunks, bytes] removed
    strays_deleted: int = 0  # files no row names: partial writes (.part-*), objects of rows already gone
    stray_bytes_deleted: int = 0


def collect_garbage(
    *,
    grace: timedelta = DEFAULT_GRACE,
    now: datetime | None = None,
    on_removed: Callable[[str, str, int], None] | None = None,
) -> Stats:
    """Removes unreferenced chunks older than `grace`; `on_removed(region_id, digest, stored_size)` for each."""
    cutoff = (now or timezone.now()) - grace
    stats, after = Stats(), 0
    while batch := _mark(cutoff, after):
        after = batch[-1][0]
        for pk, region_id, digest, generation, stored_size, sealed in batch:
            if not _delete_row_if_unreferenced(pk, cutoff):
                stats.chunks_spared += 1
                continue
            stats.chunks_deleted += 1
            stats.bytes_deleted += stored_size
            totals = stats.by_region.setdefault(region_id, [0, 0])
            totals[0], totals[1] = totals[0] + 1, totals[1] + stored_size
            if not _delete_object(region_id, object_name(digest, generation, sealed=sealed)):
                stats.objects_not_removed += 1
            if on_removed is not None:
                on_removed(region_id, digest, stored_size)
    stats.strays_deleted, stats.stray_bytes_deleted = sweep_strays(cutoff)
    return stats


def _mark(cutoff: datetime, after: int) -> list[tuple]:
    referenced = ManifestEntry.objects.filter(chunk=OuterRef("pk"))
    return list(
        Chunk.objects.filter(pk__gt=after, last_referenced_at__lt=cutoff)
        .filter(~Exists(referenced))
        .order_by("pk")
        .values_list("pk", "region_id", "digest", "generation", "stored_size", "sealed")[:MARK_BATCH]
    )


def _delete_row_if_unreferenced(pk: int, cutoff: datetime) -> bool:
    # One statement, so the checks and the delete are atomic against a writer touching or naming the chunk.
    # (The ORM's delete() would first collect the protected entries, then delete by primary key alone.)
    chunk, entry = Chunk._meta, ManifestEntry._meta
    quote = connection.ops.quote_name
    sql = (
        f"DELETE FROM {quote(chunk.db_table)} WHERE {quote(chunk.pk.column)} = %s"
        f" AND {quote(chunk.get_field('last_referenced_at').column)} < %s"
        f" AND NOT EXISTS (SELECT 1 FROM {quote(entry.db_table)}"
        f" WHERE {quote(entry.db_table)}.{quote(entry.get_field('chunk').column)}"
        f" = {quote(chunk.db_table)}.{quote(chunk.pk.column)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk, connection.ops.adapt_datetimefield_value(cutoff)])
        return cursor.rowcount == 1


def _delete_object(region_id: str, name: str) -> bool:
    try:
        delete_object(chunk_storage(region_id), name)
    except Exception:
        logger.warning("chunk %s/%s: row removed, object left behind", region_id, name, exc_info=True)
        return False
    return True
