"""The official SDK creates and registers images from bucket files; a real worker runs the jobs."""

import pytest

from images.models import Image
from tests import factories
from tests.compat.test_sdk import client_for as sdk_client
from tests.images.imports.helpers import converted, pattern_disk, sha256_of, upload
from tests.workers import wait_until

pytestmark = pytest.mark.compat


def finished_job(client, job_id):
    from huaweicloudsdkims.v2 import ShowJobRequest

    def ended():
        job = client.show_job(ShowJobRequest(job_id=job_id))
        return job if job.status in ("SUCCESS", "FAIL") else None

    return wait_until(ended, seconds=120, interval=0.5)


def test_sdk_create_image_from_a_bucket_file_and_show_job(world, access_key, project_a, job_worker, tmp_path):
    from huaweicloudsdkims.v2 import CreateImageRequest, CreateImageRequestBody

    raw = pattern_disk(tmp_path / "disk.raw")
    url = upload(factories.actor(world["a"].admin), converted(raw, "qcow2"), "sdk/disk.qcow2")
    client = sdk_client(world["url"], *access_key, project_a.id)
    body = CreateImageRequestBody(
        name="sdk-import", image_url=url, min_disk=40, os_version="Ubuntu 22.04 server 64bit", architecture="x86"
    )
    job_id = client.create_image(CreateImageRequest(body=body)).job_id
    job = finished_job(client, job_id)
    assert job.status == "SUCCESS", job.fail_reason
    image = Image.objects.get(pk=job.entities.image_id)
    assert image.status == "active" and image.os_hash_value == sha256_of(raw)


def test_sdk_register_image_and_a_refused_file(world, access_key, project_a, job_worker, tmp_path):
    from huaweicloudsdkims.v2 import (
        CreateImageRequest,
        CreateImageRequestBody,
        GlanceCreateImageMetadataRequest,
        GlanceCreateImageMetadataRequestBody,
        RegisterImageRequest,
        RegisterImageRequestBody,
    )

    actor = factories.actor(world["a"].admin)
    url = upload(actor, pattern_disk(tmp_path / "disk.raw"), "sdk/disk.raw")
    client = sdk_client(world["url"], *access_key, project_a.id)
    created = client.glance_create_image_metadata(
        GlanceCreateImageMetadataRequest(
            body=GlanceCreateImageMetadataRequestBody(name="sdk-registered", disk_format="raw")
        )
    )
    assert created.status == "queued"
    job_id = client.register_image(
        RegisterImageRequest(image_id=created.id, body=RegisterImageRequestBody(image_url=url))
    ).job_id
    assert finished_job(client, job_id).status == "SUCCESS"

    evil = tmp_path / "evil.qcow2"
    import subprocess

    subprocess.run(
        ["qemu-img", "create", "-f", "qcow2", "-b", "/etc/passwd", "-F", "raw", str(evil), "1M"],
        check=True,
        capture_output=True,
    )
    bad_url = upload(actor, evil, "sdk/evil.qcow2")
    job_id = client.create_image(
        CreateImageRequest(body=CreateImageRequestBody(name="sdk-evil", image_url=bad_url, min_disk=40))
    ).job_id
    job = finished_job(client, job_id)
    assert (job.status, job.error_code) == ("FAIL", "IMG.0705")
