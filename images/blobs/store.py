"""Disks in the chunk store: write a sparse raw file as a manifest, read it back, copy it, delete it.

A disk's virtual content is cut into 4 MiB chunks aligned to virtual offsets. All-zero chunks and holes
are not stored; the others are zstd-compressed and addressed by the SHA-256 of their plaintext, once per
region. Data never sits whole in memory: at most a few dozen chunks are in flight.

`key` is the data key of an encrypted image: its chunks are sealed (keyed addresses, AES-256-GCM) and kept
apart from the plaintext ones; see `sealed.SealedCodec`. Only images sharing a data key share sealed chunks.
"""

import os
import queue
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ImsError
from iam.models import Region
from images.blobs.builder import ChunksVanished, ManifestBuilder, retouch_all
from images.blobs.disk_reader import END, ZERO, DiskReader, FileSource, Piece, WholeDiskHash
from images.blobs.models import CHUNK_SIZE, Chunk, Manifest, ManifestEntry, object_name
from images.blobs.objects import (
    PlainCodec,
    StoredObject,
    chunk_storage,
    get_object,
    store_blob,
    store_plaintext,
    verify_on_read,
)
from images.blobs.sealed import codec_for

WRITE_WORKERS = 4  # per-chunk digest, compression and upload; uploads to S3 wait on the network
READ_WORKERS = 4
READ_AHEAD = 4
# A download reads (and decompresses) this many chunks ahead of the socket, on as many threads; zero chunks are
# never read. Few: the web process serving it stays small, and a raw chunk takes far less time to read than to send.
STREAM_AHEAD = 2
COPY_WINDOW = 8
PLACE_BATCH = 8
PROGRESS_INTERVAL = 0.25  # seconds


@dataclass(frozen=True)
class WriteResult:
    manifest: Manifest
    sha256: str  # of the whole virtual disk, zeros included
    md5: str
    virtual_size: int
    data_bytes: int  # plaintext bytes of the non-zero chunks
    new_bytes: int  # of those, bytes the region did not have (stored now)
    stored_new_bytes: int  # bytes of the objects written for them, after compression
    deduplicated_bytes: int  # non-zero bytes the region already had (or that repeat within the disk)


def write_raw_disk(
    region: Region, raw_path, *, on_progress: Callable[[int, int], None] | None = None, key: bytes | None = None
) -> WriteResult:
    """Stores a sparse raw disk image; `on_progress(bytes_done, bytes_total)` a few times a second at most."""
    with open(raw_path, "rb") as raw:
        return write_disk(
            region, FileSource(raw.fileno(), os.fstat(raw.fileno()).st_size), on_progress=on_progress, key=key
        )


def write_disk(
    region: Region,
    source,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    key: bytes | None = None,
) -> WriteResult:
    """Stores the disk `source` serves (`size`, `spans()`, `read_into(view, offset)`): a raw file, or an image
    file decoded by qemu-nbd, or a request body as it arrives (whose `size` is known only at its end)."""
    codec, storage = codec_for(key), chunk_storage(region.pk)
    builder = ManifestBuilder(region.pk, storage, sealed=codec.sealed)
    sha256, md5 = _store_chunks(source, codec, builder, _Progress(on_progress, source.size))
    size = source.size
    manifest = builder.commit(virtual_size=size, restore=partial(_restore_from_source, source, codec, storage))
    return WriteResult(
        manifest,
        sha256,
        md5,
        size,
        builder.data_bytes,
        builder.new_bytes,
        builder.new_stored_bytes,
        builder.deduplicated_bytes,
    )


def read_raw_disk(manifest: Manifest, dst_path, *, key: bytes | None = None) -> None:
    """Rebuilds the disk as a sparse raw file: only stored chunks are written, the rest stays holes."""
    codec, storage = codec_for(key), chunk_storage(manifest.region_id)
    with open(dst_path, "wb") as dst, ThreadPoolExecutor(READ_WORKERS, "chunk-store-read") as executor:
        dst.truncate(manifest.virtual_size)
        window = deque()
        for page in _entry_pages(manifest):
            for index, digest, generation, size in page:
                window.append(
                    executor.submit(
                        _fetch_into, storage, codec, dst.fileno(), index * manifest.chunk_size, digest, generation, size
                    )
                )
                if len(window) >= READ_AHEAD * 2:
                    window.popleft().result()
        while window:
            window.popleft().result()


def iter_raw_disk(
    manifest: Manifest, start: int = 0, end: int | None = None, *, key: bytes | None = None
) -> Iterator[bytes]:
    """The bytes [start, end) of the virtual disk, in pieces of at most one chunk; zeros where nothing is stored."""
    end = manifest.virtual_size if end is None else min(end, manifest.virtual_size)
    if start >= end:
        return
    size = manifest.chunk_size
    codec, storage = codec_for(key), chunk_storage(manifest.region_id)
    fetch = partial(_fetch, storage, codec, verify=verify_on_read(storage))
    with ThreadPoolExecutor(STREAM_AHEAD, "chunk-store-stream") as executor:
        for index, fetched in _fetch_ahead(manifest, start // size, (end - 1) // size, fetch, executor):
            data = fetched.result() if fetched is not None else ZERO
            low, high = max(start - index * size, 0), min(end - index * size, size)
            yield data if (low, high) == (0, len(data)) else data[low:high]


def iter_stored_chunks(manifest: Manifest, *, key: bytes | None = None) -> Iterator[tuple[int, bytes]]:
    """(offset in the disk, plaintext) of each stored chunk in order, read ahead on a few threads; zero chunks are
    neither read nor given. Re-hashed as a download is (`verify_on_read`): this is the disk leaving the store."""
    codec, storage = codec_for(key), chunk_storage(manifest.region_id)
    fetch = partial(_fetch, storage, codec, verify=verify_on_read(storage))
    last = (manifest.virtual_size - 1) // manifest.chunk_size
    with ThreadPoolExecutor(READ_WORKERS, "chunk-store-export") as executor:
        for index, fetched in _fetch_ahead(manifest, 0, last, fetch, executor, ahead=READ_AHEAD):
            if fetched is not None:
                yield index * manifest.chunk_size, fetched.result()


def copy_manifest(manifest: Manifest, *, target_region: Region, key: bytes | None = None) -> tuple[Manifest, int]:
    """A new manifest of the same disk in `target_region`, and the bytes that had to travel.

    In the same region nothing is written but the manifest; across regions only the chunks the target lacks
    are sent, as stored (compressed), so nothing is decoded on the way. `key`: the data key of an encrypted
    disk, which the copy keeps (so they share their sealed chunks); such a disk never leaves its region."""
    if target_region.pk == manifest.region_id:
        return _copy_in_region(manifest), 0
    if key is not None:
        raise ValueError("an encrypted disk is never copied to another region")
    return _copy_across_regions(manifest, target_region)


def recode_manifest(
    manifest: Manifest,
    *,
    source_key: bytes | None,
    target_key: bytes | None,
    on_progress: Callable[[int, int], None] | None = None,
) -> WriteResult:
    """The same disk stored again in its region under another data key (encrypt, re-key or decrypt): every chunk
    is opened with `source_key` and stored with `target_key`, in memory only, never as a plaintext file."""
    region = Region.objects.get(pk=manifest.region_id)
    return write_disk(region, ManifestSource(manifest, source_key), on_progress=on_progress, key=target_key)


class ManifestReads:
    """Any bytes of a stored disk, for a reader that jumps about (OS detection). It needs neither the database nor
    a thread once made, so a forked child may read with it, where the chunks are local files; the last few
    decoded chunks are kept."""

    kept = 8

    def __init__(self, manifest: Manifest, key: bytes | None = None):
        self.size, self.chunk_size = manifest.virtual_size, manifest.chunk_size
        self.codec, self.storage = codec_for(key), chunk_storage(manifest.region_id)
        self.verify = verify_on_read(self.storage)
        self.entries = {row[0]: row[1:] for page in _entry_pages(manifest) for row in page}
        self.zero = bytes(self.chunk_size)
        self.chunks: OrderedDict[int, bytes] = OrderedDict()

    def read(self, offset: int, length: int) -> bytes:
        """The bytes [offset, offset + length) that the disk holds (fewer at its end)."""
        end, pieces = min(offset + length, self.size), []
        while offset < end:
            index, low = divmod(offset, self.chunk_size)
            high = min(self.chunk_size, end - index * self.chunk_size)
            pieces.append(memoryview(self._chunk(index))[low:high])
            offset = index * self.chunk_size + high
        return b"".join(pieces)

    def _chunk(self, index: int) -> bytes:
        data = self.chunks.pop(index, None)
        if data is None:
            entry = self.entries.get(index)
            data = _fetch(self.storage, self.codec, *entry, verify=self.verify) if entry else self.zero
        self.chunks[index] = data
        if len(self.chunks) > self.kept:
            self.chunks.popitem(last=False)
        return data


class ManifestSource:
    """A stored disk read as a source for `write_disk`: chunks are fetched ahead and decoded into pool buffers;
    chunks not stored are holes. Every chunk is verified (as by every read but a download): a damaged one would
    otherwise be stored again under a new address computed from its damaged bytes, and no audit could tell. The
    entries are read here, in the caller's thread: the reader thread that calls `read_chunks` must not need the
    database."""

    def __init__(self, manifest: Manifest, key: bytes | None):
        self.size, self.chunk_size = manifest.virtual_size, manifest.chunk_size
        self.codec, self.storage = codec_for(key), chunk_storage(manifest.region_id)
        self.entries = {row[0]: row[1:] for page in _entry_pages(manifest) for row in page}

    def read_chunks(self, pool, stop):
        count = -(-self.size // self.chunk_size)
        with ThreadPoolExecutor(READ_WORKERS, "chunk-store-recode") as executor:
            pending = deque()
            for index in range(count):
                if stop.is_set():
                    return
                entry = self.entries.get(index)
                pending.append((index, executor.submit(_fetch, self.storage, self.codec, *entry) if entry else None))
                if len(pending) > READ_AHEAD:
                    yield from self._placed(*pending.popleft(), pool, stop)
            while pending:
                yield from self._placed(*pending.popleft(), pool, stop)

    def _placed(self, index: int, fetched, pool, stop):
        length = min(self.chunk_size, self.size - index * self.chunk_size)
        if fetched is None:
            yield index, length, None
            return
        data = fetched.result()
        buffer = pool.take(stop)
        if buffer is not None:
            buffer[:length] = data
            yield index, length, buffer

    def read_into(self, view: memoryview, offset: int) -> None:
        """One chunk again (the builder restores a chunk the collector removed meanwhile)."""
        entry = self.entries.get(offset // self.chunk_size)
        view[:] = _fetch(self.storage, self.codec, *entry)[: len(view)] if entry else bytes(len(view))


def delete_manifest(manifest: Manifest) -> None:
    """Removes the manifest only; its chunks stay until the collector finds no manifest naming them."""
    Manifest.objects.filter(pk=manifest.pk).delete()


# Writing


def _store_chunks(source, codec: PlainCodec, builder: ManifestBuilder, progress) -> tuple[str, str]:
    hashes = [WholeDiskHash("sha256"), WholeDiskHash("md5")]
    with ThreadPoolExecutor(WRITE_WORKERS, "chunk-store-write") as executor:
        reader = DiskReader(source, executor=executor, address=codec.address, hashes=hashes)
        for thread in (*hashes, reader):
            thread.start()
        try:
            _place_pieces(
                reader,
                codec,
                builder,
                executor,
                lambda: progress(min(h.bytes_done for h in hashes) - builder.pending_bytes),
            )
            builder.settle(wait=True)
        except BaseException:
            reader.stop.set()
            builder.abort()
            raise
        finally:
            reader.join()  # before the hash threads end: it may still be handing them pieces
            for whole in hashes:
                whole.queue.put(END)
                whole.join()
    progress.finish()
    return hashes[0].hash.hexdigest(), hashes[1].hash.hexdigest()


def _place_pieces(reader: DiskReader, codec, builder: ManifestBuilder, executor, report) -> None:
    """Looks the digests up in small batches, as they come; stores the chunks the region lacks."""
    batch = []
    while True:
        try:
            # Never hold a batch while waiting: the reader may be waiting for these very buffers.
            piece = reader.pieces.get(block=not batch, timeout=0.05)
        except queue.Empty:
            piece = None
        if piece is not None and piece is not END:
            batch.append(piece)
        if piece is None or piece is END or len(batch) >= PLACE_BATCH:
            _place_batch(batch, codec, builder, executor)
            batch = []
            builder.settle()
            report()
        if piece is END:
            break
    if reader.error is not None:
        raise reader.error


def _place_batch(batch: list[Piece], codec, builder: ManifestBuilder, executor) -> None:
    if not batch:
        return
    digests = [piece.digest.result() for piece in batch]
    builder.find(digests)
    for piece, digest in zip(batch, digests, strict=False):
        if builder.place(piece.index, digest, piece.length):
            piece.release()
        else:
            builder.storing(
                piece.index,
                digest,
                piece.length,
                executor.submit(_encode_and_store, builder.storage, codec, piece, digest),
            )


def _encode_and_store(storage, codec: PlainCodec, piece: Piece, digest: str) -> StoredObject:
    try:
        return store_plaintext(storage, codec, piece.view, digest)
    finally:
        piece.release()


def _restore_from_source(source, codec: PlainCodec, storage, digest: str, index: int) -> StoredObject:
    data = bytearray(min(CHUNK_SIZE, source.size - index * CHUNK_SIZE))
    source.read_into(memoryview(data), index * CHUNK_SIZE)
    if codec.address(data) != digest:
        raise RuntimeError("the disk changed while it was being stored")
    return store_plaintext(storage, codec, data, digest)


class _Progress:
    """Throttled, never backwards, and the total only once everything but the manifest is done."""

    def __init__(self, callback: Callable[[int, int], None] | None, total: int):
        self.callback, self.total, self.last, self.done = callback, total, 0.0, 0

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if self.callback is not None and now - self.last >= PROGRESS_INTERVAL:
            self.last, self.done = now, max(min(done, self.total - 1), self.done)
            self.callback(self.done, self.total)

    def finish(self) -> None:
        if self.callback is not None:
            self.callback(self.total, self.total)


# Reading


def _entry_pages(manifest: Manifest, first: int = 0, last: int | None = None) -> Iterator[list[tuple]]:
    """(index, digest, generation, size) of the stored chunks from index `first` to `last`, a page at a time."""
    entries = (
        ManifestEntry.objects.filter(manifest=manifest)
        .order_by("index")
        .values_list("index", "chunk__digest", "chunk__generation", "chunk__size")
    )
    if last is not None:
        entries = entries.filter(index__lte=last)
    after = first - 1
    while page := list(entries.filter(index__gt=after)[:1000]):
        yield page
        after = page[-1][0]


def _fetch(storage, codec: PlainCodec, digest: str, generation: str, size: int, *, verify: bool = True) -> bytes:
    """The chunk's plaintext, re-hashed unless `verify` is False (a download, as CHUNK_VERIFY_ON_READ says)."""
    name = object_name(digest, generation, sealed=codec.sealed)
    return codec.decode(get_object(storage, name), digest=digest, size=size, verify=verify)


def _fetch_into(storage, codec: PlainCodec, fd: int, offset: int, digest: str, generation: str, size: int) -> None:
    data = memoryview(_fetch(storage, codec, digest, generation, size))
    while data:
        written = os.pwrite(fd, data, offset)
        data, offset = data[written:], offset + written


def _fetch_ahead(
    manifest, first: int, last: int, fetch, executor, *, ahead: int = STREAM_AHEAD
) -> Iterator[tuple[int, object]]:
    """(index, future of the chunk's bytes or None for zeros) for every chunk from `first` to `last`, the next
    `ahead` of them (zeros included) already asked for."""
    entries = (row for page in _entry_pages(manifest, first, last) for row in page)
    entry = next(entries, None)
    pending = deque()
    for index in range(first, last + 1):
        fetched = None
        if entry is not None and entry[0] == index:
            fetched = executor.submit(fetch, *entry[1:])
            entry = next(entries, None)
        pending.append((index, fetched))
        if len(pending) > ahead:
            yield pending.popleft()
    yield from pending


# Copying


def _copy_in_region(manifest: Manifest) -> Manifest:
    with transaction.atomic():
        chunk_ids = ManifestEntry.objects.filter(manifest=manifest).values_list("chunk_id", flat=True).distinct()
        try:
            retouch_all(list(chunk_ids))  # the source may be deleted meanwhile: its chunks must not be collected
        except ChunksVanished:
            # The chunk audit set some aside as damaged (the images naming them failed): nothing sound to copy.
            raise ImsError(
                "IMG.0990",
                _("Part of this disk's stored data failed its integrity check and was set aside; it cannot be copied."),
                409,
            ) from None
        copy = Manifest.objects.create(
            region_id=manifest.region_id,
            virtual_size=manifest.virtual_size,
            chunk_size=manifest.chunk_size,
            data_bytes=manifest.data_bytes,
            stored_bytes=manifest.stored_bytes,
            new_bytes=0,
        )
        entries = ManifestEntry.objects.filter(manifest=manifest).order_by("index").values_list("index", "chunk_id")
        after = -1
        while page := list(entries.filter(index__gt=after)[:1000]):
            ManifestEntry.objects.bulk_create([ManifestEntry(manifest=copy, index=i, chunk_id=c) for i, c in page])
            after = page[-1][0]
    return copy


def _copy_across_regions(manifest: Manifest, target_region: Region) -> tuple[Manifest, int]:
    source, target = chunk_storage(manifest.region_id), chunk_storage(target_region.pk)
    builder = ManifestBuilder(target_region.pk, target)
    with ThreadPoolExecutor(COPY_WINDOW, "chunk-store-copy") as executor:
        try:
            for page in _entry_pages(manifest):
                builder.find(digest for _, digest, _, _ in page)
                for index, digest, generation, size in page:
                    if not builder.place(index, digest, size):
                        builder.storing(
                            index, digest, size, executor.submit(_transfer, source, target, digest, generation, size)
                        )
                        builder.settle(at_most_pending=COPY_WINDOW)
            builder.settle(wait=True)
        except BaseException:
            builder.abort()
            raise
    copy = builder.commit(
        virtual_size=manifest.virtual_size,
        chunk_size=manifest.chunk_size,
        restore=partial(_restore_from_region, manifest.region_id, source, target),
    )
    return copy, builder.sent_bytes


def _transfer(source, target, digest: str, generation: str, size: int) -> StoredObject:
    return store_blob(target, get_object(source, object_name(digest, generation)), digest=digest, size=size)


def _restore_from_region(region_id: str, source, target, digest: str, index: int) -> StoredObject:
    chunk = Chunk.objects.get(region_id=region_id, digest=digest, quarantined_at__isnull=True)
    return _transfer(source, target, digest, chunk.generation, chunk.size)


__all__ = [
    "ChunksVanished",
    "WriteResult",
    "copy_manifest",
    "delete_manifest",
    "iter_raw_disk",
    "read_raw_disk",
    "recode_manifest",
    "write_raw_disk",
]
