"""The collector: unreferenced chunks go after the grace period; referenced, young and just-touched ones stay."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from images.blobs import gc
from images.blobs.gc import collect_garbage
from images.blobs.models import Chunk, ManifestEntry
from images.blobs.store import delete_manifest, iter_raw_disk, write_raw_disk
from tests.images.blobs.conftest import CHUNK, DISK_SIZE, DISTINCT_CHUNKS, make_disk, noise, object_names, sha256_of

LATER = timedelta(hours=7)


def streamed(manifest) -> bytes:
    return b"".join(iter_raw_disk(manifest))


def age_all_chunks(by: timedelta = timedelta(days=1)) -> None:
    Chunk.objects.update(last_referenced_at=timezone.now() - by)


@pytest.fixture
def other_disk(tmp_path):
    """Shares chunk 0 with the standard disk, and has one chunk of its own."""
    from tests.images.blobs.conftest import FIRST

    return make_disk(tmp_path / "other.raw", 3 * CHUNK, [(0, FIRST), (2 * CHUNK, noise(CHUNK, 77))])


def test_unreferenced_chunks_go_after_the_grace_period_and_referenced_ones_stay(backend, north, disk, other_disk):
    doomed = write_raw_disk(north, disk).manifest
    kept = write_raw_disk(north, other_disk).manifest
    delete_manifest(doomed)

    assert collect_garbage().chunks_deleted == 0  # unreferenced, but touched just now
    stats = collect_garbage(now=timezone.now() + LATER)

    assert stats.chunks_deleted == DISTINCT_CHUNKS - 1  # chunk 0 is still named by the other disk
    assert stats.bytes_deleted > 0 and stats.by_region == {"cn-north-4": [stats.chunks_deleted, stats.bytes_deleted]}
    remaining = set(Chunk.objects.values_list("pk", flat=True))
    assert remaining == set(ManifestEntry.objects.filter(manifest=kept).values_list("chunk_id", flat=True))
    assert object_names("cn-north-4") == {chunk.object_name for chunk in Chunk.objects.all()}
    assert streamed(kept) == other_disk.read_bytes()


def test_young_unreferenced_chunks_stay(local_chunks, north, disk):
    delete_manifest(write_raw_disk(north, disk).manifest)
    age_all_chunks(by=timedelta(hours=5))

    assert collect_garbage(grace=timedelta(hours=6)).chunks_deleted == 0
    assert collect_garbage(grace=timedelta(hours=4)).chunks_deleted == DISTINCT_CHUNKS
    assert object_names("cn-north-4") == set()


def test_an_import_reusing_old_unreferenced_chunks_keeps_them(local_chunks, north, disk):
    delete_manifest(write_raw_disk(north, disk).manifest)
    age_all_chunks()
    runs = []

    def collect_before_the_manifest_is_written(done, total):
        if done == total:  # every chunk is found or stored; the manifest is not written yet
            runs.append(collect_garbage())

    result = write_raw_disk(north, disk, on_progress=collect_before_the_manifest_is_written)

    assert runs and runs[0].chunks_deleted == 0
    assert result.new_bytes == 0 and Chunk.objects.count() == DISTINCT_CHUNKS
    assert collect_garbage(now=timezone.now() + LATER).chunks_deleted == 0  # now referenced
    assert streamed(result.manifest) == disk.read_bytes()


def test_a_chunk_marked_before_an_import_touched_it_is_spared_by_the_sweep(backend, north, disk):
    delete_manifest(write_raw_disk(north, disk).manifest)
    age_all_chunks()
    cutoff = timezone.now() - gc.DEFAULT_GRACE
    marked = gc._mark(cutoff, after=0)
    assert len(marked) == DISTINCT_CHUNKS

    result = write_raw_disk(north, disk)  # finds every chunk stored, touches it, names it

    assert not any(gc._delete_row_if_unreferenced(pk, cutoff) for pk, *_ in marked)
    assert streamed(result.manifest) == disk.read_bytes()


def test_a_touched_chunk_is_spared_even_before_a_manifest_names_it(local_chunks, north, disk):
    delete_manifest(write_raw_disk(north, disk).manifest)
    age_all_chunks()
    cutoff = timezone.now() - gc.DEFAULT_GRACE
    marked = gc._mark(cutoff, after=0)
    Chunk.objects.filter(pk=marked[0][0]).update(last_referenced_at=timezone.now())  # what an import does first

    stats = collect_garbage()

    assert stats.chunks_deleted == DISTINCT_CHUNKS - 1
    assert list(Chunk.objects.values_list("pk", flat=True)) == [marked[0][0]]


def test_an_import_that_outlives_the_grace_period_stores_the_collected_chunks_again(backend, north, disk):
    runs = []

    def collect_everything_unreferenced(done, total):
        if done == total:
            runs.append(collect_garbage(grace=timedelta(0)))

    result = write_raw_disk(north, disk, on_progress=collect_everything_unreferenced)

    assert runs[0].chunks_deleted == DISTINCT_CHUNKS  # all of this import's chunks, not yet named
    assert Chunk.objects.count() == DISTINCT_CHUNKS
    assert object_names("cn-north-4") == {chunk.object_name for chunk in Chunk.objects.all()}
    assert streamed(result.manifest) == disk.read_bytes() and result.sha256 == sha256_of(disk)


def test_a_long_write_touches_its_chunks_again_before_the_grace_period_ends(local_chunks, north, disk, monkeypatch):
    """A write that lasts hours touches what it gathered now and then: a collector with the usual grace period,
    running near the end of the write, finds nothing of it to remove (an upload could not store it again)."""
    from images.blobs import builder

    monkeypatch.setattr(builder, "RETOUCH_EVERY", 0.0)  # hours, here at every step
    runs = []

    def collect_late(done, total):
        if done == total:
            runs.append(collect_garbage())

    def settle_hours_later(self, **kwargs):
        age_all_chunks(by=gc.DEFAULT_GRACE * 2)  # the chunks gathered so far were touched long ago
        return settle(self, **kwargs)

    settle = builder.ManifestBuilder.settle
    monkeypatch.setattr(builder.ManifestBuilder, "settle", settle_hours_later)
    result = write_raw_disk(north, disk, on_progress=collect_late)

    assert runs and runs[-1].chunks_deleted == 0
    assert streamed(result.manifest) == disk.read_bytes()


def test_collect_garbage_command_reports_what_it_removed(local_chunks, north, disk, other_disk):
    delete_manifest(write_raw_disk(north, disk).manifest)
    write_raw_disk(north, other_disk)
    age_all_chunks()

    kept = StringIO()
    call_command("collect_garbage", "--grace-hours", "48", stdout=kept)
    assert "Removed 0 chunk(s)" in kept.getvalue()

    out = StringIO()
    call_command("collect_garbage", "--grace-hours", "1", "-v", "2", stdout=out)
    text = out.getvalue()
    assert f"Removed {DISTINCT_CHUNKS - 1} chunk(s)" in text
    assert f"cn-north-4: removed {DISTINCT_CHUNKS - 1} chunk(s)" in text
    assert text.count("removed cn-north-4 ") == DISTINCT_CHUNKS - 1
    assert Chunk.objects.count() == 2


def test_a_virtual_size_in_the_manifest_survives_collection(local_chunks, north, disk):
    manifest = write_raw_disk(north, disk).manifest
    collect_garbage(grace=timedelta(0))

    assert len(streamed(manifest)) == DISK_SIZE
