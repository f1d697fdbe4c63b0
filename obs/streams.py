"""Copying bytes in pieces while hashing them: SHA-256 and MD5 of everything that passes."""

import hashlib
from concurrent.futures import ThreadPoolExecutor

from obs.errors import incomplete_body
from obs.limits import PIECE

_HELPERS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="obs-md5")


class Digest:
    """Size, SHA-256 and (unless told not to) MD5 of the bytes fed in. MD5 runs in a helper thread beside
    SHA-256 (hashlib releases the GIL), so hashing both costs about as much time as the slower one alone."""

    def __init__(self, *, md5: bool = True):
        self.size = 0
        self._sha256 = hashlib.sha256()
        self._md5 = hashlib.md5() if md5 else None
        self._pending = None

    def update(self, piece: bytes) -> None:
        self.size += len(piece)
        if self._md5 is not None:
            self._settle()
            self._pending = _HELPERS.submit(self._md5.update, piece)
        self._sha256.update(piece)

    def _settle(self) -> None:
        if self._pending is not None:
            self._pending.result()
            self._pending = None

    @property
    def sha256(self) -> str:
        return self._sha256.hexdigest()

    @property
    def md5(self) -> str:
        self._settle()
        return self._md5.hexdigest() if self._md5 is not None else ""


def read_piece(source, wanted: int) -> bytes:
    """Up to `wanted` bytes; a dropped connection reads as the end of the body (checked by the caller)."""
    try:
        return source.read(wanted)
    except OSError:  # the client went away: gunicorn and the dev server raise OSError subclasses
        return b""


def copy_exactly(source, target, size: int, digest: Digest | None = None) -> Digest:
    """Copy `size` bytes from `source` to `target` (None: only hash them), refusing a short body."""
    digest = digest or Digest()
    remaining = size
    while remaining:
        piece = read_piece(source, min(PIECE, remaining))
        if not piece:
            raise incomplete_body(size, size - remaining)
        digest.update(piece)
        if target is not None:
            target.write(piece)
        remaining -= len(piece)
    return digest


def hash_all(source) -> Digest:
    """Digest of everything `source` yields (a file, or an S3 body), read in pieces."""
    digest = Digest()
    while piece := source.read(PIECE):
        digest.update(piece)
    return digest
