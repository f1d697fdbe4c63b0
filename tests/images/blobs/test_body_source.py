"""What a request body staged beside its chunks keeps: everything, or only what inspecting a raw disk reads."""

import errno
import io
import os
import threading

import pytest

from images.blobs.body_source import KEPT_HEAD, KEPT_TAIL, BodySource
from images.blobs.disk_reader import BufferPool
from images.blobs.models import CHUNK_SIZE


def staged(tmp_path, body: bytes, *, whole: bool) -> tuple[BodySource, bytes, list[int]]:
    """Reads `body` through a BodySource as the disk reader does; (source, staged file, chunk lengths)."""
    stream, path = io.BytesIO(body), tmp_path / "upload"
    pool, lengths = BufferPool(2), []
    with open(path, "xb+") as copy:
        source = BodySource(stream.read, copy.fileno(), lambda received, ended: None, whole=whole)
        for _index, length, buffer in source.read_chunks(pool, threading.Event()):
            lengths.append(length)
            pool.give(buffer)
        return source, path.read_bytes(), lengths


@pytest.mark.parametrize("size", [100, KEPT_TAIL + 5, 3 * CHUNK_SIZE + 12_345, 4 * CHUNK_SIZE])
def test_a_partial_copy_keeps_the_head_and_the_tail_at_their_places(tmp_path, size):
    body = os.urandom(size)
    source, copy, lengths = staged(tmp_path, body, whole=False)
    assert source.size == sum(lengths) == len(copy) == size
    head, tail = min(size, KEPT_HEAD), max(0, size - KEPT_TAIL)
    assert copy[:head] == body[:head] and copy[tail:] == body[tail:]
    assert copy[head:tail] == bytes(max(0, tail - head))  # the middle is a hole: never written
    if size > KEPT_HEAD + KEPT_TAIL:
        allocated = os.stat(tmp_path / "upload").st_blocks * 512
        assert allocated <= KEPT_HEAD + KEPT_TAIL + 64 * 1024


def test_a_partial_copy_gives_back_only_what_it_kept(tmp_path):
    body = os.urandom(3 * CHUNK_SIZE)
    source, _copy, _lengths = staged(tmp_path, body, whole=False)
    with open(tmp_path / "upload", "rb") as handle:
        source.copy_fd = handle.fileno()
        view = memoryview(bytearray(1000))
        source.read_into(view, 10)
        assert bytes(view) == body[10:1010]
        source.read_into(view, len(body) - 1000)
        assert bytes(view) == body[-1000:]
        with pytest.raises(OSError) as unkept:
            source.read_into(memoryview(bytearray(CHUNK_SIZE)), CHUNK_SIZE)
        assert unkept.value.errno == errno.ENODATA


def test_a_whole_copy_keeps_every_byte(tmp_path):
    body = os.urandom(2 * CHUNK_SIZE + 777)
    source, copy, _lengths = staged(tmp_path, body, whole=True)
    assert copy == body and source.size == len(body)
