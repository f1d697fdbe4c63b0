"""The chunk audit: reads stored chunks back at a bounded rate and checks each against its address, as an
object auditor or a deep scrub does.

Reads of local chunks do not re-hash them (`objects.verify_on_read`); a chunk is hashed when written, and
this audit finds what happened to it since (bit rot, a truncated or lost file, an edited object). Each run
takes the chunks verified longest ago first and stops at its time budget, so repeated runs cover the whole
store in turn. A chunk that fails is quarantined: its row is kept (manifests still name it) but no writer
reuses it, and `on_corrupt` is told in the same transaction, so the images naming it are marked unusable
before anything else can go wrong. Only then is its object moved under `quarantine/` for inspection, or
removed if it cannot be moved: a quarantined chunk must never be read again. Each run first finishes the
moves an earlier run could not make.

A missing object is not proof of damage: a chunk folder or the whole volume may be gone for a moment. It is
quarantined only while its store is shown to be there (another of the region's objects exists now: one read in
this run, or else one of those verified last) and it is still missing after that check. A region with
`MISSING_IN_A_ROW` missing objects in a row is left to the next run, and the run says so.

Sealed chunks cannot be opened without their image's data key: for them the audit checks that the object
exists and has the size recorded when it was written (the GCM tag proves the rest on every read).
"""

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from images.blobs.models import QUARANTINE_ROOT, Chunk
from images.blobs.objects import PLAIN, ChunkCorrupted, chunk_storage, delete_object, get_object

logger = logging.getLogger(__name__)

AUDIT_BATCH = 100
# Chunks are taken by verification time, not by folder: this many missing in a row means the store is failing,
# not that some objects were lost.
MISSING_IN_A_ROW = 8
MISSING = "its object is missing"


@dataclass
class AuditStats:
    chunks_verified: int = 0
    bytes_read: int = 0  # stored bytes read back
    quarantined: list[tuple[str, str, str]] = field(default_factory=list)  # (region, digest, reason)
    errors: int = 0  # chunks not checked this time (storage unreachable): tried again on the next run
    missing: int = 0  # objects not found, whether quarantined or left to the next run
    not_moved: int = 0  # objects of quarantined chunks that could not be moved aside (removed, or tried again)
    stopped: list[str] = field(default_factory=list)  # regions left to the next run, and why


def audit_chunks(
    *,
    budget_seconds: float,
    bytes_per_second: int,
    on_corrupt: Callable[[Chunk, str], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> AuditStats:
    """Verifies chunks, oldest verification first, for at most `budget_seconds`, reading no faster than
    `bytes_per_second` on average; every chunk at most once per run."""
    stats, began, started_at = AuditStats(), clock(), timezone.now()
    _finish_set_asides(stats)
    run = _Run(stats, on_corrupt)
    due = Chunk.objects.filter(quarantined_at__isnull=True).order_by(F("verified_at").asc(nulls_first=True), "pk")
    while clock() - began < budget_seconds:
        batch = due.exclude(pk__in=run.unreadable).exclude(region_id__in=run.stopped)[:AUDIT_BATCH]
        batch = [c for c in batch if c.verified_at is None or c.verified_at < started_at]
        if not batch:
            break
        verified = []
        for chunk in batch:
            if clock() - began >= budget_seconds:
                break
            if chunk.region_id not in run.stopped and run.audit(chunk):
                verified.append(chunk.pk)
            # Paced on the bytes read so far: the audit never takes more than its share of the disk.
            ahead = stats.bytes_read / bytes_per_second - (clock() - began)
            if ahead > 0:
                sleep(min(ahead, max(budget_seconds - (clock() - began), 0)))
        Chunk.objects.filter(pk__in=verified).update(verified_at=timezone.now())
        if not verified and len(run.unreadable) >= AUDIT_BATCH:
            break  # the storage is failing: the next run tries again
    return stats


def _check(chunk: Chunk, stats: AuditStats) -> str | None:
    """None if the chunk is sound, the reason if it is not (MISSING if its object is not found), "" if it could
    not be checked now."""
    storage = chunk_storage(chunk.region_id)
    try:
        blob = get_object(storage, chunk.object_name)
    except FileNotFoundError:
        stats.missing += 1
        return MISSING
    except Exception:  # a storage that does not answer says nothing about the chunk
        logger.warning("could not read chunk %s for the audit", chunk, exc_info=True)
        stats.errors += 1
        return ""
    stats.bytes_read += len(blob)
    if len(blob) != chunk.stored_size:
        return f"its object has {len(blob)} bytes, {chunk.stored_size} were written"
    if not chunk.sealed:
        try:
            PLAIN.decode(blob, digest=chunk.digest, size=chunk.size, verify=True)
        except ChunkCorrupted:
            return "its content no longer matches its SHA-256 address"
    stats.chunks_verified += 1
    return None


class _Run:
    """One run's judgement of the chunks it checks, and what it has seen of each region's store: an object known
    to be there, and the objects missing since the store last answered."""

    def __init__(self, stats: AuditStats, on_corrupt):
        self.stats, self.on_corrupt = stats, on_corrupt
        self.unreadable: set[int] = set()  # not judged this time: tried again by the next run
        self.witness: dict[str, str] = {}  # region → the name of an object found there in this run
        self.missing_in_a_row: dict[str, int] = {}
        self.missing: set[int] = set()
        self.stopped: set[str] = set()

    def audit(self, chunk: Chunk) -> bool:
        """Checks the chunk, quarantines it if it is damaged or shown lost; True if it is sound."""
        problem = _check(chunk, self.stats)
        if problem not in (MISSING, ""):
            self.missing_in_a_row[chunk.region_id] = 0  # the store answered
        if problem is None:
            self.witness[chunk.region_id] = chunk.object_name
        elif problem == "" or (problem == MISSING and not self._shown_missing(chunk)):
            self.unreadable.add(chunk.pk)
        else:
            _quarantine(chunk, problem, self.stats, self.on_corrupt)
        return problem is None

    def _shown_missing(self, chunk: Chunk) -> bool:
        """Whether the chunk's object is lost, not just out of reach; stops the region's run after too many."""
        region = chunk.region_id
        self.missing.add(chunk.pk)
        self.missing_in_a_row[region] = self.missing_in_a_row.get(region, 0) + 1
        if self.missing_in_a_row[region] >= MISSING_IN_A_ROW:
            self.stopped.add(region)
            note = f"{region}: {MISSING_IN_A_ROW} chunk objects missing in a row; its store may be unavailable"
            self.stats.stopped.append(note)
            logger.error("chunk audit stopped for %s", note)
            return False
        storage = chunk_storage(region)
        # The store is checked now, and the object after it: one that comes back meanwhile was never lost.
        return self._present(storage, region) and not _exists(storage, chunk.object_name)

    def _present(self, storage: Storage, region: str) -> bool:
        """Whether another object of the region exists now (which for a local store proves its folder is there
        and mounted). Before the run has read one, the chunks verified last are the likeliest to be found:
        lost objects first in the audit's order must not keep it from ever showing the store present."""
        known = self.witness.get(region)
        if known is not None and _exists(storage, known):
            return True
        candidates = (
            Chunk.objects.filter(region_id=region, quarantined_at__isnull=True)
            .exclude(pk__in=self.missing)
            .order_by(F("verified_at").desc(nulls_last=True), "-pk")
            .only("region_id", "digest", "generation", "sealed")[:MISSING_IN_A_ROW]
        )
        for candidate in candidates:
            if _exists(storage, candidate.object_name):
                self.witness[region] = candidate.object_name
                return True
        return False


def _exists(storage: Storage, name: str) -> bool:
    try:
        return storage.exists(name)
    except Exception:  # a store that does not answer is not shown to be there
        logger.warning("could not look for chunk object %s", name, exc_info=True)
        return False


def _quarantine(chunk: Chunk, reason: str, stats: AuditStats, on_corrupt) -> None:
    # The images fail in the transaction that quarantines the chunk, before its object is touched: a failed
    # move or a crash can then never leave the chunk quarantined and its images usable.
    with transaction.atomic():
        updated = Chunk.objects.filter(pk=chunk.pk, quarantined_at__isnull=True).update(
            quarantined_at=timezone.now(), quarantine_reason=reason[:255]
        )
        if not updated:
            return
        chunk.quarantine_reason = reason
        if on_corrupt is not None:
            on_corrupt(chunk, reason)
    stats.quarantined.append((chunk.region_id, chunk.digest, reason))
    logger.error("chunk %s quarantined: %s", chunk, reason)
    _set_aside(chunk, stats)


def _finish_set_asides(stats: AuditStats) -> None:
    """Objects of quarantined chunks still under their names: moves that failed or that a crash interrupted."""
    for chunk in Chunk.objects.filter(quarantined_at__isnull=False).only("region_id", "digest", "generation", "sealed"):
        _set_aside(chunk, stats)


def _set_aside(chunk: Chunk, stats: AuditStats) -> None:
    """Moves the chunk's object under quarantine/, or else removes it: reads find objects by their names, and
    the damaged bytes must not be served. Best effort: what is left is tried again by the next run."""
    storage, name = chunk_storage(chunk.region_id), chunk.object_name
    try:
        _move(storage, name, f"{QUARANTINE_ROOT}/{name}")
        return
    except FileNotFoundError:
        return  # nothing under its name
    except Exception:
        logger.warning("quarantined chunk %s could not be moved aside; removing it", chunk, exc_info=True)
        stats.not_moved += 1
    try:
        delete_object(storage, name)
    except Exception:
        logger.error("quarantined chunk %s is still in the store; the next run tries again", chunk, exc_info=True)


def _move(storage: Storage, name: str, target: str) -> None:
    if not isinstance(storage, FileSystemStorage):
        storage.save(target, ContentFile(get_object(storage, name)))
        delete_object(storage, name)
        return
    source = storage.path(name)
    if not os.path.lexists(source):  # before making folders: the volume itself may be missing
        raise FileNotFoundError(source)
    os.makedirs(os.path.dirname(storage.path(target)), mode=0o700, exist_ok=True)
    os.replace(source, storage.path(target))  # a rename needs no free space, unlike a copy
