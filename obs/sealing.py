"""Objects encrypted at rest (as S3's SSE-KMS): each has its own data key, wrapped by a KMS master key and kept
with the object's row; the stored bytes are the plaintext sealed in frames, and reads open them as they stream.

Layout: frames of FRAME plaintext bytes (the last one shorter, and an empty object still has one), each stored
as nonce (12 bytes) ‖ AES-256-GCM ciphertext ‖ tag (16 bytes). A frame's associated data is the object's address
(`bucket:key`), its index and whether it is the last: a frame moved to another object or position, a missing
last frame or anything altered does not open. Sizes and checksums that the object storage lists stay the
plaintext's, as S3 reports them for encrypted objects.
"""

import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from core.units import MiB
from obs.errors import incomplete_body, object_corrupted
from obs.object_store import verify
from obs.streams import Digest, read_piece

FRAME = MiB
NONCE_BYTES, TAG_BYTES = 12, 16
OVERHEAD = NONCE_BYTES + TAG_BYTES


def frame_count(size: int) -> int:
    return max(1, -(-size // FRAME))


def sealed_size(size: int) -> int:
    """Bytes stored for an object of `size` plaintext bytes."""
    return size + frame_count(size) * OVERHEAD


def _associated(address: str, index: int, last: bool) -> bytes:
    return address.encode("utf-8", "surrogatepass") + struct.pack(">QB", index, last)


class SealingReader:
    """Reads `size` plaintext bytes from `source` and yields them sealed (sealed_size(size) bytes in all);
    `digest` sees the plaintext. A short source is refused as an incomplete body, and plaintext that does not match
    `expected_sha256` before its last frame is handed over, so the store publishes nothing either way."""

    def __init__(self, source, size: int, data_key: bytes, address: str, *, expected_sha256: str = ""):
        self.source, self.size, self.address = source, size, address
        self.expected_sha256 = expected_sha256
        self.aead = AESGCM(data_key)
        self.digest = Digest()
        self.index, self.left, self.buffer = 0, size, memoryview(b"")

    def read(self, wanted: int = -1) -> bytes:
        if not self.buffer and self.index < frame_count(self.size):
            self.buffer = memoryview(self._next_frame())
        wanted = len(self.buffer) if wanted is None or wanted < 0 else wanted
        piece, self.buffer = self.buffer[:wanted], self.buffer[wanted:]
        return bytes(piece)

    def _next_frame(self) -> bytes:
        length = min(FRAME, self.left)
        plaintext = b""
        while len(plaintext) < length:
            piece = read_piece(self.source, length - len(plaintext))
            if not piece:
                raise incomplete_body(self.size, self.size - self.left + len(plaintext))
            plaintext += piece
        self.digest.update(plaintext)
        self.left -= length
        last = self.index == frame_count(self.size) - 1
        if last:
            verify(self.digest, self.expected_sha256)
        nonce = os.urandom(NONCE_BYTES)
        sealed = nonce + self.aead.encrypt(nonce, plaintext, _associated(self.address, self.index, last))
        self.index += 1
        return sealed


class OpeningReader:
    """The plaintext of a sealed object of `size` plaintext bytes, opened frame by frame as it is read; the caller
    closes it (which closes the stored stream). An altered, truncated or reordered object raises OBS.0013."""

    def __init__(self, stored, size: int, data_key: bytes, address: str):
        self.stored, self.size, self.address = stored, size, address
        self.aead = AESGCM(data_key)
        self.index, self.buffer = 0, memoryview(b"")

    def read(self, wanted: int = -1) -> bytes:
        if wanted is None or wanted < 0:
            return b"".join(iter(lambda: self.read(FRAME), b""))
        if not self.buffer and self.index < frame_count(self.size):
            self.buffer = memoryview(self._next_frame())
        piece, self.buffer = self.buffer[:wanted], self.buffer[wanted:]
        return bytes(piece)

    def _next_frame(self) -> bytes:
        last = self.index == frame_count(self.size) - 1
        length = (self.size - self.index * FRAME if last else FRAME) + OVERHEAD
        sealed = b""
        while len(sealed) < length:
            piece = self.stored.read(length - len(sealed))
            if not piece:
                break
            sealed += piece
        try:
            plaintext = self.aead.decrypt(
                sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _associated(self.address, self.index, last)
            )
        except (InvalidTag, ValueError):
            raise object_corrupted(self.address) from None
        if last and self.stored.read(1):
            raise object_corrupted(self.address)  # bytes after the last frame: not what was sealed
        self.index += 1
        return plaintext

    def close(self) -> None:
        self.stored.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
