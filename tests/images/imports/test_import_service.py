"""Importing image files through the service layer and the pipeline (run in-process, real qemu-img)."""

import hashlib
import subprocess

import pytest

from console.errors import ImsError
from images.api.inputs.common import parse
from images.api.inputs.imports import CreateImageInput, GlanceCreateImageInput
from images.blobs.store import iter_raw_disk
from images.choices import ImageStatus
from images.jobs.imports import run_import
from images.models import Image, Job, JobStatus
from images.services import imports, jobs
from tests import factories
from tests.images.imports.helpers import MiB, converted, pattern_disk, sha256_of, upload


@pytest.fixture
def admin(tenant_a):
    return factories.actor(tenant_a.admin)


def create(actor, url, **body):
    """A create_image request as the API takes it: its body parsed by the input serializer, then the service."""
    request = {"name": "imported", "image_url": url, "min_disk": 40, **body}
    return imports.create_image(actor, **parse(CreateImageInput, request))


def run(job) -> Job:
    run_import(job.id)
    return Job.objects.select_related("image").get(pk=job.pk)


def downloaded_sha256(image) -> str:
    digest = hashlib.sha256()
    for piece in iter_raw_disk(image.manifest):
        digest.update(piece)
    return digest.hexdigest()


@pytest.mark.parametrize("fmt", ["raw", "qcow2", "vmdk", "vhd", "vhdx", "qed", "vdi", "qcow"])
def test_every_accepted_format_imports_and_round_trips(admin, tmp_path, fmt):
    raw = pattern_disk(tmp_path / "disk.raw")
    source = converted(raw, fmt)
    job = run(create(admin, upload(admin, source, f"disk.{fmt}"), os_version="Ubuntu 22.04 server 64bit"))
    assert job.status == JobStatus.SUCCESS, job.fail_reason
    image = job.image
    assert image.status == ImageStatus.ACTIVE and image.disk_format == "raw" and image.file_format == fmt
    assert image.virtual_size == raw.stat().st_size == image.size
    assert downloaded_sha256(image) == sha256_of(raw) == image.os_hash_value
    assert image.os_hash_algo == "sha256" and len(image.checksum) == 32
    assert image.file_sha256 == sha256_of(source)
    assert (image.platform, image.os_type) == ("Ubuntu", "Linux")
    assert not jobs.staging_dir(job).exists()


def test_zero_areas_are_not_stored(admin, tmp_path):
    raw = pattern_disk(tmp_path / "disk.raw", size=16 * MiB)
    image = run(create(admin, upload(admin, raw, "disk.raw"))).image
    assert image.manifest.data_bytes < 16 * MiB  # the hole and the zero run were skipped


def test_importing_the_same_file_twice_adds_no_chunks(admin, tmp_path):
    raw = pattern_disk(tmp_path / "disk.raw")
    url = upload(admin, raw, "disk.raw")
    first = run(create(admin, url)).image
    second = run(create(admin, url)).image
    assert first.manifest.new_bytes > 0 and second.manifest.new_bytes == 0


def test_a_file_with_a_backing_file_is_refused_and_leaves_nothing(admin, tmp_path):
    evil = tmp_path / "evil.qcow2"
    subprocess.run(
        ["qemu-img", "create", "-f", "qcow2", "-b", "/etc/passwd", "-F", "raw", str(evil), "1M"],
        check=True,
        capture_output=True,
    )
    job = run(create(admin, upload(admin, evil, "evil.qcow2")))
    assert (job.status, job.error_code) == (JobStatus.FAIL, "IMG.0705")
    assert "backing" in job.fail_reason.lower()
    assert job.image.status == ImageStatus.KILLED and job.image.manifest is None
    assert not jobs.staging_dir(job).exists()


def test_declared_format_must_match_the_bytes(admin, tmp_path):
    raw = pattern_disk(tmp_path / "disk.raw")
    image = imports.glance_create_image_metadata(admin, name="declared", disk_format="qcow2")
    with open(raw, "rb") as stream:
        job = imports.glance_upload_image_file(admin, image=image, stream=stream, content_length=raw.stat().st_size)
    job = run(job)
    assert (job.status, job.error_code) == (JobStatus.FAIL, "IMG.0703")


def test_glance_create_and_upload_makes_an_active_image(admin, tmp_path):
    raw = pattern_disk(tmp_path / "disk.raw")
    qcow2 = converted(raw, "qcow2")
    image = imports.glance_create_image_metadata(admin, name="glance", disk_format="qcow2")
    assert image.status == ImageStatus.QUEUED
    with open(qcow2, "rb") as stream:
        job = run(imports.glance_upload_image_file(admin, image=image, stream=stream, content_length=None))
    image.refresh_from_db()
    assert job.status == JobStatus.SUCCESS and image.status == ImageStatus.ACTIVE
    assert image.disk_format == "raw" and image.file_format == "qcow2"
    assert downloaded_sha256(image) == sha256_of(raw)


def test_register_image_imports_into_a_queued_image(admin, tmp_path):
    raw = pattern_disk(tmp_path / "disk.raw")
    image = imports.glance_create_image_metadata(admin, name="registered", disk_format="raw")
    job = run(imports.register_image(admin, image=image, image_url=upload(admin, raw, "disk.raw")))
    assert job.status == JobStatus.SUCCESS
    with pytest.raises(ImsError) as refused:
        imports.register_image(admin, image=job.image, image_url="images:disk.raw")
    assert refused.value.code == "IMG.0121"


def test_expected_sha256_must_match(admin, tmp_path):
    raw = pattern_disk(tmp_path / "disk.raw")
    job = run(create(admin, upload(admin, raw, "disk.raw"), sha256="0" * 64))
    assert (job.status, job.error_code) == (JobStatus.FAIL, "IMG.0720")
    job = run(create(admin, "images:disk.raw", sha256=sha256_of(raw)))
    assert job.status == JobStatus.SUCCESS


def test_min_disk_smaller_than_the_disk_in_the_file_is_refused(admin, tmp_path):
    big = tmp_path / "big.qcow2"
    subprocess.run(["qemu-img", "create", "-f", "qcow2", str(big), "50G"], check=True, capture_output=True)
    job = run(create(admin, upload(admin, big, "big.qcow2"), min_disk=40))
    assert (job.status, job.error_code) == (JobStatus.FAIL, "IMG.0723")


def test_fast_import_takes_raw_files_only(admin, tmp_path):
    qcow2 = converted(pattern_disk(tmp_path / "disk.raw"), "qcow2")
    job = imports.import_image_quick(
        admin, name="fast", image_url=upload(admin, qcow2, "d.qcow2"), os_version="CentOS 7.9 64bit", min_disk=40
    )
    job = run(job)
    assert job.status == JobStatus.FAIL and job.error_code in ("IMG.0703", "IMG.0724")


def test_data_disk_image_records_the_data_image_type(admin, tmp_path):
    raw = pattern_disk(tmp_path / "disk.raw")
    job = imports.create_data_image(
        admin, name="data", image_url=upload(admin, raw, "d.raw"), min_disk=100, os_type="Windows"
    )
    image = run(job).image
    assert image.virtual_env_type == "DataImage" and image.os_type == "Windows" and image.status == "active"


@pytest.mark.parametrize(
    "body, code",
    [
        ({"name": " bad"}, "IMG.0001"),
        ({"min_disk": 20}, "IMG.0001"),
        ({"min_disk": 2000}, "IMG.0001"),
        ({"os_version": "Plan 9"}, "IMG.0001"),
        ({"image_url": "no-colon"}, "IMG.0001"),
        ({"image_url": "images:missing.qcow2"}, "OBS.0404"),
        ({"image_url": "images:disk.zvhd2"}, "IMG.0715"),
        ({"cmk_id": "key"}, "IMG.0001"),  # no such KMS key
        ({"instance_id": "server"}, "IMG.0001"),  # a file and a server: one source only
        ({"image_tags": [{"key": f"k{i}", "value": "v"} for i in range(11)]}, "IMG.0001"),
    ],
)
def test_invalid_requests_are_refused_before_any_job(admin, tmp_path, body, code):
    upload(admin, pattern_disk(tmp_path / "d.raw", size=MiB), "d.raw")
    with pytest.raises(ImsError) as refused:
        create(admin, "images:d.raw", **body)
    assert refused.value.code == code
    assert not Job.objects.exists() and not Image.objects.exists()


def test_read_only_user_cannot_import(tenant_a, tmp_path):
    admin = factories.actor(tenant_a.admin)
    url = upload(admin, pattern_disk(tmp_path / "d.raw", size=MiB), "d.raw")
    with pytest.raises(ImsError) as refused:
        create(factories.actor(tenant_a.reader), url)
    assert refused.value.status == 403


def test_private_image_quota_counts_live_images_only(admin, tmp_path, settings):
    settings.IMS_PRIVATE_IMAGE_QUOTA = 2
    url = upload(admin, pattern_disk(tmp_path / "d.raw", size=MiB), "d.raw")
    first, _second = create(admin, url), create(admin, url)
    with pytest.raises(ImsError) as refused:
        create(admin, url)
    assert refused.value.code == "IMG.0301"
    jobs.fail(first, ImsError("IMG.0899", "test failure"))  # a failed import frees its place
    assert create(admin, url).job_type == "createImageByFile"


def test_parallel_task_quota(admin, tmp_path, settings):
    settings.IMS_PARALLEL_TASK_QUOTA = 1
    url = upload(admin, pattern_disk(tmp_path / "d.raw", size=MiB), "d.raw")
    create(admin, url)
    with pytest.raises(ImsError) as refused:
        create(admin, url)
    assert refused.value.code == "IMG.0302"


def test_reaper_fails_jobs_whose_worker_died(admin, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    job = create(admin, upload(admin, pattern_disk(tmp_path / "d.raw", size=MiB), "d.raw"))
    jobs.start(job, "convert")
    jobs.staging_dir(job).mkdir(parents=True)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=10))
    assert jobs.reap_stale_jobs() == 1
    job.refresh_from_db()
    assert (job.status, job.error_code) == (JobStatus.FAIL, "IMG.0801")
    assert Image.objects.get(pk=job.image_id).status == ImageStatus.KILLED
    assert not jobs.staging_dir(job).exists()


def test_a_finished_job_is_not_run_again(admin, tmp_path):
    job = run(create(admin, upload(admin, pattern_disk(tmp_path / "d.raw", size=MiB), "d.raw")))
    assert job.status == JobStatus.SUCCESS
    run_import(job.id)  # a redelivered message
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCESS


def test_an_image_nested_inside_the_disk_is_refused(admin, tmp_path):
    inner = tmp_path / "inner.qcow2"
    subprocess.run(
        ["qemu-img", "create", "-f", "qcow2", "-b", "/etc/passwd", "-F", "raw", str(inner), "1M"],
        check=True,
        capture_output=True,
    )
    outer = tmp_path / "outer.qcow2"  # a qcow2 whose virtual disk holds the bytes of another qcow2
    subprocess.run(
        ["qemu-img", "convert", "-f", "raw", "-O", "qcow2", str(inner), str(outer)], check=True, capture_output=True
    )
    job = run(create(admin, upload(admin, outer, "outer.qcow2")))
    assert (job.status, job.error_code) == (JobStatus.FAIL, "IMG.0716")
    assert job.image.status == ImageStatus.KILLED and not jobs.staging_dir(job).exists()


def test_replacing_the_bucket_object_after_inspection_cannot_smuggle_a_host_file(admin, tmp_path, monkeypatch):
    from images.formats import inspector

    raw = pattern_disk(tmp_path / "disk.raw")
    url = upload(admin, converted(raw, "qcow2"), "swap.qcow2")
    evil = tmp_path / "evil.qcow2"
    subprocess.run(
        ["qemu-img", "create", "-f", "qcow2", "-b", "/etc/passwd", "-F", "raw", str(evil), "1M"],
        check=True,
        capture_output=True,
    )
    checked = inspector.inspect_image_file

    def inspect_then_swap(*args, **kwargs):
        result = checked(*args, **kwargs)
        upload(admin, evil, "swap.qcow2")  # the tenant replaces the object right after the checks
        return result

    monkeypatch.setattr(inspector, "inspect_image_file", inspect_then_swap)
    job = run(create(admin, url))
    assert job.status == JobStatus.SUCCESS
    assert downloaded_sha256(job.image) == sha256_of(raw)  # the inspected file, not the swapped one


@pytest.mark.parametrize(
    "body", [{"architecture": ["x86"]}, {"hw_firmware_type": {"a": 1}}, {"min_disk": [40]}, {"name": {"n": 1}}]
)
def test_wrongly_typed_fields_are_a_clear_400(admin, body):
    with pytest.raises(ImsError) as refused:
        create(admin, "images:any.qcow2", **body)
    assert refused.value.code == "IMG.0001" and refused.value.status == 400


def test_glance_protected_must_be_a_boolean(admin):
    with pytest.raises(ImsError, match="protected"):
        parse(GlanceCreateImageInput, {"name": "p", "protected": "false"})
    arguments = parse(GlanceCreateImageInput, {"name": "p", "protected": False})
    assert imports.glance_create_image_metadata(admin, **arguments).protected is False


def test_a_queued_image_can_be_registered_only_once(admin, tmp_path):
    url = upload(admin, pattern_disk(tmp_path / "d.raw", size=MiB), "d.raw")
    image = imports.glance_create_image_metadata(admin, name="once", disk_format="raw")
    imports.register_image(admin, image=image, image_url=url)
    with pytest.raises(ImsError) as refused:
        imports.register_image(admin, image=image, image_url=url)  # a stale copy still says "queued"
    assert refused.value.code == "IMG.0121"
    assert Job.objects.filter(image=image).count() == 1


def test_a_whole_machine_image_of_no_server_is_refused_and_its_trace_names_the_image(admin):
    from audit.models import Trace

    with pytest.raises(ImsError) as refused:
        imports.create_whole_image(admin, name="whole")
    assert refused.value.message == "instance_id: instance_id or backup_id is required."
    with pytest.raises(ImsError) as refused:
        imports.create_whole_image(admin, name="whole", instance_id="server-1")
    assert (refused.value.code, refused.value.status) == ("Ecs.0114", 404)
    traces = Trace.objects.filter(operation="create_whole_image").order_by("pk")
    assert [(t.error_code, t.summary) for t in traces] == [
        ("IMG.0001", {"name": "whole"}),
        ("Ecs.0114", {"name": "whole"}),
    ]
