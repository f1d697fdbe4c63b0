"""A request body as a disk source for `store.write_disk`: the chunks are hashed, compressed and stored while
the bytes arrive, so that when the last byte is in, only the inspection of the file is left to do.

Every piece is also written to a staged copy of the file: the inspection reads its head and tail, and a chunk
the collector removed before the manifest was committed is read back from it (`read_into`).
"""

import errno
import os
import threading
from collections.abc import Callable, Iterator

from images.blobs.models import CHUNK_SIZE

# The WSGI server's largest read of the socket: asked for more, it gathers the pieces in a buffer of its own,
# one more copy, and blocks of several MiB left in the heaps of the web process's threads.
READ_SIZE = 1024 * 1024


class BodySource:
    """Reads the body once, in chunk order, on the disk reader's thread. `read(n)` gives at most `n` bytes, b""
    at the end; `check(received)` runs after each piece and at the end, and refuses by raising (a body longer
    than allowed, or not of its declared length). `size` is the bytes received so far, the disk's size at the
    end."""

    # Chunk buffers in flight (the reader's pool): fewer than a worker's import takes, since this runs in a web
    # process, bounded at 150 MB with Django loaded; enough to keep the hashes and the storing threads busy.
    buffers = 8

    def __init__(self, read: Callable[[int], bytes], copy_fd: int, check: Callable[[int, bool], None]):
        self.read, self.copy_fd, self.check = read, copy_fd, check
        self.size = 0

    def read_chunks(self, pool, stop: threading.Event) -> Iterator[tuple[int, int, object]]:
        index = 0
        while True:
            buffer = pool.take(stop)
            if buffer is None:
                return
            length = self._fill(buffer)
            if length:
                self._copy(memoryview(buffer)[:length])
                self.size += length
            self.check(self.size, length < CHUNK_SIZE)
            if not length:
                pool.give(buffer)
                return
            yield index, length, buffer
            if length < CHUNK_SIZE:
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

    def _copy(self, view: memoryview) -> None:
        done = 0
        while done < len(view):
            done += os.write(self.copy_fd, view[done:])

    def read_into(self, view: memoryview, offset: int) -> None:
        done = 0
        while done < len(view):
            count = os.preadv(self.copy_fd, [view[done:]], offset + done)
            if count == 0:
                raise OSError(errno.EIO, "the staged upload became shorter while it was read")
            done += count
