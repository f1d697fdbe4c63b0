"""Writing sparse raw disks into the chunk store, reading them back, deduplication and copies."""

import hashlib
import os
import shutil

import pytest

from images.blobs.models import Chunk, Manifest, ManifestEntry
from images.blobs.objects import ChunkCorrupted, chunk_storage
from images.blobs.store import (
    ManifestReads,
    copy_manifest,
    delete_manifest,
    iter_raw_disk,
    read_raw_disk,
    write_raw_disk,
)
from tests.images.blobs.conftest import (
    CHUNK,
    DISK_SIZE,
    DISTINCT_CHUNKS,
    MIB,
    STORED_INDICES,
    make_disk,
    noise,
    object_names,
    sha256_of,
)


def stored_indices(manifest) -> list[int]:
    return list(ManifestEntry.objects.filter(manifest=manifest).order_by("index").values_list("index", flat=True))


def streamed_sha256(manifest, start=0, end=None) -> str:
    digest = hashlib.sha256()
    for piece in iter_raw_disk(manifest, start, end):
        assert 0 < len(piece) <= CHUNK
        digest.update(piece)
    return digest.hexdigest()


def test_a_sparse_disk_round_trips_through_the_store(backend, north, disk, tmp_path):
    result = write_raw_disk(north, disk)

    source = disk.read_bytes()
    assert result.sha256 == sha256_of(disk) == hashlib.sha256(source).hexdigest()
    assert result.md5 == hashlib.md5(source).hexdigest()
    assert result.virtual_size == result.manifest.virtual_size == DISK_SIZE
    rebuilt = tmp_path / "rebuilt.raw"
    read_raw_disk(result.manifest, rebuilt)
    assert sha256_of(rebuilt) == result.sha256
    assert streamed_sha256(result.manifest) == result.sha256


def test_zero_chunks_and_holes_are_not_stored(local_chunks, north, disk):
    result = write_raw_disk(north, disk)

    assert stored_indices(result.manifest) == STORED_INDICES
    assert Chunk.objects.filter(region=north).count() == DISTINCT_CHUNKS
    assert len(object_names("cn-north-4")) == DISTINCT_CHUNKS
    assert result.data_bytes == result.manifest.data_bytes == 7 * CHUNK + (DISK_SIZE - 10 * CHUNK)
    assert result.deduplicated_bytes == CHUNK  # chunk 7 repeats chunk 0
    assert result.new_bytes == result.data_bytes - CHUNK


def test_a_rebuilt_disk_keeps_its_holes(local_chunks, north, disk, tmp_path):
    result = write_raw_disk(north, disk)
    rebuilt = tmp_path / "rebuilt.raw"
    read_raw_disk(result.manifest, rebuilt)

    assert os.path.getsize(rebuilt) == DISK_SIZE
    assert os.stat(rebuilt).st_blocks * 512 <= len(STORED_INDICES) * CHUNK


@pytest.mark.parametrize(
    "start, end",
    [
        (0, 1),
        (CHUNK - 10, CHUNK + 10),
        (3 * CHUNK + 5, 9 * CHUNK - 7),
        (DISK_SIZE - 100, DISK_SIZE),
        (DISK_SIZE - 1, DISK_SIZE + 100),
        (2 * CHUNK, 5 * CHUNK),
        (DISK_SIZE, DISK_SIZE + 1),
    ],
)
def test_a_range_streams_exactly_those_bytes(local_chunks, north, disk, start, end):
    result = write_raw_disk(north, disk)

    streamed = b"".join(iter_raw_disk(result.manifest, start, end))
    assert streamed == disk.read_bytes()[start:end]


def test_reads_anywhere_give_the_disk_bytes_from_a_few_kept_chunks(local_chunks, north, disk, monkeypatch):
    """What OS detection reads of a stored disk, jumping about: the disk's bytes, zeros in holes, nothing past its
    end; a chunk read again soon after is not fetched again."""
    from images.blobs import store

    result, data = write_raw_disk(north, disk), disk.read_bytes()
    reads = ManifestReads(result.manifest)
    fetch, fetched = store._fetch, []
    monkeypatch.setattr(store, "_fetch", lambda *args, **kwargs: fetched.append(args[2]) or fetch(*args, **kwargs))
    for start, length in [(0, 512), (CHUNK - 10, 20), (2 * CHUNK, CHUNK), (DISK_SIZE - 100, 1000), (5, 3 * CHUNK)]:
        assert reads.read(start, length) == data[start : start + length], (start, length)
    assert reads.read(DISK_SIZE, 10) == b""
    before = len(fetched)
    assert reads.read(1, 100) == data[1:101]
    assert len(fetched) == before > 0


def test_progress_is_reported_up_to_the_whole_disk(local_chunks, north, disk):
    calls = []
    write_raw_disk(north, disk, on_progress=lambda done, total: calls.append((done, total)))

    assert calls[-1] == (DISK_SIZE, DISK_SIZE)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_an_empty_disk_stores_nothing(local_chunks, north, tmp_path):
    empty = make_disk(tmp_path / "empty.raw", 3 * CHUNK, [])
    result = write_raw_disk(north, empty)

    assert result.sha256 == hashlib.sha256(bytes(3 * CHUNK)).hexdigest()
    assert stored_indices(result.manifest) == [] and Chunk.objects.count() == 0
    assert b"".join(iter_raw_disk(result.manifest)) == bytes(3 * CHUNK)


def test_a_zero_length_disk_is_an_empty_manifest(local_chunks, north, tmp_path):
    result = write_raw_disk(north, make_disk(tmp_path / "nothing.raw", 0, []))

    assert result.virtual_size == 0 and result.sha256 == hashlib.sha256().hexdigest()
    assert list(iter_raw_disk(result.manifest)) == []


def test_writing_the_same_disk_twice_stores_no_new_chunk(backend, north, disk):
    first = write_raw_disk(north, disk)
    objects = object_names("cn-north-4")
    second = write_raw_disk(north, disk)

    assert second.sha256 == first.sha256 and second.manifest.pk != first.manifest.pk
    assert second.new_bytes == second.stored_new_bytes == second.manifest.new_bytes == 0
    assert second.deduplicated_bytes == second.data_bytes == first.data_bytes
    assert Chunk.objects.filter(region=north).count() == DISTINCT_CHUNKS
    assert object_names("cn-north-4") == objects


def test_a_near_identical_disk_stores_only_the_changed_chunk(local_chunks, north, disk, tmp_path):
    write_raw_disk(north, disk)
    changed = tmp_path / "changed.raw"
    shutil.copyfile(disk, changed)
    make_disk_edit(changed, 6 * CHUNK + 4096, b"edited")

    result = write_raw_disk(north, changed)

    assert result.new_bytes == CHUNK
    assert Chunk.objects.filter(region=north).count() == DISTINCT_CHUNKS + 1
    assert result.sha256 == sha256_of(changed) == streamed_sha256(result.manifest)


def make_disk_edit(path, offset: int, data: bytes) -> None:
    with open(path, "r+b") as disk:
        disk.seek(offset)
        disk.write(data)


def test_a_copy_in_the_same_region_writes_no_data(backend, north, disk):
    source = write_raw_disk(north, disk).manifest
    objects = object_names("cn-north-4")

    copy, moved = copy_manifest(source, target_region=north)

    assert moved == 0 and copy.pk != source.pk and copy.region_id == "cn-north-4"
    assert object_names("cn-north-4") == objects and Chunk.objects.count() == DISTINCT_CHUNKS
    assert stored_indices(copy) == STORED_INDICES
    delete_manifest(source)
    assert streamed_sha256(copy) == sha256_of(disk)


def test_a_copy_to_another_region_sends_only_the_missing_chunks(backend, north, east, disk):
    source = write_raw_disk(north, disk).manifest
    stored = sum(Chunk.objects.filter(region=north).values_list("stored_size", flat=True))

    copy, moved = copy_manifest(source, target_region=east)

    assert moved == stored
    assert copy.region_id == "cn-east-3" and Chunk.objects.filter(region=east).count() == DISTINCT_CHUNKS
    assert len(object_names("cn-east-3")) == DISTINCT_CHUNKS
    assert streamed_sha256(copy) == sha256_of(disk)
    again, moved_again = copy_manifest(source, target_region=east)
    assert moved_again == 0 and streamed_sha256(again) == sha256_of(disk)


def test_a_second_copy_of_a_near_identical_image_sends_little(local_chunks, north, east, tmp_path):
    size = 32 * CHUNK
    original = make_disk(tmp_path / "a.raw", size, [(i * CHUNK, noise(CHUNK, 100 + i)) for i in range(32)])
    edited = tmp_path / "b.raw"
    shutil.copyfile(original, edited)
    make_disk_edit(edited, 17 * CHUNK + 99, b"patched")

    _, first = copy_manifest(write_raw_disk(north, original).manifest, target_region=east)
    copy, second = copy_manifest(write_raw_disk(north, edited).manifest, target_region=east)

    assert first >= 32 * CHUNK * 0.99
    assert 0 < second < first * 0.05
    assert streamed_sha256(copy) == sha256_of(edited)


def test_deleting_a_manifest_leaves_its_chunks_to_the_collector(local_chunks, north, disk):
    manifest = write_raw_disk(north, disk).manifest
    delete_manifest(manifest)

    assert not Manifest.objects.filter(pk=manifest.pk).exists()
    assert not ManifestEntry.objects.exists()
    assert Chunk.objects.count() == DISTINCT_CHUNKS and len(object_names("cn-north-4")) == DISTINCT_CHUNKS


def test_a_damaged_chunk_is_detected_on_read(local_chunks, settings, north, disk, tmp_path):
    """With CHUNK_VERIFY_ON_READ (the default on S3); on local storage the audit finds it (test_audit.py)."""
    settings.CHUNK_VERIFY_ON_READ = True
    manifest = write_raw_disk(north, disk).manifest
    chunk = ManifestEntry.objects.get(manifest=manifest, index=6).chunk
    with open(chunk_storage("cn-north-4").path(chunk.object_name), "r+b") as stored:
        stored.seek(100)
        stored.write(b"damage")

    with pytest.raises(ChunkCorrupted):
        read_raw_disk(manifest, tmp_path / "rebuilt.raw")
    with pytest.raises(ChunkCorrupted):
        b"".join(iter_raw_disk(manifest))


def test_a_failed_write_leaves_no_manifest_and_no_unnamed_object(local_chunks, north, disk, monkeypatch):
    from images.blobs import objects

    real, calls = objects._write_file_durably, []

    def failing_write(path, write):
        calls.append(path)
        if len(calls) == 4:
            raise OSError("disk full")
        return real(path, write)

    monkeypatch.setattr(objects, "_write_file_durably", failing_write)
    with pytest.raises(OSError, match="disk full"):
        write_raw_disk(north, disk)

    assert not Manifest.objects.exists()
    named = {chunk.object_name for chunk in Chunk.objects.all()}
    assert object_names("cn-north-4") == named


def test_a_raw_file_larger_than_the_buffer_pool_streams_through(local_chunks, north, tmp_path):
    from images.blobs.disk_reader import POOL_BUFFERS

    chunks = POOL_BUFFERS * 2 + 3
    disk = make_disk(
        tmp_path / "long.raw", chunks * CHUNK + MIB, [(i * CHUNK, noise(64 * 1024, i)) for i in range(0, chunks, 2)]
    )
    result = write_raw_disk(north, disk)

    assert result.sha256 == sha256_of(disk) and stored_indices(result.manifest) == list(range(0, chunks, 2))


def test_a_disk_with_a_data_key_is_stored_sealed_and_apart(backend, north, disk, tmp_path):
    """Encrypted images' chunks: sealed objects under sealed/, sharing nothing with the plaintext space; read back
    only with their data key (tests/kms/ proves the rest: no plaintext anywhere, copies, re-keying)."""
    plain = write_raw_disk(north, disk)
    sealed = write_raw_disk(north, disk, key=b"k" * 32)

    assert sealed.sha256 == plain.sha256 and sealed.new_bytes == sealed.data_bytes - CHUNK  # dedup within its key
    assert Chunk.objects.filter(region=north, sealed=True).count() == DISTINCT_CHUNKS
    assert len(object_names("cn-north-4", "sealed")) == len(object_names("cn-north-4")) == DISTINCT_CHUNKS
    rebuilt = tmp_path / "rebuilt.raw"
    read_raw_disk(sealed.manifest, rebuilt, key=b"k" * 32)
    assert sha256_of(rebuilt) == plain.sha256
    with pytest.raises(ChunkCorrupted):
        read_raw_disk(sealed.manifest, rebuilt, key=b"x" * 32)
