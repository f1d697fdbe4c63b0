"""Glance uploads with `Transfer-Encoding: chunked` (what OpenStack clients send for streams), under the same
WSGI server `make run` uses (the `gunicorn` fixture of conftest.py)."""

import requests

from iam.credentials import issue_token
from images.jobs.imports import run_import
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
    run_import(job.id)
    image.refresh_from_db()
    assert image.status == "active" and image.file_sha256 == sha256_of(qcow2)
    assert image.os_hash_value == sha256_of(raw)


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
