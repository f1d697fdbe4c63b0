"""A Glance upload becomes an image only when every declared byte arrived: a client that declares more than it
sends and hangs up, a cut-off chunked body, or a body longer than declared leave the image queued (as Glance
does), the job failed with its task-quota slot free, no staging file, and no 500 traceback in the server log.

The live cases drive gunicorn (the `gunicorn` fixture) through a raw socket, as a client that disconnects would."""

import io
import socket
from urllib.parse import urlsplit

import pytest

from iam.credentials import issue_token
from images.models import Image, Job
from images.services import imports, jobs
from tests import factories
from tests.workers import wait_until

KiB, MiB = 1024, 1024 * 1024


def _queued_image(tenant):
    actor = factories.actor(tenant.admin)
    image = imports.glance_create_image_metadata(actor, name="cut-off", disk_format="raw")
    token, _ = issue_token(user=tenant.admin, project=tenant.project)
    return image, token


def _send_and_hang_up(url: str, image_id, token: str, headers: str, body: bytes) -> None:
    address = urlsplit(url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        request = f"PUT /v2/images/{image_id}/file HTTP/1.1\r\nHost: {address.netloc}\r\nX-Auth-Token: {token}\r\n"
        request += f"Content-Type: application/octet-stream\r\n{headers}\r\n"
        sock.sendall(request.encode() + body)


def _refused_and_queued(image: Image, gunicorn_log) -> None:
    wait_until(lambda: Job.objects.filter(image=image, status="FAIL").exists(), seconds=30)
    job = Job.objects.get(image=image)
    assert job.error_code == "IMG.0122", job.fail_reason
    assert Image.objects.get(pk=image.pk).status == "queued"
    # Staging goes just after the job's failure is committed.
    wait_until(lambda: not jobs.staging_dir(job).exists(), seconds=10)
    assert "Traceback" not in gunicorn_log.read_text(errors="replace")


def test_short_body_with_hang_up_never_becomes_an_image(gunicorn, gunicorn_log, tenant_a):
    image, token = _queued_image(tenant_a)
    _send_and_hang_up(gunicorn, image.id, token, f"Content-Length: {MiB}\r\n", b"\x01" * (256 * KiB))
    _refused_and_queued(image, gunicorn_log)


def test_cut_off_chunked_upload_is_refused_without_a_traceback(gunicorn, gunicorn_log, tenant_a):
    image, token = _queued_image(tenant_a)
    chunk = b"\x01" * (64 * KiB)
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(4)) + b"10000\r\n" + chunk[:1000]
    _send_and_hang_up(gunicorn, image.id, token, "Transfer-Encoding: chunked\r\n", body)
    _refused_and_queued(image, gunicorn_log)


def test_the_queued_image_takes_a_whole_upload_afterwards(gunicorn, gunicorn_log, tenant_a):
    image, token = _queued_image(tenant_a)
    _send_and_hang_up(gunicorn, image.id, token, f"Content-Length: {MiB}\r\n", b"\x01" * (256 * KiB))
    _refused_and_queued(image, gunicorn_log)
    actor = factories.actor(tenant_a.admin)
    job = imports.glance_upload_image_file(
        actor, image_id=image.id, stream=io.BytesIO(b"\x01" * MiB), content_length=MiB
    )
    job.refresh_from_db()
    assert job.entities["file_size"] == MiB and Image.objects.get(pk=image.pk).status == "saving"


@pytest.mark.parametrize("sent", [1000, 3000], ids=["shorter", "longer"])
def test_body_not_matching_its_content_length_is_refused(db, tenant_a, sent):
    """At the service: a stream that gives fewer or more bytes than Content-Length declared."""
    image, _token = _queued_image(tenant_a)
    actor = factories.actor(tenant_a.admin)
    with pytest.raises(imports.ImsError) as refused:
        imports.glance_upload_image_file(actor, image_id=image.id, stream=io.BytesIO(b"x" * sent), content_length=2000)
    assert refused.value.code == "IMG.0122" and refused.value.status == 400
    job = Job.objects.get(image=image)
    assert job.status == "FAIL" and Image.objects.get(pk=image.pk).status == "queued"
    assert not jobs.staging_dir(job).exists()


def test_the_image_is_queued_again_before_its_failed_job_is_seen(db, tenant_a, monkeypatch):
    """A client that sees the job failed must find the image ready for a new upload: both change in one commit.
    Staging is removed just after that commit, so the image's state is read there."""
    image, _token = _queued_image(tenant_a)
    seen = []
    real_rmtree = jobs.shutil.rmtree

    def read_image_then_remove(path, **options):
        seen.append(Image.objects.get(pk=image.pk).status)
        real_rmtree(path, **options)

    monkeypatch.setattr(jobs.shutil, "rmtree", read_image_then_remove)
    with pytest.raises(imports.ImsError):
        imports.glance_upload_image_file(
            factories.actor(tenant_a.admin), image_id=image.id, stream=io.BytesIO(b"x" * 10), content_length=20
        )
    assert seen == ["queued"]
