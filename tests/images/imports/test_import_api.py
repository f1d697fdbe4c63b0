"""The import operations at the official paths: shapes, job ids, refusals — and Glance's upload/download."""

import hashlib

import pytest

from images.jobs.imports import run_import
from images.models import Image, Job
from tests import factories
from tests.api_clients import SignedClient
from tests.images.imports.helpers import MiB, converted, pattern_disk, sha256_of, upload


@pytest.fixture
def api(tenant_a):
    return SignedClient(tenant_a.admin, project=tenant_a.project)


@pytest.fixture
def source_url(tenant_a, tmp_path):
    actor = factories.actor(tenant_a.admin)
    return upload(actor, converted(pattern_disk(tmp_path / "disk.raw"), "qcow2"), "disk.qcow2")


@pytest.mark.parametrize("path", ["/v2/cloudimages/action", "/v2.1/cloudimages/action"])
def test_create_image_answers_a_job_id_and_the_job_api_shows_it(api, tenant_a, source_url, path):
    response = api.send(
        "POST",
        path,
        {
            "name": "api-import",
            "image_url": source_url,
            "min_disk": 40,
            "os_version": "CentOS 7.9 64bit",
            "image_tags": [{"key": "env", "value": "t"}],
        },
    )
    assert response.status_code == 200, response.content
    job_id = response.json()["job_id"]
    assert len(job_id) == 32
    shown = api.get(f"/v1/{tenant_a.project.id}/jobs/{job_id}").json()
    assert shown["status"] == "INIT" and shown["job_type"] == "createImageByFile"
    run_import(job_id)
    shown = api.get(f"/v1/cloudimages/job/{job_id}").json()
    assert shown["status"] == "SUCCESS" and shown["entities"]["process_percent"] == 100.0
    image = Image.objects.get(pk=shown["entities"]["image_id"])
    assert image.tags.get().key == "env" and image.platform == "CentOS"


def test_data_image_quick_import_and_iso_paths(api, tenant_a, tmp_path, source_url):
    actor = factories.actor(tenant_a.admin)
    raw_url = upload(actor, pattern_disk(tmp_path / "r.raw"), "r.raw")
    assert (
        api.send(
            "POST", "/v1/cloudimages/dataimages/action", {"name": "data", "image_url": source_url, "min_disk": 40}
        ).status_code
        == 200
    )
    assert (
        api.send(
            "POST",
            "/v2/cloudimages/quickimport/action",
            {"name": "fast", "image_url": raw_url, "min_disk": 40, "os_version": "Ubuntu 22.04 server 64bit"},
        ).status_code
        == 200
    )
    assert (
        api.send(
            "POST", "/v2/cloudimages/action", {"name": "iso", "image_url": raw_url, "min_disk": 40, "type": "IsoImage"}
        ).status_code
        == 200
    )
    assert Job.objects.count() == 3


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"name": "x", "min_disk": 40}, 400, "IMG.0001"),
        ({"name": "x", "image_url": "bucket:none.qcow2", "min_disk": 40}, 404, "OBS.0404"),
        ({"name": "x", "image_url": "b:f.zvhd", "min_disk": 40}, 400, "IMG.0715"),
        ({"name": "", "image_url": "b:f", "min_disk": 40}, 400, "IMG.0001"),
    ],
)
def test_bad_create_requests_get_clear_errors(api, body, status, code):
    response = api.send("POST", "/v2/cloudimages/action", body)
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code


def test_a_body_that_is_not_an_object_is_refused(api):
    response = api.send("POST", "/v2/cloudimages/action", ["not", "an", "object"])
    assert response.status_code == 400 and response.json()["error"]["code"] == "IMG.0001"


def test_read_only_user_gets_403_and_nothing_is_created(tenant_a, source_url):
    reader = SignedClient(tenant_a.reader, project=tenant_a.project)
    response = reader.send("POST", "/v2/cloudimages/action", {"name": "x", "image_url": source_url, "min_disk": 40})
    assert response.status_code == 403 and not Job.objects.exists()


def test_glance_create_upload_download_with_checksums(api, tmp_path):
    raw = pattern_disk(tmp_path / "disk.raw", size=6 * MiB)
    created = api.send("POST", "/v2/images", {"name": "glance", "disk_format": "qcow2", "container_format": "bare"})
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "queued" and body["__imagetype"] == "private" and len(body) == 30
    upload_response = api.send(
        "PUT",
        f"/v2/images/{body['id']}/file",
        data=converted(raw, "qcow2").read_bytes(),
        content_type="application/octet-stream",
    )
    assert upload_response.status_code == 204
    run_import(Job.objects.get(image_id=body["id"]).id)
    shown = api.get(f"/v2/images/{body['id']}").json()
    assert shown["status"] == "active" and shown["disk_format"] == "raw"
    download = api.get(f"/v2/images/{body['id']}/file")
    data = b"".join(download.streaming_content)
    assert download["Content-MD5"] == shown["checksum"] == hashlib.md5(data).hexdigest()
    assert hashlib.sha256(data).hexdigest() == shown["os_hash_value"] == sha256_of(raw)


def test_another_tenant_cannot_upload_register_or_download(api, tenant_a, tenant_b, tmp_path):
    body = api.send("POST", "/v2/images", {"name": "mine", "disk_format": "raw"}).json()
    other = SignedClient(tenant_b.admin, project=tenant_b.project)
    assert (
        other.send(
            "PUT", f"/v2/images/{body['id']}/file", data=b"x" * 10, content_type="application/octet-stream"
        ).status_code
        == 404
    )
    assert other.send("PUT", f"/v1/cloudimages/{body['id']}/upload", {"image_url": "b:k"}).status_code == 404
    assert other.get(f"/v2/images/{body['id']}/file").status_code == 404


def test_download_of_an_image_still_waiting_for_its_file_is_empty(api):
    # As Glance answers it: 204 No Content, no body (clients read "no data yet", not an error).
    body = api.send("POST", "/v2/images", {"name": "empty", "disk_format": "raw"}).json()
    response = api.get(f"/v2/images/{body['id']}/file")
    assert response.status_code == 204 and not response.content


def test_a_failed_iso_registration_leaves_an_error_image_whose_format_says_iso(api, source_url):
    # A QCOW2 file declared as an ISO: the job refuses it, and the image left in the error state is an ISO image.
    response = api.send(
        "POST",
        "/v2/cloudimages/action",
        {"name": "not-iso", "image_url": source_url, "min_disk": 40, "type": "IsoImage"},
    )
    assert response.status_code == 200, response.content
    job = Job.objects.get(pk=response.json()["job_id"])

    run_import(job.pk)

    job.refresh_from_db()
    image = Image.objects.get(pk=job.image_id)
    assert job.status == "FAIL"
    assert (image.status, image.disk_format) == ("killed", "iso")
