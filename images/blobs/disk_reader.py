"""The threads that read a disk (a sparse raw file, or any source with `spans()` and `read_into()`) once
and hash it whole while its chunks are digested and stored.

One reader thread, one thread per whole-disk hash (md5, sha256) and a pool for the per-chunk work: hashlib
and zstandard release the GIL on large buffers, so on 2 cores md5, the slowest, runs beside everything
else. Data buffers come from a fixed pool, so memory stays at `POOL_BUFFERS` × 4 MiB whatever the disk's
size, and a slow consumer slows the reader instead of filling memory. Holes are found with SEEK_DATA /
SEEK_HOLE and never read; they feed one shared zero buffer to the whole-disk hashes.
"""

import errno
import hashlib
import mmap
import os
import queue
import threading
from collections.abc import Iterator
from concurrent.futures import Executor, Future

from images.blobs.models import CHUNK_SIZE

POOL_BUFFERS = 16
HASH_QUEUE_DEPTH = 64
ZERO = bytes(CHUNK_SIZE)
_ZERO_VIEW = memoryview(ZERO)
END = object()  # closes a queue


def data_extents(fd: int, size: int) -> Iterator[tuple[int, int]]:
    """(start, end) of the file's data areas; the whole file where the file system reports no holes."""
    position = 0
    while position < size:
        try:
            start = os.lseek(fd, position, os.SEEK_DATA)
        except OSError as error:
            if error.errno == errno.ENXIO:  # only a hole is left
                return
            if error.errno in (errno.EINVAL, errno.EOPNOTSUPP):
                yield position, size
                return
            raise
        end = min(os.lseek(fd, start, os.SEEK_HOLE), size)
        yield start, end
        position = end


def chunk_spans(fd: int, size: int, chunk_size: int = CHUNK_SIZE) -> Iterator[tuple[int, int, bool]]:
    """(index, length, has_data) of every chunk of the file, in order."""
    extents = data_extents(fd, size)
    extent = next(extents, None)
    for index in range(-(-size // chunk_size)):
        start = index * chunk_size
        end = min(start + chunk_size, size)
        while extent is not None and extent[1] <= start:
            extent = next(extents, None)
        yield index, end - start, extent is not None and extent[0] < end


class FileSource:
    """A sparse raw file: holes are found with SEEK_DATA/SEEK_HOLE and never read."""

    def __init__(self, fd: int, size: int):
        self.fd, self.size = fd, size

    def spans(self) -> Iterator[tuple[int, int, bool]]:
        return chunk_spans(self.fd, self.size)

    def read_chunks(self, pool: "BufferPool", stop: threading.Event):
        """(index, length, buffer) in order; buffer None for a hole. Stops when `stop` is set."""
        for index, length, has_data in self.spans():
            if not has_data:
                yield index, length, None
                continue
            buffer = pool.take(stop)
            if buffer is None:
                return
            view = memoryview(buffer)[:length]
            self.read_into(view, index * CHUNK_SIZE)
            view.release()
            yield index, length, buffer

    def read_into(self, view: memoryview, offset: int) -> None:
        done = 0
        while done < len(view):
            count = os.preadv(self.fd, [view[done:]], offset + done)
            if count == 0:
                raise OSError(errno.EIO, "the raw file became shorter while it was read")
            done += count


class BufferPool:
    """Chunk buffers for one import. They are anonymous memory maps rather than heap objects: unmapped
    when the import is over, they give their memory back at once instead of leaving a long-lived worker
    with fragmented, never-returned heap arenas."""

    def __init__(self, count: int, size: int = CHUNK_SIZE):
        self._free = queue.SimpleQueue()
        self._size, self._left_to_make = size, count
        self._lock = threading.Lock()

    def take(self, stop: threading.Event) -> mmap.mmap | None:
        """A free buffer, made on first need; None once `stop` is set."""
        with self._lock:
            if self._free.empty() and self._left_to_make:
                self._left_to_make -= 1
                return mmap.mmap(-1, self._size)
        while not stop.is_set():
            try:
                return self._free.get(timeout=0.1)
            except queue.Empty:
                continue
        return None

    def give(self, buffer: mmap.mmap) -> None:
        self._free.put(buffer)


class Piece:
    """One chunk of the disk on its way through the threads. Its buffer goes back to the pool when the
    last of its users (both whole-disk hashes and the chunk path) releases it; zero pieces have none."""

    __slots__ = ("_buffer", "_lock", "_pool", "_users", "digest", "index", "length", "view")

    def __init__(self, index: int, length: int, buffer: mmap.mmap | None = None, pool: BufferPool | None = None):
        self.index, self.length = index, length
        self.view = memoryview(buffer)[:length] if buffer is not None else _ZERO_VIEW[:length]
        self.digest: Future | None = None
        self._buffer, self._pool, self._users = buffer, pool, 3
        self._lock = threading.Lock()

    @property
    def is_zero(self) -> bool:
        return self._buffer is None

    def release(self) -> None:
        if self._buffer is None:
            return
        with self._lock:
            self._users -= 1
            last = self._users == 0
        if last:
            self._pool.give(self._buffer)
            self._buffer = None


class WholeDiskHash(threading.Thread):
    def __init__(self, algorithm: str):
        super().__init__(name=f"chunk-store-{algorithm}", daemon=True)
        self.hash = hashlib.new(algorithm)
        self.queue: queue.Queue = queue.Queue(maxsize=HASH_QUEUE_DEPTH)
        self.bytes_done = 0

    def run(self) -> None:
        while (piece := self.queue.get()) is not END:
            self.hash.update(piece.view)
            self.bytes_done += piece.length
            piece.release()


class DiskReader(threading.Thread):
    """Reads the file in chunk order: every piece goes to both whole-disk hashes; pieces with data also
    get their chunk digest started on `executor` and go to `pieces`, for the caller."""

    def __init__(self, source, *, executor: Executor, address, hashes: list[WholeDiskHash]):
        super().__init__(name="chunk-store-reader", daemon=True)
        self.source, self.executor, self.address, self.hashes = source, executor, address, hashes
        self.pool = BufferPool(getattr(source, "buffers", POOL_BUFFERS))
        self.pieces: queue.SimpleQueue = queue.SimpleQueue()
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for index, length, buffer in self.source.read_chunks(self.pool, self.stop):
                piece = self._piece(index, length, buffer)
                for whole in self.hashes:
                    whole.queue.put(piece)
                if not piece.is_zero:
                    piece.digest = self.executor.submit(self.address, piece.view)
                    self.pieces.put(piece)
        except BaseException as error:  # handed to the caller's thread, which raises it
            self.error = error
        finally:
            self.pieces.put(END)

    def _piece(self, index: int, length: int, buffer: mmap.mmap | None) -> Piece:
        if buffer is None or self._is_zero(buffer, length):
            if buffer is not None:
                self.pool.give(buffer)
            return Piece(index, length)
        return Piece(index, length, buffer, self.pool)

    @staticmethod
    def _is_zero(buffer: mmap.mmap, length: int) -> bool:
        # A search for `length` zero bytes within the first `length` bytes: a comparison that copies nothing.
        return buffer.find(ZERO if length == CHUNK_SIZE else ZERO[:length], 0, length) == 0
