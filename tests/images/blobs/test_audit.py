"""The chunk audit: local reads no longer re-hash chunks, so a damaged chunk must be found by the audit, quarantined,
never reused, and the images naming it failed with a traced reason."""

import os

import pytest
from django.core.management import call_command

from audit.models import Trace
from images.blobs.audit import audit_chunks
from images.blobs.models import Chunk, ManifestEntry
from images.blobs.objects import chunk_storage, verify_on_read
from images.blobs.store import iter_raw_disk, write_raw_disk
from images.choices import ImageStatus
from images.services.chunk_audit import CHUNK_CORRUPTED, audit_stored_chunks
from obs.storage import storage_for
from tests import factories
from tests.images.blobs.conftest import CHUNK, DISTINCT_CHUNKS, FIRST, noise, object_names

FAST = 10**12  # bytes per second: no pacing


def damage(chunk: Chunk) -> None:
    with open(chunk_storage(chunk.region_id).path(chunk.object_name), "r+b") as stored:
        stored.seek(100)
        stored.write(b"damage")


@pytest.fixture
def stored(local_chunks, north, disk, tenant_a):
    manifest = write_raw_disk(north, disk).manifest
    image = factories.make_image(tenant_a.project, manifest=manifest, status=ImageStatus.ACTIVE)
    other = factories.make_image(tenant_a.project, status=ImageStatus.ACTIVE)
    return manifest, image, other


def test_local_reads_do_not_rehash_but_s3_reads_do(local_chunks, settings, north):
    assert verify_on_read(chunk_storage(north.pk)) is False
    settings.CHUNK_VERIFY_ON_READ = True
    assert verify_on_read(chunk_storage(north.pk)) is True
    settings.CHUNK_VERIFY_ON_READ = None
    settings.STORAGE_BACKEND = "s3"
    storage_for.cache_clear()
    from storages.backends.s3 import S3Storage

    assert verify_on_read(S3Storage(bucket_name="any")) is True


def test_a_sound_store_is_verified_and_marked(stored):
    _manifest, image, _ = stored
    Chunk.objects.update(verified_at=None)

    result = audit_stored_chunks(bytes_per_second=FAST)

    assert result["chunks_verified"] == DISTINCT_CHUNKS and result["quarantined"] == []
    assert not Chunk.objects.filter(verified_at=None).exists()
    image.refresh_from_db()
    assert image.status == ImageStatus.ACTIVE


def test_a_damaged_chunk_is_found_quarantined_and_its_images_fail(stored):
    manifest, image, other = stored
    chunk = ManifestEntry.objects.get(manifest=manifest, index=6).chunk
    damage(chunk)
    # What the audit exists for: a local read no longer notices.
    assert sum(len(piece) for piece in iter_raw_disk(manifest)) == manifest.virtual_size

    result = audit_stored_chunks(bytes_per_second=FAST)

    assert [digest for _, digest, _ in result["quarantined"]] == [chunk.digest]
    assert result["images_failed"] == 1
    chunk.refresh_from_db()
    assert chunk.quarantined_at is not None and "SHA-256" in chunk.quarantine_reason
    assert chunk.object_name not in object_names("cn-north-4")
    assert os.path.exists(chunk_storage("cn-north-4").path(f"quarantine/{chunk.object_name}"))
    image.refresh_from_db()
    other.refresh_from_db()
    assert image.status == ImageStatus.KILLED and other.status == ImageStatus.ACTIVE
    trace = Trace.objects.get(event_name=CHUNK_CORRUPTED)
    assert trace.resource_id == str(image.pk) and trace.result == "failure"
    assert chunk.digest == trace.summary["chunk"] and "damaged" in trace.summary["reason"]
    # Found once: the next run neither reports it again nor fails anything more.
    assert audit_stored_chunks(bytes_per_second=FAST)["quarantined"] == []


def test_a_truncated_or_lost_object_is_found(stored):
    manifest, _image, _ = stored
    entries = ManifestEntry.objects.filter(manifest=manifest).select_related("chunk").order_by("index")
    truncated, lost = entries[0].chunk, entries[1].chunk
    path = chunk_storage("cn-north-4").path(truncated.object_name)
    os.truncate(path, os.path.getsize(path) - 1)
    os.unlink(chunk_storage("cn-north-4").path(lost.object_name))

    reasons = {digest: reason for _, digest, reason in audit_stored_chunks(bytes_per_second=FAST)["quarantined"]}

    assert set(reasons) == {truncated.digest, lost.digest}
    assert "missing" in reasons[lost.digest] and "bytes" in reasons[truncated.digest]


def test_the_same_content_written_again_is_stored_anew_not_reused(stored, north, tmp_path):
    manifest, _image, _ = stored
    chunk = ManifestEntry.objects.get(manifest=manifest, index=0).chunk
    damage(chunk)
    audit_stored_chunks(bytes_per_second=FAST)

    again = tmp_path / "again.raw"
    again.write_bytes(FIRST)
    copy = write_raw_disk(north, again).manifest

    fresh = ManifestEntry.objects.get(manifest=copy, index=0).chunk
    assert fresh.pk != chunk.pk and fresh.digest == chunk.digest and fresh.quarantined_at is None
    assert b"".join(iter_raw_disk(copy)) == FIRST


def test_the_audit_keeps_to_its_rate_and_its_budget(stored):
    now, slept = [0.0], []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    read = sum(Chunk.objects.values_list("stored_size", flat=True))
    stats = audit_chunks(budget_seconds=3600, bytes_per_second=CHUNK, clock=lambda: now[0], sleep=sleep)
    assert stats.chunks_verified == DISTINCT_CHUNKS and stats.bytes_read == read
    assert sum(slept) == pytest.approx(read / CHUNK)

    Chunk.objects.update(verified_at=None)
    now[0] = 0.0
    stats = audit_chunks(budget_seconds=2, bytes_per_second=CHUNK, clock=lambda: now[0], sleep=sleep)
    assert 0 < stats.chunks_verified < DISTINCT_CHUNKS  # the budget ends the run; the next one goes on


def test_an_incompressible_chunk_is_stored_as_it_is(local_chunks, north, tmp_path):
    disk = tmp_path / "mixed.raw"
    disk.write_bytes(noise(CHUNK, 1) + b"text " * (CHUNK // 5) + b"t" * (CHUNK % 5))
    manifest = write_raw_disk(north, disk).manifest

    random_chunk, text_chunk = (e.chunk for e in ManifestEntry.objects.filter(manifest=manifest).order_by("index"))
    assert random_chunk.stored_size == random_chunk.size == CHUNK
    assert text_chunk.stored_size < CHUNK // 100
    assert b"".join(iter_raw_disk(manifest)) == disk.read_bytes()


def test_the_command_reports_a_damaged_chunk(stored, capsys):
    manifest, _image, _ = stored
    damage(ManifestEntry.objects.get(manifest=manifest, index=6).chunk)

    call_command("audit_chunks", "--minutes", "1", "--rate-mib", "100000")

    out, err = capsys.readouterr()
    assert "1 quarantined, 1 image(s) failed" in out and "quarantined:" in err


def test_re_keying_verifies_every_chunk_whatever_the_setting(stored):
    """A damaged chunk stored again under a data key would get a new address from its damaged bytes: the audit
    could never find it. So re-keying (and encrypting) always re-hashes."""
    from images.blobs.objects import ChunkCorrupted
    from images.blobs.store import recode_manifest

    manifest, _image, _ = stored
    damage(ManifestEntry.objects.get(manifest=manifest, index=6).chunk)

    with pytest.raises(ChunkCorrupted):
        recode_manifest(manifest, source_key=None, target_key=b"k" * 32)


def test_a_disk_naming_a_quarantined_chunk_cannot_be_copied(stored):
    """A server disk or backup still naming a damaged chunk (images naming it were failed) is refused, never a 500."""
    from django.utils import timezone

    from core.errors import ImsError
    from images.blobs.store import copy_manifest

    manifest, _image, _ = stored
    Chunk.objects.filter(pk=ManifestEntry.objects.filter(manifest=manifest).first().chunk_id).update(
        quarantined_at=timezone.now(), quarantine_reason="damaged"
    )
    with pytest.raises(ImsError) as refused:
        copy_manifest(manifest, target_region=manifest.region)
    assert refused.value.code == "IMG.0990" and refused.value.status == 409
