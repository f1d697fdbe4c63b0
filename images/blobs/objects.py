"""The objects behind chunks: how plaintext is addressed and encoded, and how objects go in and out of storage."""

import hashlib
import os
import secrets
import tempfile
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from functools import partial
from typing import BinaryIO

import zstandard
from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage

from core.errors import storage_writes
from images.blobs.models import object_name
from obs.storage import storage_for

# Level 1: on 2 cores the import is CPU-bound, and higher levels cost far more time than the few
# percent of space they save on disk images.
ZSTD_LEVEL = 1
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"  # 0xFD2FB528, little-endian: the first bytes of every zstd frame


class ChunkCorrupted(Exception):
    """A stored chunk does not decode to the plaintext its address names."""


@dataclass(frozen=True)
class StoredObject:
    digest: str
    generation: str
    size: int
    stored_size: int


class PlainCodec:
    """Chunks addressed by the SHA-256 of their plaintext, stored zstd-compressed, shared by a region's disks.

    A chunk zstd cannot shrink (random or already compressed data) is stored as it is: an object exactly as
    long as its plaintext is the plaintext, a shorter one is a zstd frame. That saves the compression on the
    way in and the decompression on the way out for most of an incompressible disk. Chunks stored before then
    are all zstd frames, a few of them exactly as long as their plaintext: `decode` tells those apart.

    Encrypted images use `images.blobs.sealed.SealedCodec` (`sealed` True): keyed addresses, zstd then
    AES-256-GCM. The store only calls `address`, `encode`, `encode_to` and `decode`.
    """

    sealed = False

    def __init__(self):
        self._local = threading.local()  # zstandard contexts must not be shared between threads

    def address(self, data) -> str:
        return hashlib.sha256(data).hexdigest()

    def encode(self, data) -> bytes:
        if compresses(self._compressor(), data):
            packed = self._compressor().compress(data)
            if len(packed) < len(data):
                return packed
        return bytes(data)

    def encode_to(self, data, handle) -> None:
        """Writes the encoded chunk to a file in small pieces, so no chunk-sized output is allocated."""
        start = handle.tell()
        if compresses(self._compressor(), data):
            with self._compressor().stream_writer(handle, size=len(data), closefd=False) as writer:
                writer.write(data)
            if handle.tell() - start < len(data):
                return
            handle.seek(start)
            handle.truncate()
        handle.write(data)

    def _compressor(self) -> zstandard.ZstdCompressor:
        if not hasattr(self._local, "compressor"):
            self._local.compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL)
        return self._local.compressor

    def decode(self, blob: bytes, *, digest: str, size: int, verify: bool = True) -> bytes:
        """The chunk's plaintext. `verify` False skips re-hashing it: on local storage chunks are verified when
        written and by the chunk audit (`images.blobs.audit`), not on every read."""
        data = self._plaintext(blob, digest=digest, size=size)
        if verify and self.address(data) != digest:
            raise ChunkCorrupted(f"chunk {digest} does not match its address")
        return data

    def _plaintext(self, blob, *, digest: str, size: int):
        if len(blob) != size:
            return self.decompressed(blob, digest=digest, size=size)
        if blob[:4] != ZSTD_MAGIC:
            return blob  # every zstd frame starts with the magic: this cannot be one
        # Either a stored-as-is chunk that happens to start like a frame (a .zst file in the disk), or a frame
        # written before chunks were stored as they are that came out exactly as long as its plaintext. Only
        # the address tells them apart; both are rare, so the extra hash costs little.
        return blob if self.address(blob) == digest else self.decompressed(blob, digest=digest, size=size)

    def decompressed(self, blob, *, digest: str, size: int) -> bytes:
        if not hasattr(self._local, "decompressor"):
            self._local.decompressor = zstandard.ZstdDecompressor()
        try:
            data = self._local.decompressor.decompress(blob, max_output_size=size)
        except zstandard.ZstdError as error:
            raise ChunkCorrupted(f"chunk {digest} does not decompress: {error}") from error
        if len(data) != size:
            raise ChunkCorrupted(f"chunk {digest} does not match its address")
        return data


PLAIN = PlainCodec()

PROBE_BYTES = 16 * 1024
PROBE_GAIN = 0.97  # a chunk whose samples do not shrink below this ratio is stored uncompressed


def compresses(compressor: zstandard.ZstdCompressor, data) -> bool:
    """Whether zstd is worth running on the whole chunk, judged from three small samples (start, middle, end):
    a fraction of the compression's cost, and a wrong guess only costs space or one wasted compression."""
    view = memoryview(data)
    if len(view) <= 3 * PROBE_BYTES:
        return True
    starts = (0, (len(view) - PROBE_BYTES) // 2, len(view) - PROBE_BYTES)
    packed = sum(len(compressor.compress(view[start : start + PROBE_BYTES])) for start in starts)
    return packed < PROBE_GAIN * 3 * PROBE_BYTES


def chunk_storage(region_id: str) -> Storage:
    return storage_for("chunks", region_id)


def new_generation() -> str:
    return secrets.token_hex(8)


def store_plaintext(storage: Storage, codec: PlainCodec, data, digest: str) -> StoredObject:
    # A sealed chunk's address is sealed into its object with it: its codec takes the digest too.
    encoding = {"digest": digest} if codec.sealed else {}
    generation = new_generation()
    name = object_name(digest, generation, sealed=codec.sealed)
    if isinstance(storage, FileSystemStorage):
        stored_size = _write_file_durably(storage.path(name), partial(codec.encode_to, data, **encoding))
    else:
        blob = codec.encode(data, **encoding)
        _save_remote(storage, name, blob)
        stored_size = len(blob)
    return StoredObject(digest, generation, len(data), stored_size)


def store_blob(storage: Storage, blob: bytes, *, digest: str, size: int, sealed: bool = False) -> StoredObject:
    """Stores an already encoded chunk (a copy from another region, a sealed chunk)."""
    generation = new_generation()
    name = object_name(digest, generation, sealed=sealed)
    if isinstance(storage, FileSystemStorage):
        _write_file_durably(storage.path(name), lambda handle: handle.write(blob))
    else:
        _save_remote(storage, name, blob)
    return StoredObject(digest, generation, size, len(blob))


def _save_remote(storage: Storage, name: str, blob: bytes) -> None:
    """One PUT through the storage's own S3 client. Not `storage.save`: boto3's managed transfer behind it keeps
    buffers of its own for each call, and with a few chunks stored at once a web process receiving an upload grew
    from about 250 to 390 MB. Chunk buckets have no key prefix (obs.storage.storage_for), so the key is the name."""
    if storage.location:
        raise RuntimeError("chunk buckets are used without a key prefix")
    with storage_writes():  # a full bucket (quota) or a refused PUT: its own code (core.errors.s3_write_failure)
        storage.connection.meta.client.put_object(
            Bucket=storage.bucket_name, Key=name, Body=blob if isinstance(blob, bytes) else bytes(blob)
        )


def get_object(storage: Storage, name: str) -> bytes:
    if isinstance(storage, FileSystemStorage):
        with open(storage.path(name), "rb", buffering=0) as handle:  # one read of the whole object, no buffer
            return handle.readall()
    with storage.open(name, "rb") as handle:
        return handle.read()


def chunks_are_local(region_id: str) -> bool:
    """Whether the region's chunks are files of this machine (rather than objects of an S3 endpoint)."""
    return isinstance(chunk_storage(region_id), FileSystemStorage)


def verify_on_read(storage: Storage) -> bool:
    """Whether a read re-hashes each chunk: `CHUNK_VERIFY_ON_READ`, by default only where the bytes cross a
    network (S3). Local chunks are verified when written and by the periodic audit (`images.blobs.audit`)."""
    configured = getattr(settings, "CHUNK_VERIFY_ON_READ", None)
    return not isinstance(storage, FileSystemStorage) if configured is None else configured


def delete_object(storage: Storage, name: str) -> None:
    storage.delete(name)


def _write_file_durably(path: str, write: Callable[[BinaryIO], object]) -> int:
    """Runs `write` on a temporary file, then moves it to `path`; returns the file's size.

    The manifest naming this chunk may be committed right after: its bytes must be on disk first, and a
    crash must never leave a half-written object under the final name."""
    directory = os.path.dirname(path)
    with storage_writes():  # a full or read-only store: its own code and status (core.errors.storage_failure)
        os.makedirs(directory, mode=0o700, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as handle:
                write(handle)
                handle.flush()
                size = handle.tell()
                os.fdatasync(handle.fileno())
            os.replace(temporary, path)
            _sync_directory(directory)
        except BaseException:
            with suppress(OSError):
                os.unlink(temporary)
            raise
    return size


def _sync_directory(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
