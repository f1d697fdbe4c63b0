"""Plain objects are zstd frames, or the plaintext itself when zstd cannot shrink it. Objects written before the
plaintext was ever stored as it is are all frames, and a few came out exactly as long as their plaintext: those
must still be decompressed, never served as they are."""

import hashlib

import pytest
import zstandard

from images.blobs.objects import PLAIN, ZSTD_LEVEL, ZSTD_MAGIC
from tests.images.blobs.conftest import noise

# zstd at the store's level turns these 36 bytes into a frame of 36 bytes as well.
LEGACY_DATA = noise(20, 20) + b"a" * 16
LEGACY_FRAME = zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(LEGACY_DATA)


def address(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_the_crafted_frame_is_as_long_as_its_plaintext():
    assert len(LEGACY_FRAME) == len(LEGACY_DATA) and LEGACY_FRAME.startswith(ZSTD_MAGIC)


@pytest.mark.parametrize("verify", [True, False])
def test_a_legacy_frame_as_long_as_its_plaintext_is_decompressed(verify):
    decoded = PLAIN.decode(LEGACY_FRAME, digest=address(LEGACY_DATA), size=len(LEGACY_DATA), verify=verify)

    assert decoded == LEGACY_DATA


@pytest.mark.parametrize("verify", [True, False])
def test_a_chunk_stored_as_it_is_that_starts_like_a_frame_is_read_as_it_is(verify):
    data = ZSTD_MAGIC + noise(5_000, 3)  # the start of a .zst file in the disk, as zstd cannot shrink it
    stored = PLAIN.encode(data)
    assert stored == data

    assert PLAIN.decode(stored, digest=address(data), size=len(data), verify=verify) == data


def test_the_address_decides_between_the_two_readings_of_the_same_bytes():
    # A disk may hold the very bytes of the legacy frame: stored as they are, they are the same object.
    as_stored = PLAIN.encode(LEGACY_FRAME)
    assert as_stored == LEGACY_FRAME

    size = len(LEGACY_FRAME)
    assert PLAIN.decode(as_stored, digest=address(LEGACY_FRAME), size=size, verify=False) == LEGACY_FRAME
    assert PLAIN.decode(as_stored, digest=address(LEGACY_DATA), size=size, verify=False) == LEGACY_DATA


def test_a_chunk_stored_as_it_is_without_the_magic_is_never_hashed_to_be_read(monkeypatch):
    data = noise(5_000, 4)
    monkeypatch.setattr(PLAIN, "address", lambda _data: pytest.fail("hashed"))

    assert PLAIN.decode(data, digest="0" * 64, size=len(data), verify=False) == data
