"""A request body as a disk source for `store.write_disk`: the chunks are hashed, compressed and stored while
the bytes arrive, so that when the last byte is in, only the inspection of the file is left to do.

The body is also staged as a file of its size. Where the chunks are local files, only the file's first chunk and
last bytes are written to it: inspecting a raw disk reads nothing else (the format headers at the head, a footer
at the end), what is inside the disk is read from the stored chunks, and a file the inspection refuses is rebuilt
whole from them (`services.imports.receive_and_store`). Writing every byte a second time cost a sixth of the
upload's rate. Where the chunks are remote (S3) the whole body is staged, as OS detection reads the disk in a
forked child, which must not share the web process's connections.
"""

import errno
import os
import threading
from collections.abc import Callable, Iterator

from images.blobs.models import CHUNK_SIZE

# The WSGI server's largest read of the socket: asked for more, it gathers the pieces in a buffer of its own,
# one more copy, and blocks of several MiB left in the heaps of the web process's threads.
READ_SIZE = 1024 * 1024
# What a staged copy keeps when it is not whole: the first chunk and the last MiB. Format detection reads at most
# the first MiB (a VMDK descriptor) and the last sector (a VHD footer).
KEPT_HEAD = CHUNK_SIZE
KEPT_TAIL = 1024 * 1024


class BodySource:
    """Reads the body once, in chunk order, on the disk reader's thread. `read(n)` gives at most `n` bytes, b""
    at the end; `check(received)` runs after each piece and at the end, and refuses by raising (a body longer
    than allowed, or not of its declared length). `size` is the bytes received so far, the disk's size at the
    end. `whole`: stage every byte, rather than the head and the tail."""

    # Chunk buffers in flight (the reader's pool): fewer than a worker's import takes, since this runs in a web
    # process, bounded at 150 MB with Django loaded; enough to keep the hashes and the storing threads busy.
    buffers = 8

    def __init__(
        self, read: Callable[[int], bytes], copy_fd: int, check: Callable[[int, bool], None], *, whole: bool = True
    ):
        self.read, self.copy_fd, self.check, self.whole = read, copy_fd, check, whole
        self.size = 0
        self.tail = bytearray()

    def read_chunks(self, pool, stop: threading.Event) -> Iterator[tuple[int, int, object]]:
        index = 0
        while True:
            buffer = pool.take(stop)
            if buffer is None:
                return
            length = self._fill(buffer)
            if length:
                self._stage(memoryview(buffer)[:length])
                self.size += length
            ended = length < CHUNK_SIZE
            if ended:
                self._stage_tail()
            self.check(self.size, ended)
            if not length:
                pool.give(buffer)
                return
            yield index, length, buffer
            if ended:
                return
            index += 1

    def _fill(self, buffer) -> int:
        filled = 0
        while filled < CHUNK_SIZE:
            piece = self.read(min(CHUNK_SIZE - filled, READ_SIZE))
            if not piece:
                break
            buffer[filled : filled + len(piece)] = piece
            filled += len(piece)
        return filled

    def _stage(self, view: memoryview) -> None:
        if self.whole or self.size < KEPT_HEAD:
            self._write(view if self.whole else view[: KEPT_HEAD - self.size], self.size)
        if not self.whole:
            # The last MiB so far; the chunk's own buffer goes back to the pool before the body ends.
            dropped = max(0, len(self.tail) + len(view) - KEPT_TAIL)
            self.tail = self.tail[dropped:] + view[-KEPT_TAIL:]

    def _stage_tail(self) -> None:
        if self.whole:
            return
        os.ftruncate(self.copy_fd, self.size)
        self._write(memoryview(self.tail), self.size - len(self.tail))

    def _write(self, view: memoryview, offset: int) -> None:
        done = 0
        while done < len(view):
            done += os.pwrite(self.copy_fd, view[done:], offset + done)

    def read_into(self, view: memoryview, offset: int) -> None:
        """Bytes of the body again (the builder restores a chunk the collector removed meanwhile): only those
        the staged copy kept."""
        if not (self.whole or offset + len(view) <= KEPT_HEAD or offset >= self.size - len(self.tail)):
            raise OSError(errno.ENODATA, "this part of the upload is kept only in the chunk store")
        done = 0
        while done < len(view):
            count = os.preadv(self.copy_fd, [view[done:]], offset + done)
            if count == 0:
                raise OSError(errno.EIO, "the staged upload became shorter while it was read")
            done += count
