"""Glance uploads with `Transfer-Encoding: chunked` (what OpenStack clients send for streams), under the same
WSGI server `make run` uses (the `gunicorn` fixture of conftest.py)."""

import hashlib

import requests

from iam.credentials import issue_token
from images.blobs.models import Manifest
from images.models import Image, Job
from images.services import imports
from tests import factories
from tests.images.imports.helpers import MiB, converted, pattern_disk, sha256_of


def test_chunked_glance_upload_is_received_whole_under_gunicorn(gunicorn, tenant_a, tmp_path):
    raw = pattern_disk(tmp_path / "disk.raw", size=9 * MiB)
    qcow2 = converted(raw, "qcow2")
    actor = factories.actor(tenant_a.admin)
    image = imports.glance_create_image_metadata(actor, name="chunked", disk_format="qcow2")
    token, _ = issue_token(user=tenant_a.admin, project=tenant_a.project)

    def pieces():
        with open(qcow2, "rb") as handle:
            while piece := handle.read(300_000):
                yield piece

    response = requests.put(
        f"{gunicorn}/v2/images/{image.id}/file",
        data=pieces(),
        timeout=60,
        headers={"X-Auth-Token": token, "Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 204, response.text
    job = Job.objects.get(image=image)
    assert job.entities["file_size"] == qcow2.stat().st_size
    image.refresh_from_db()  # active when the PUT answers: no worker runs in this test
    assert image.status == "active" and image.file_sha256 == sha256_of(qcow2)
    assert image.os_hash_value == sha256_of(raw)


def test_raw_upload_is_active_or_refused_when_the_put_answers(gunicorn, tenant_a, tmp_path):
    """A raw disk is stored as it arrives; the PUT answers once the image is active, or refuses it with 400."""
    raw = pattern_disk(tmp_path / "disk.raw", size=9 * MiB)
    actor = factories.actor(tenant_a.admin)
    token, _ = issue_token(user=tenant_a.admin, project=tenant_a.project)
    headers = {"X-Auth-Token": token, "Content-Type": "application/octet-stream"}
    image = imports.glance_create_image_metadata(actor, name="raw", disk_format="raw")
    url = f"{gunicorn}/v2/images/{image.id}/file"
    assert requests.get(url, headers=headers, timeout=30).status_code == 204  # queued: no data yet
    response = requests.put(url, data=raw.read_bytes(), timeout=60, headers=headers)
    assert response.status_code == 204, response.text
    image.refresh_from_db()
    assert image.status == "active" and image.os_hash_value == image.file_sha256 == sha256_of(raw)
    assert image.checksum == hashlib.md5(raw.read_bytes()).hexdigest() and image.size == raw.stat().st_size
    downloaded = requests.get(url, headers=headers, timeout=60)
    assert hashlib.sha256(downloaded.content).hexdigest() == sha256_of(raw)

    disguised = imports.glance_create_image_metadata(actor, name="not raw", disk_format="raw")
    url = f"{gunicorn}/v2/images/{disguised.id}/file"
    response = requests.put(url, data=converted(raw, "qcow2").read_bytes(), timeout=60, headers=headers)
    assert response.status_code == 400 and response.json()["error"]["code"] == "IMG.0703", response.text
    disguised.refresh_from_db()
    assert disguised.status == "killed" and disguised.manifest_id is None
    assert not Manifest.objects.filter(images__isnull=True).exists()  # its chunks were stored, but no manifest


def test_upload_to_an_image_that_is_not_queued_is_refused(gunicorn, tenant_a):
    image = factories.make_image(tenant_a.project, status="active")
    token, _ = issue_token(user=tenant_a.admin, project=tenant_a.project)
    response = requests.put(
        f"{gunicorn}/v2/images/{image.id}/file",
        data=b"x" * 1000,
        timeout=30,
        headers={"X-Auth-Token": token, "Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "IMG.0121"
    assert Image.objects.get(pk=image.pk).status == "active"
