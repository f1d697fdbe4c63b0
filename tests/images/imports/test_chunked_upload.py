"""Glance uploads with `Transfer-Encoding: chunked` (what OpenStack clients send for streams), under the same
WSGI server `make run` uses."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.conf import settings

from iam.credentials import issue_token
from images.jobs.imports import run_import
from images.models import Image, Job
from images.services import imports
from tests import factories
from tests.images.imports.helpers import MiB, converted, pattern_disk, sha256_of
from tests.workers import ROOT, database_url_for_tests, wait_until


@pytest.fixture
def gunicorn(transactional_db):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_tests(),
        "VAR_DIR": str(settings.VAR_DIR),
        "DJANGO_SETTINGS_MODULE": "console.settings",
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "console.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"

    def answering():
        try:
            return requests.get(url + "/", timeout=5).ok
        except requests.RequestException:  # not listening yet, or too busy to answer
            return False

    try:
        wait_until(lambda: process.poll() is not None or answering(), seconds=60)
        assert process.poll() is None, process.stderr.read().decode(errors="replace")
    except BaseException:
        process.kill()
        raise
    yield url
    process.terminate()
    process.wait(timeout=20)


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
