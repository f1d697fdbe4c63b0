"""The chunk audit when things go wrong around it: a quarantine interrupted half way, an object that cannot be moved
aside, a store that is out of reach for a moment. The images must end failed, a quarantined chunk must never be
served, and an absent store must not pass for lost chunks."""

import errno
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils import timezone

from audit.models import Trace
from compute.models import WholeImageDisk
from images.blobs import audit as blob_audit
from images.blobs.models import Chunk, ManifestEntry
from images.blobs.objects import chunk_storage, get_object
from images.blobs.store import iter_raw_disk, write_raw_disk
from images.choices import ImageStatus
from images.services import chunk_audit
from images.services.chunk_audit import CHUNK_CORRUPTED, audit_stored_chunks
from tests import factories
from tests.images.blobs.conftest import CHUNK, make_disk, object_names
from tests.images.blobs.test_audit import FAST, damage

MANY = 12  # chunks of the small disk: more than the audit's MISSING_IN_A_ROW


@pytest.fixture
def stored(local_chunks, north, disk, tenant_a):
    manifest = write_raw_disk(north, disk).manifest
    image = factories.make_image(tenant_a.project, manifest=manifest, status=ImageStatus.ACTIVE)
    return manifest, image


@pytest.fixture
def many(local_chunks, north, tmp_path, tenant_a):
    """A disk of MANY distinct chunks, each a few bytes and zeros (quick to write and read)."""
    path = make_disk(tmp_path / "many.raw", MANY * CHUNK, [(i * CHUNK, b"chunk %d" % i) for i in range(MANY)])
    manifest = write_raw_disk(north, path).manifest
    image = factories.make_image(tenant_a.project, manifest=manifest, status=ImageStatus.ACTIVE)
    return manifest, image


def chunk_at(manifest, index: int) -> Chunk:
    return ManifestEntry.objects.get(manifest=manifest, index=index).chunk


def status(image) -> str:
    image.refresh_from_db()
    return image.status


def refuse_to_set_aside(monkeypatch):
    """The quarantine folder takes nothing: neither a copy (a full disk) nor a rename (an I/O error)."""
    rename = os.replace

    def replace(source, target, *args, **kwargs):
        if "quarantine" in str(target):
            raise OSError(errno.EIO, "Input/output error")
        return rename(source, target, *args, **kwargs)

    def save(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(FileSystemStorage, "save", save)


# Quarantine


def test_a_chunk_that_cannot_be_moved_aside_still_fails_its_images_and_is_never_served(stored, monkeypatch):
    manifest, image = stored
    chunk = chunk_at(manifest, 6)
    damage(chunk)
    refuse_to_set_aside(monkeypatch)

    result = audit_stored_chunks(bytes_per_second=FAST)

    assert [digest for _, digest, _ in result["quarantined"]] == [chunk.digest]
    assert result["images_failed"] == 1 and result["not_moved"] == 1
    assert status(image) == ImageStatus.KILLED
    assert chunk.object_name not in object_names("cn-north-4")
    with pytest.raises(FileNotFoundError):
        b"".join(iter_raw_disk(manifest))


def test_a_quarantine_that_failed_half_way_is_done_again_by_the_next_run(stored, monkeypatch):
    manifest, image = stored
    chunk = chunk_at(manifest, 6)
    damage(chunk)

    def killed(chunk, reason):
        raise RuntimeError("the worker was killed")

    with monkeypatch.context() as patched:
        patched.setattr(chunk_audit, "fail_images_naming", killed)
        with pytest.raises(RuntimeError):
            audit_stored_chunks(bytes_per_second=FAST)
    assert Chunk.objects.get(pk=chunk.pk).quarantined_at is None  # undone with the images it did not fail

    result = audit_stored_chunks(bytes_per_second=FAST)

    assert [digest for _, digest, _ in result["quarantined"]] == [chunk.digest]
    assert status(image) == ImageStatus.KILLED
    assert os.path.exists(chunk_storage("cn-north-4").path(f"quarantine/{chunk.object_name}"))


def test_a_chunk_left_quarantined_with_usable_images_and_its_object_in_place_is_finished(stored, tenant_a):
    """What a crash left before the images were failed in the quarantine's own transaction."""
    manifest, image = stored
    chunk = chunk_at(manifest, 6)
    damage(chunk)
    Chunk.objects.filter(pk=chunk.pk).update(quarantined_at=timezone.now(), quarantine_reason="its content changed")
    deactivated = factories.make_image(tenant_a.project, manifest=manifest, status=ImageStatus.DEACTIVATED)
    gone = factories.make_image(tenant_a.project, manifest=manifest, status=ImageStatus.DELETED)

    result = audit_stored_chunks(bytes_per_second=FAST)

    assert result["images_failed"] == 2 and result["quarantined"] == []
    assert status(image) == status(deactivated) == ImageStatus.KILLED and status(gone) == ImageStatus.DELETED
    assert chunk.object_name not in object_names("cn-north-4")
    assert os.path.exists(chunk_storage("cn-north-4").path(f"quarantine/{chunk.object_name}"))
    trace = Trace.objects.get(event_name=CHUNK_CORRUPTED, resource_id=str(deactivated.pk))
    assert "its content changed" in trace.summary["reason"] and trace.summary["previous_status"] == "deactivated"


def test_an_image_given_a_manifest_after_its_chunk_was_quarantined_fails_on_the_next_run(stored, tenant_a):
    manifest, _image = stored
    damage(chunk_at(manifest, 6))
    audit_stored_chunks(bytes_per_second=FAST)
    # An import or copy that committed its manifest before the quarantine, and gave it to its image after.
    late = factories.make_image(tenant_a.project, manifest=manifest, status=ImageStatus.ACTIVE)

    result = audit_stored_chunks(bytes_per_second=FAST)

    assert result["images_failed"] == 1 and status(late) == ImageStatus.KILLED
    assert audit_stored_chunks(bytes_per_second=FAST)["images_failed"] == 0  # failed and traced once


def test_a_whole_machine_image_fails_with_a_damaged_data_disk(stored, north, tmp_path, tenant_a):
    manifest, _image = stored
    system = write_raw_disk(north, make_disk(tmp_path / "system.raw", CHUNK, [(0, b"boot")])).manifest
    whole = factories.make_image(tenant_a.project, manifest=system, status=ImageStatus.ACTIVE)
    WholeImageDisk.objects.create(image=whole, manifest=manifest, boot_index=1, size=1)
    damage(chunk_at(manifest, 6))

    audit_stored_chunks(bytes_per_second=FAST)

    assert status(whole) == ImageStatus.KILLED


def test_on_s3_a_quarantined_object_is_moved_aside_or_else_removed(s3_storage, north, disk, tenant_a, monkeypatch):
    manifest = write_raw_disk(north, disk).manifest
    image = factories.make_image(tenant_a.project, manifest=manifest, status=ImageStatus.ACTIVE)
    storage = chunk_storage("cn-north-4")
    moved, stuck = chunk_at(manifest, 6), chunk_at(manifest, 1)
    storage.save(moved.object_name, ContentFile(b"x" * moved.stored_size))

    audit_stored_chunks(bytes_per_second=FAST)

    assert get_object(storage, f"quarantine/{moved.object_name}") == b"x" * moved.stored_size
    assert moved.object_name not in object_names("cn-north-4") and status(image) == ImageStatus.KILLED

    storage.save(stuck.object_name, ContentFile(b"y" * stuck.stored_size))
    monkeypatch.setattr(type(storage), "save", _refusing_quarantine(type(storage).save))

    result = audit_stored_chunks(bytes_per_second=FAST)

    assert result["not_moved"] == 1 and stuck.object_name not in object_names("cn-north-4")


def _refusing_quarantine(save):
    def refusing(self, name, *args, **kwargs):
        if name.startswith("quarantine/"):
            raise OSError(errno.EDQUOT, "Quota exceeded")
        return save(self, name, *args, **kwargs)

    return refusing


# Missing objects


def test_a_store_out_of_reach_quarantines_nothing_and_stops_the_run(many, north):
    _manifest, image = many
    root = chunk_storage(north.pk).location
    os.rename(root, f"{root}.away")
    os.mkdir(root)  # an empty mount point: the volume is not mounted

    result = audit_stored_chunks(bytes_per_second=FAST)

    assert result["quarantined"] == [] and result["images_failed"] == 0 and status(image) == ImageStatus.ACTIVE
    assert result["missing"] == blob_audit.MISSING_IN_A_ROW < MANY
    assert result["stopped"] and north.pk in result["stopped"][0]

    os.rmdir(root)
    os.rename(f"{root}.away", root)
    result = audit_stored_chunks(bytes_per_second=FAST)
    assert result["chunks_verified"] == MANY and result["missing"] == 0 and result["stopped"] == []


def test_an_object_missing_for_a_moment_is_not_quarantined(stored, monkeypatch):
    manifest, image = stored
    chunk = chunk_at(manifest, 6)
    read = blob_audit.get_object

    def away_once(storage, name):
        if name == chunk.object_name:
            monkeypatch.setattr(blob_audit, "get_object", read)
            raise FileNotFoundError(name)
        return read(storage, name)

    monkeypatch.setattr(blob_audit, "get_object", away_once)

    result = audit_stored_chunks(bytes_per_second=FAST)

    assert result["missing"] == 1 and result["quarantined"] == [] and status(image) == ImageStatus.ACTIVE
    assert Chunk.objects.get(pk=chunk.pk).quarantined_at is None


def test_lost_objects_of_a_present_store_are_quarantined_a_few_runs_at_a_time(many, north):
    manifest, image = many
    storage = chunk_storage(north.pk)
    # In the audit's order (verified at the same moment, then by id), so the one object left is read last.
    entries = ManifestEntry.objects.filter(manifest=manifest).select_related("chunk").order_by("chunk_id")
    lost = [entry.chunk for entry in entries]
    for chunk in lost[:-1]:  # one object is left: the store is there
        os.unlink(storage.path(chunk.object_name))

    first = audit_stored_chunks(bytes_per_second=FAST)
    second = audit_stored_chunks(bytes_per_second=FAST)

    assert len(first["quarantined"]) == blob_audit.MISSING_IN_A_ROW - 1 and first["stopped"]
    assert len(first["quarantined"]) + len(second["quarantined"]) == MANY - 1
    assert all("missing" in reason for _, _, reason in first["quarantined"] + second["quarantined"])
    assert status(image) == ImageStatus.KILLED
