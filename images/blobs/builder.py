"""Gathering a new manifest in one region: finding chunks it can reuse, recording the ones just stored,
and committing it only once every chunk it names is known to exist.

The order is what makes the store crash-safe and safe beside the collector (see `gc`): an object is
written before its chunk row, every chunk is touched (`last_referenced_at`) before a manifest names it,
and the transaction that writes the manifest touches them all again and checks that none has gone.
"""

import concurrent.futures
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import islice

from django.db import transaction
from django.utils import timezone

from images.blobs.models import CHUNK_SIZE, Chunk, Manifest, ManifestEntry, object_name
from images.blobs.objects import StoredObject, delete_object

logger = logging.getLogger(__name__)

DB_BATCH = 500
COMMIT_ATTEMPTS = 3
# A long write touches the chunks it has gathered again this often: well inside the collector's grace period
# (gc.DEFAULT_GRACE, 6 hours), so none of them is collected before the manifest names them. A chunk that still
# vanished would have to be stored again from the source, which an upload keeps only in part.
RETOUCH_EVERY = 3600.0


class ChunksVanished(Exception):
    """Chunks a manifest is about to name were removed by the collector in the meantime."""

    def __init__(self, chunk_ids: list[int]):
        super().__init__(f"{len(chunk_ids)} chunk(s) vanished before the manifest naming them was written")
        self.chunk_ids = chunk_ids


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def touch_chunks(region_id: str, digests: list[str], *, sealed: bool = False) -> dict[str, tuple[int, int]]:
    """The region's chunks among `digests`, touched first so the collector spares them: digest → (id, stored size)."""
    found = Chunk.objects.filter(region_id=region_id, digest__in=digests, sealed=sealed, quarantined_at__isnull=True)
    found.update(last_referenced_at=timezone.now())
    return {digest: (pk, stored) for digest, pk, stored in found.values_list("digest", "pk", "stored_size")}


def retouch_all(chunk_ids: Iterable[int]) -> None:
    """Touches every chunk again; raises ChunksVanished naming those that no longer exist (or were quarantined
    by the audit meanwhile: they are stored again from the source, as new chunks)."""
    now, missing = timezone.now(), []
    for batch in batched(sorted(chunk_ids), DB_BATCH):
        usable = Chunk.objects.filter(pk__in=batch, quarantined_at__isnull=True)
        if usable.update(last_referenced_at=now) != len(batch):
            present = set(usable.values_list("pk", flat=True))
            missing += [pk for pk in batch if pk not in present]
    if missing:
        raise ChunksVanished(missing)


@dataclass
class _Upload:
    future: concurrent.futures.Future
    indices: list[int]
    size: int


@dataclass
class ManifestBuilder:
    """Used from one thread only, the one that talks to the database; storing happens on other threads."""

    region_id: str
    storage: object
    chunks: dict[str, tuple[int, int]] = field(default_factory=dict)  # digest → (chunk id, stored size)
    entries: list[tuple[int, int]] = field(default_factory=list)  # (index, chunk id)
    uploads: dict[str, _Upload] = field(default_factory=dict)
    data_bytes: int = 0
    new_bytes: int = 0  # plaintext bytes this manifest stored
    new_stored_bytes: int = 0  # bytes of the objects it added to the region
    sent_bytes: int = 0  # bytes of every object it wrote, kept or not
    deduplicated_bytes: int = 0
    sealed: bool = False  # the chunk space: plaintext, or sealed chunks of encrypted images
    touched_at: float = field(default_factory=time.monotonic)

    def find(self, digests: Iterable[str]) -> None:
        wanted = [d for d in dict.fromkeys(digests) if d not in self.chunks and d not in self.uploads]
        for batch in batched(wanted, DB_BATCH):
            self.chunks.update(touch_chunks(self.region_id, batch, sealed=self.sealed))

    def place(self, index: int, digest: str, size: int) -> bool:
        """Adds the entry if its chunk exists or is being stored; False: the caller must store it (`storing`)."""
        if digest in self.chunks:
            self.entries.append((index, self.chunks[digest][0]))
        elif digest in self.uploads:
            self.uploads[digest].indices.append(index)
        else:
            return False
        self.data_bytes += size
        self.deduplicated_bytes += size
        return True

    def storing(self, index: int, digest: str, size: int, future: concurrent.futures.Future) -> None:
        """`future` stores the chunk's object and returns its StoredObject."""
        self.uploads[digest] = _Upload(future, [index], size)
        self.data_bytes += size

    @property
    def pending_bytes(self) -> int:
        return sum(upload.size for upload in self.uploads.values())

    def settle(self, *, wait: bool = False, at_most_pending: int | None = None) -> None:
        """Records the stored objects as chunk rows and places their entries."""
        futures = [upload.future for upload in self.uploads.values()]
        if wait:
            concurrent.futures.wait(futures)
        while at_most_pending is not None and len(futures) > at_most_pending:
            _done, pending = concurrent.futures.wait(futures, return_when=concurrent.futures.FIRST_COMPLETED)
            futures = list(pending)
        finished = {d: u for d, u in self.uploads.items() if u.future.done()}
        for digest in finished:
            del self.uploads[digest]
        stored, errors = [], []
        for upload in finished.values():
            error = upload.future.exception()
            (errors if error else stored).append(error or upload.future.result())
        # If recording fails, the objects stay: an object no row names is only wasted space, while
        # removing one whose row did get written would break every manifest naming it.
        ids = self._record(stored)
        for digest, upload in finished.items():
            if digest in ids:
                self.entries += [(index, ids[digest][0]) for index in upload.indices]
        if errors:
            raise errors[0]
        self._keep_touched()

    def _keep_touched(self) -> None:
        if not self.entries or time.monotonic() - self.touched_at < RETOUCH_EVERY:
            return
        with suppress(ChunksVanished):  # the commit finds them again and stores them anew
            retouch_all({pk for _, pk in self.entries})
        self.touched_at = time.monotonic()

    def abort(self) -> None:
        """After a failure: waits for the objects still being written and removes them (no row names them)."""
        concurrent.futures.wait([upload.future for upload in self.uploads.values()])
        self._discard([u.future.result() for u in self.uploads.values() if not u.future.exception()])
        self.uploads.clear()

    def commit(
        self, *, virtual_size: int, restore: Callable[[str, int], StoredObject], chunk_size: int = CHUNK_SIZE
    ) -> Manifest:
        """Writes the manifest once all its chunks are touched again in the same transaction. A chunk the
        collector removed meanwhile (an import slower than the grace period) is stored again by `restore`
        (digest, first index naming it), then the commit is retried."""
        assert not self.uploads, "settle(wait=True) first"
        for attempt in range(COMMIT_ATTEMPTS):
            try:
                with transaction.atomic():
                    retouch_all({pk for _, pk in self.entries})
                    return self._write(virtual_size, chunk_size)
            except ChunksVanished as vanished:
                if attempt == COMMIT_ATTEMPTS - 1:
                    raise
                logger.warning("%s; storing them again", vanished)
                self._restore(set(vanished.chunk_ids), restore)
        raise AssertionError("unreachable")

    def _write(self, virtual_size: int, chunk_size: int) -> Manifest:
        used = {pk for _, pk in self.entries}
        manifest = Manifest.objects.create(
            region_id=self.region_id,
            virtual_size=virtual_size,
            chunk_size=chunk_size,
            data_bytes=self.data_bytes,
            new_bytes=self.new_stored_bytes,
            stored_bytes=sum(stored for pk, stored in set(self.chunks.values()) if pk in used),
        )
        self.entries.sort()
        for batch in batched(self.entries, 1000):
            ManifestEntry.objects.bulk_create(
                [ManifestEntry(manifest=manifest, index=index, chunk_id=pk) for index, pk in batch]
            )
        return manifest

    def _restore(self, lost: set[int], restore: Callable[[str, int], StoredObject]) -> None:
        digests = {pk: digest for digest, (pk, _) in self.chunks.items() if pk in lost}
        first_index = {}
        for index, pk in self.entries:
            first_index.setdefault(pk, index)
        for digest in digests.values():
            del self.chunks[digest]
        stored = [restore(digest, first_index[pk]) for pk, digest in digests.items()]
        ids = self._record(stored)
        self.entries = [(index, ids[digests[pk]][0] if pk in lost else pk) for index, pk in self.entries]

    def _record(self, stored: list[StoredObject]) -> dict[str, tuple[int, int]]:
        """Rows for objects just written. Another writer may have stored the same chunk meanwhile: then its
        row wins, and this writer's object, named by no row, is removed."""
        recorded = {}
        for batch in batched(stored, DB_BATCH):
            now = timezone.now()
            Chunk.objects.bulk_create(
                [
                    Chunk(
                        region_id=self.region_id,
                        digest=s.digest,
                        generation=s.generation,
                        sealed=self.sealed,
                        size=s.size,
                        stored_size=s.stored_size,
                        created_at=now,
                        last_referenced_at=now,
                        verified_at=now,  # its address was just computed from the very bytes stored
                    )
                    for s in batch
                ],
                ignore_conflicts=True,
            )
            rows = {
                d: (pk, g, st)
                for d, pk, g, st in Chunk.objects.filter(
                    region_id=self.region_id, digest__in=[s.digest for s in batch], quarantined_at__isnull=True
                ).values_list("digest", "pk", "generation", "stored_size")
            }
            lost = [s for s in batch if s.digest in rows and rows[s.digest][1] != s.generation]
            if lost:
                touch_chunks(self.region_id, [s.digest for s in lost], sealed=self.sealed)
                self._discard(lost)
            for s in batch:
                self.sent_bytes += s.stored_size
                pk, generation, stored_size = rows[s.digest]
                recorded[s.digest] = (pk, stored_size)
                if generation == s.generation:
                    self.new_bytes += s.size
                    self.new_stored_bytes += s.stored_size
                else:
                    self.deduplicated_bytes += s.size
        self.chunks.update(recorded)
        return recorded

    def _discard(self, stored: list[StoredObject]) -> None:
        for s in stored:
            try:
                delete_object(self.storage, object_name(s.digest, s.generation, sealed=self.sealed))
            except Exception:  # an unnamed object wastes space but breaks nothing
                logger.warning("could not remove unneeded chunk object %s", s.digest, exc_info=True)
