"""Exporting images into a bucket: refusals, and the exported file converted back to the very same disk."""

import subprocess

import pytest

from core.errors import ImsError
from iam.actors import system_actor
from images.api.inputs.common import parse
from images.api.inputs.copy_export import ExportInput
from images.blobs.models import Chunk
from images.blobs.objects import chunk_storage, delete_object
from images.blobs.store import read_raw_disk
from images.choices import ImageStatus, ImageType, VirtualEnvType
from images.models import Image, Job, JobStatus
from images.services import export, jobs
from obs.models import StoredObject
from obs.services import create_bucket, open_object
from tests import factories
from tests.images.imports.helpers import sha256_of
from tests.images.manage.helpers_copy import disk_sha256, finished, imported_image

GB = 1024**3


@pytest.fixture
def admin(tenant_a):
    return factories.actor(tenant_a.admin)


@pytest.fixture
def source(admin, tmp_path):
    image = imported_image(admin, tmp_path)
    create_bucket(system_actor(admin.project), name="exports")
    return image


def refused(call, code):
    with pytest.raises(ImsError) as raised:
        call()
    assert raised.value.code == code, raised.value.message
    return raised.value


def exported(admin, source, **options):
    job = finished(export.export_image(admin, image=source, bucket_url="exports:out/disk.img", **options))
    assert job.status == JobStatus.SUCCESS, job.fail_reason
    assert not jobs.staging_dir(job).exists()
    return job, StoredObject.objects.get(bucket__name="exports", key="out/disk.img")


def raw_disk(image, tmp_path):
    path = tmp_path / "disk.raw"
    read_raw_disk(image.manifest, path)
    return path


def read_object(admin, key) -> bytes:
    stream, _ = open_object(admin, bucket="exports", key=key)
    with stream:
        return stream.read()


@pytest.mark.parametrize("fmt, driver", [("qcow2", "qcow2"), ("vmdk", "vmdk"), ("vhd", "vpc")])
def test_export_round_trips_to_the_same_disk(admin, source, tmp_path, fmt, driver):
    job, stored = exported(admin, source, file_format=fmt)
    path = tmp_path / f"exported.{fmt}"  # read through the object store: a local file or an S3 object
    path.write_bytes(read_object(admin, "out/disk.img"))
    back = tmp_path / "back.raw"
    subprocess.run(["qemu-img", "convert", "-f", driver, "-O", "raw", str(path), str(back)], check=True)
    with open(back, "r+b") as handle:
        handle.truncate(source.virtual_size)  # VHD rounds the disk up to its geometry
    assert sha256_of(back) == source.os_hash_value == disk_sha256(source)
    assert stored.sha256 == sha256_of(path) == job.entities["file_sha256"]
    if driver != "vpc":  # qemu-img cannot check a VHD
        subprocess.run(["qemu-img", "check", "-f", driver, str(path)], check=True, capture_output=True)
    assert read_object(admin, "out/disk.img.sha256").decode() == f"{stored.sha256}  disk.img\n"


def test_quick_export_exports_the_raw_disk(admin, source):
    job, stored = exported(admin, source, is_quick_export=True)
    assert stored.sha256 == source.os_hash_value and stored.size == source.virtual_size
    assert job.entities["file_format"] == "raw"


def test_export_reports_progress_and_names_the_image(admin, source):
    job, _ = exported(admin, source, file_format="qcow2")
    assert job.percent == 100.0 and job.entities["image_id"] == str(source.pk)


@pytest.mark.parametrize(
    "body, code",
    [
        ({"file_format": "zvhd"}, "IMG.0715"),
        ({"file_format": "zvhd2"}, "IMG.0715"),
        ({"file_format": "vdi"}, "IMG.0001"),
        ({"is_quick_export": True, "file_format": "qcow2"}, "IMG.0001"),
        ({"file_format": "qcow2", "bucket_url": "nobucket:x"}, "IMG.0916"),
        ({"file_format": "qcow2", "bucket_url": "no-colon"}, "IMG.0001"),
        ({"file_format": 5}, "IMG.0001"),
        ({"is_quick_export": "true"}, "IMG.0001"),
        ({"is_quick_export": None, "file_format": "qcow2"}, "IMG.0001"),
    ],
)
def test_export_body_refusals(admin, source, body, code):
    """The request as the API parses it, then the service: each refusal with its code, before any job."""
    body = {"bucket_url": "exports:x", **body}
    refused(lambda: export.export_image(admin, image=source, **parse(ExportInput, body)), code)
    assert not Job.objects.filter(job_type=export.EXPORT_JOB).exists()


def test_a_quick_export_flag_must_be_a_json_boolean():
    error = refused(lambda: parse(ExportInput, {"bucket_url": "exports:x", "is_quick_export": "false"}), "IMG.0001")
    assert error.message == "is_quick_export: must be true or false."


def test_zvhd_refusal_says_why(admin, source):
    error = refused(
        lambda: export.export_image(admin, image=source, bucket_url="exports:x", file_format="zvhd"), "IMG.0715"
    )
    assert "proprietary" in error.message


@pytest.mark.parametrize(
    "change, quick, code",
    [
        ({"image_type": ImageType.GOLD}, False, "IMG.0911"),
        ({"image_type": ImageType.MARKET}, False, "IMG.0911"),
        ({"status": ImageStatus.KILLED}, False, "IMG.0901"),
        ({"backup_id": "backup-1"}, False, "IMG.0902"),
        ({"virtual_env_type": VirtualEnvType.ISO_IMAGE}, False, "IMG.0903"),
        ({"root_origin": "instance", "platform": "Windows"}, False, "IMG.0912"),
        ({"root_origin": "instance", "platform": "RedHat"}, False, "IMG.0912"),
        ({"product_code": "market-1"}, False, "IMG.0912"),
        ({"virtual_size": 1025 * GB}, True, "IMG.0913"),
        ({"virtual_size": 129 * GB}, False, "IMG.0914"),
        ({"cmk_id": "key-1"}, True, "IMG.0915"),
        ({"cmk_id": "key-1"}, False, "KMS.0007"),  # encrypted with a key that is gone: it cannot be read
    ],
)
def test_export_refusals(admin, source, change, quick, code):
    Image.objects.filter(pk=source.pk).update(**change)
    source.refresh_from_db()
    options = {"is_quick_export": True} if quick else {"file_format": "qcow2"}
    refused(lambda: export.export_image(admin, image=source, bucket_url="exports:x", **options), code)
    assert not Job.objects.filter(job_type=export.EXPORT_JOB).exists()


@pytest.mark.parametrize("platform, allowed", [("SUSE", False), ("Oracle Linux", False), ("Ubuntu", True)])
def test_images_from_licensed_public_images_cannot_be_exported(admin, source, platform, allowed):
    gold = factories.make_image(admin.project, image_type=ImageType.GOLD, visibility="public", platform=platform)
    Image.objects.filter(pk=source.pk).update(original_image_id=str(gold.pk))
    source.refresh_from_db()
    options = {"bucket_url": "exports:x", "file_format": "qcow2"}
    if allowed:
        export.export_image(admin, image=source, **options)
    else:
        refused(lambda: export.export_image(admin, image=source, **options), "IMG.0912")


def test_large_images_export_only_quickly(admin, source):
    Image.objects.filter(pk=source.pk).update(virtual_size=200 * GB)
    source.refresh_from_db()
    export.export_image(admin, image=source, bucket_url="exports:x", is_quick_export=True)


def test_a_bucket_of_another_tenant_is_not_found(admin, source, tenant_b):
    create_bucket(system_actor(factories.project_of(tenant_b.account)), name="theirs")
    refused(lambda: export.export_image(admin, image=source, bucket_url="theirs:x", file_format="qcow2"), "IMG.0916")


def test_a_failed_export_cleans_up(admin, source):
    job = export.export_image(admin, image=source, bucket_url="exports:x", file_format="qcow2")
    Job.objects.filter(pk=job.pk).update(entities={**job.entities, "file_format": "vdi"})
    job = finished(job)
    assert job.status == JobStatus.FAIL and job.error_code
    assert not jobs.staging_dir(job).exists()
    assert Image.objects.get(pk=source.pk).status == ImageStatus.ACTIVE
    assert not StoredObject.objects.filter(bucket__name="exports").exists()


def test_an_export_larger_than_one_put_goes_up_in_parts(admin, source, settings):
    settings.OBS_MAX_PUT_SIZE = 4 * 1024 * 1024
    _job, stored = exported(admin, source, is_quick_export=True)
    assert stored.size == source.virtual_size and stored.sha256 == source.os_hash_value
    assert read_object(admin, "out/disk.img.sha256").decode() == f"{source.os_hash_value}  disk.img\n"


def test_a_qcow2_export_larger_than_one_put_goes_up_in_parts_as_it_is_made(admin, source, settings, tmp_path):
    settings.OBS_MAX_PUT_SIZE = 1024 * 1024
    job, stored = exported(admin, source, file_format="qcow2")
    path = tmp_path / "exported.qcow2"
    path.write_bytes(read_object(admin, "out/disk.img"))

    assert stored.size == path.stat().st_size > settings.OBS_MAX_PUT_SIZE
    compare = subprocess.run(
        ["qemu-img", "compare", "-f", "qcow2", str(path), "-F", "raw", str(raw_disk(source, tmp_path))]
    )
    assert compare.returncode == 0
    assert stored.sha256 == job.entities["file_sha256"] == sha256_of(path)


def test_a_chunk_lost_while_a_qcow2_is_made_fails_the_export_and_keeps_no_object(admin, source, monkeypatch):
    from images.blobs import store

    reads = []

    def losing_a_chunk_after_the_first_pass(manifest, *, key=None):
        reads.append(manifest)
        yield from real_reads(manifest, key=key)
        if len(reads) == 1:
            chunk = Chunk.objects.filter(entries__manifest=manifest).order_by("-entries__index").first()
            delete_object(chunk_storage(chunk.region_id), chunk.object_name)

    real_reads = store.iter_stored_chunks
    monkeypatch.setattr(store, "iter_stored_chunks", losing_a_chunk_after_the_first_pass)
    job = finished(export.export_image(admin, image=source, bucket_url="exports:x", file_format="qcow2"))

    assert len(reads) == 2 and job.status == JobStatus.FAIL and job.fail_reason
    assert not StoredObject.objects.filter(bucket__name="exports").exists()
    assert not jobs.staging_dir(job).exists()
    assert Image.objects.get(pk=source.pk).status == ImageStatus.ACTIVE


def test_exporting_onto_an_existing_object_is_refused_unless_overwrite_is_asked(admin, source):
    exported(admin, source, file_format="qcow2")
    first = StoredObject.objects.get(bucket__name="exports", key="out/disk.img")

    error = refused(
        lambda: export.export_image(admin, image=source, bucket_url="exports:out/disk.img", file_format="vmdk"),
        "IMG.0917",
    )
    assert error.status == 409 and "out/disk.img" in error.message

    job, again = exported(admin, source, file_format="vmdk", overwrite=True)
    assert again.pk == first.pk and job.entities["file_format"] == "vmdk"


def test_the_api_asks_to_overwrite_with_a_boolean():
    body = {"bucket_url": "exports:x.qcow2", "file_format": "qcow2"}
    assert parse(ExportInput, body)["overwrite"] is True  # the official API replaces the object, as OBS does
    assert parse(ExportInput, {**body, "overwrite": False})["overwrite"] is False
    error = refused(lambda: parse(ExportInput, {**body, "overwrite": "yes"}), "IMG.0001")
    assert error.message == "overwrite: must be true or false."
