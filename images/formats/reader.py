"""Random access to the header regions of a staged image file, every read bounded.

Parsers ask for (offset, length) pairs taken from hostile headers; this class is where those numbers meet the
file, so it refuses lengths above MAX_READ and offsets past the end instead of trusting them.
"""

import contextlib
import os
import stat
from pathlib import Path

from django.utils.translation import gettext as _

from images.formats.errors import CORRUPT, FormatError

# The largest structure any parser needs at once: a qcow2 header cluster (2 MiB at most).
MAX_READ = 2 * 1024 * 1024


class ImageFile:
    def __init__(self, fd: int, size: int):
        self.fd, self.size = fd, size

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: Path):
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise ValueError("image path must name a regular file")
            yield cls(fd, info.st_size)
        finally:
            os.close(fd)

    def read(self, offset: int, length: int) -> bytes:
        """Up to `length` bytes at `offset`; fewer (or none) where the file ends."""
        if offset < 0 or length < 0 or length > MAX_READ:
            raise FormatError(
                CORRUPT,
                _("The image header points outside any sensible range (offset %(offset)d, length %(length)d).")
                % {"offset": offset, "length": length},
            )
        if offset >= self.size or length == 0:
            return b""
        data, wanted = bytearray(), min(length, self.size - offset)
        while len(data) < wanted:
            piece = os.pread(self.fd, wanted - len(data), offset + len(data))
            if not piece:
                break
            data += piece
        return bytes(data)

    def read_exact(self, offset: int, length: int, what: str) -> bytes:
        """Exactly `length` bytes at `offset`, or a refusal naming the structure the file is too short for."""
        data = self.read(offset, length)
        if len(data) != length:
            raise FormatError(
                CORRUPT,
                _(
                    "The file ends before its %(what)s (needed %(length)d bytes at offset "
                    "%(offset)d); the file is truncated or its header lies."
                )
                % {"what": what, "length": length, "offset": offset},
            )
        return data

    def tail(self, length: int) -> bytes:
        """The last `length` bytes, or b"" for a file shorter than that."""
        return self.read(self.size - length, length) if self.size >= length else b""
