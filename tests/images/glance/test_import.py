"""Glance's interoperable image import with glance-direct: the methods offered, staging a file, importing it, and
what a refused, truncated or deleted stage leaves (nothing staged, the image queued or gone, the quota free)."""

import hashlib
import io
import os
from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import ImsError
from images.choices import ImageStatus
from images.models import Image, Job
from images.selectors import show_image_quota
from images.services import glance_import
from images.services.storage import sweep_staging
from tests.factories import actor, make_image
from tests.images.glance.conftest import create

pytestmark = pytest.mark.usefixtures("own_var_dir")
OCTETS = "application/octet-stream"
DISK = bytes(range(256)) * 64  # 16 KiB: any bytes are a valid raw disk


def stage(client, image_id, data: bytes = DISK):
    return client.send("PUT", f"/v2/images/{image_id}/stage", data=data, content_type=OCTETS)


def start_import(client, image_id, method="glance-direct", **body):
    return client.send("POST", f"/v2/images/{image_id}/import", {"method": {"name": method}, **body})


def queued(client, disk_format="raw") -> str:
    response = create(client, name="to-import", disk_format=disk_format, container_format="bare")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def staged_files(image_id) -> list[str]:
    folder = glance_import.staged_dir(image_id)
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def error_code(response) -> str:
    return response.json()["error"]["code"]


def test_info_offers_glance_direct_only_and_one_store(api_a):
    methods = api_a.get("/v2/info/import").json()["import-methods"]
    assert methods["value"] == ["glance-direct"]
    assert "web-download" in methods["not_offered"] and "copy-image" in methods["not_offered"]
    stores = api_a.get("/v2/info/stores").json()["stores"]
    assert [store["id"] for store in stores] == ["default"] and stores[0]["default"] is True


def test_stage_then_import_makes_the_image_active_with_the_staged_bytes(api_a):
    image_id = queued(api_a)
    assert stage(api_a, image_id).status_code == 204
    assert api_a.get(f"/v2/images/{image_id}").json()["status"] == "uploading"
    assert staged_files(image_id) == ["digest.json", "upload"]

    response = start_import(api_a, image_id, all_stores=True)
    assert response.status_code == 202, response.content
    shown = api_a.get(f"/v2/images/{image_id}").json()
    assert shown["status"] == "active" and shown["size"] == len(DISK)
    assert shown["checksum"] == hashlib.md5(DISK).hexdigest()
    assert shown["os_hash_value"] == hashlib.sha256(DISK).hexdigest()
    assert shown["stores"] == "default"
    # The task lock is dropped once the import ended, and no failure is reported.
    assert "os_glance_import_task" not in shown and "os_glance_failed_import" not in shown
    download = api_a.get(f"/v2/images/{image_id}/file")
    assert b"".join(download.streaming_content) == DISK
    job = Job.objects.get(image_id=image_id, job_type="importImage")
    assert job.status == "SUCCESS" and job.entities["import_req"]["method"]["name"] == "glance-direct"
    assert staged_files(image_id) == []


def test_a_file_that_is_not_its_declared_format_fails_the_import_and_nothing_stays_staged(api_a):
    image_id = queued(api_a, disk_format="qcow2")
    assert stage(api_a, image_id, b"not a qcow2 file" * 100).status_code == 204
    assert start_import(api_a, image_id).status_code == 202
    shown = api_a.get(f"/v2/images/{image_id}").json()
    # As in Glance, the failed import puts the image back to queued, with the store that failed named.
    assert shown["status"] == "queued" and shown["os_glance_failed_import"] == "default"
    assert "os_glance_import_task" not in shown
    assert Job.objects.get(image_id=image_id).status == "FAIL"
    assert staged_files(image_id) == []
    # Another file may then be staged.
    assert stage(api_a, image_id, DISK).status_code == 204


def test_import_of_an_image_with_nothing_staged_is_a_conflict(api_a, tenant_a):
    image_id = queued(api_a)
    response = start_import(api_a, image_id)
    assert response.status_code == 409 and error_code(response) == "IMG.0127"
    active = make_image(tenant_a.project)
    assert start_import(api_a, active.id).status_code == 409
    assert not Job.objects.filter(image_id=image_id).exists()


def test_a_second_stage_or_a_stage_of_an_active_image_is_a_conflict(api_a, tenant_a):
    image_id = queued(api_a)
    assert stage(api_a, image_id).status_code == 204
    response = stage(api_a, image_id)
    assert response.status_code == 409 and error_code(response) == "IMG.0121"
    assert stage(api_a, make_image(tenant_a.project).id).status_code == 409


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"method": {"name": "web-download", "uri": "http://example.com/a.img"}}, 400),
        ({"method": {"name": "copy-image"}}, 400),
        ({"method": {"name": "no-such-method"}}, 400),
        ({"method": "glance-direct"}, 400),
        ({}, 400),
        ({"method": {"name": "glance-direct"}, "stores": ["elsewhere"]}, 400),
        ({"method": {"name": "glance-direct"}, "stores": "default"}, 400),
    ],
)
def test_a_refused_import_request_changes_nothing(api_a, body, status):
    image_id = queued(api_a)
    stage(api_a, image_id)
    response = api_a.send("POST", f"/v2/images/{image_id}/import", body)
    assert response.status_code == status, response.content
    assert api_a.get(f"/v2/images/{image_id}").json()["status"] == "uploading"
    assert staged_files(image_id) == ["digest.json", "upload"]


def test_web_download_is_refused_as_not_offered(api_a):
    image_id = queued(api_a)
    response = start_import(api_a, image_id, method="web-download")
    assert response.status_code == 400 and "not offered" in response.json()["error"]["message"]


def test_another_tenant_can_neither_stage_nor_import(api_a, api_b):
    image_id = queued(api_a)
    assert stage(api_b, image_id).status_code == 404
    stage(api_a, image_id)
    assert start_import(api_b, image_id).status_code == 404
    assert api_a.get(f"/v2/images/{image_id}").json()["status"] == "uploading"


def test_a_truncated_stage_never_becomes_an_image(api_a, tenant_a):
    image_id = queued(api_a)
    image = Image.objects.get(pk=image_id)
    with pytest.raises(ImsError) as refused:
        glance_import.glance_stage_image_data(
            actor(tenant_a.admin), image=image, stream=io.BytesIO(DISK[:100]), content_length=len(DISK)
        )
    assert refused.value.code == "IMG.0122"
    image.refresh_from_db()
    assert image.status == ImageStatus.QUEUED and staged_files(image_id) == []
    assert start_import(api_a, image_id).status_code == 409
    # The image may be staged again, whole this time.
    assert stage(api_a, image_id).status_code == 204


def test_a_stage_larger_than_the_size_limit_is_refused(api_a, settings):
    settings.IMS_IMAGE_SIZE_CAP = 1024
    image_id = queued(api_a)
    response = stage(api_a, image_id)
    assert response.status_code == 413 and error_code(response) == "IMG.0712"
    assert api_a.get(f"/v2/images/{image_id}").json()["status"] == "queued"
    assert staged_files(image_id) == []


def test_an_empty_stage_is_refused(api_a):
    image_id = queued(api_a)
    response = stage(api_a, image_id, b"")
    assert response.status_code == 400 and error_code(response) == "IMG.0713"
    assert api_a.get(f"/v2/images/{image_id}").json()["status"] == "queued"


def test_deleting_a_staged_image_frees_its_staged_bytes_and_its_quota(
    api_a, tenant_a, django_capture_on_commit_callbacks
):
    image_id = queued(api_a)
    stage(api_a, image_id)
    assert show_image_quota(actor(tenant_a.admin))[0].used == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert api_a.send("DELETE", f"/v2/images/{image_id}").status_code == 204
    assert staged_files(image_id) == []
    assert show_image_quota(actor(tenant_a.admin))[0].used == 0


def test_the_collector_removes_staged_files_of_images_no_longer_staged(api_a):
    kept, dropped = queued(api_a), queued(api_a)
    stage(api_a, kept)
    stage(api_a, dropped)
    Image.objects.filter(pk=dropped).update(status=ImageStatus.DELETED)  # e.g. a crash before the folder went
    (glance_import.staged_root() / "not-an-image").mkdir()
    sweep_staging()
    assert staged_files(kept) == ["digest.json", "upload"]
    assert staged_files(dropped) == []
    assert not (glance_import.staged_root() / "not-an-image").exists()


def test_deleting_an_image_while_its_file_is_staged_is_answered_as_a_conflict(api_a, tenant_a):
    """The deletion takes the folder the stage is writing into: the stage is refused, never a 500."""
    image_id = queued(api_a)
    image = Image.objects.get(pk=image_id)

    class DeletedHalfWay(io.BytesIO):
        def read(self, size=-1):
            if self.tell() >= len(DISK) // 2:
                Image.objects.filter(pk=image_id).update(status=ImageStatus.DELETED)
                glance_import.discard_staged(image_id)
            return super().read(min(size, 1024) if size and size > 0 else 1024)

    with pytest.raises(ImsError) as refused:
        glance_import.glance_stage_image_data(
            actor(tenant_a.admin), image=image, stream=DeletedHalfWay(DISK), content_length=len(DISK)
        )
    assert refused.value.code == "IMG.0121" and refused.value.status == 409
    assert staged_files(image_id) == []
    assert Image.objects.get(pk=image_id).status == ImageStatus.DELETED


def test_the_collector_queues_again_a_stage_abandoned_half_way(api_a):
    """A web process that died while the bytes arrived left the image uploading with a partial file."""
    abandoned, waiting, arriving = queued(api_a), queued(api_a), queued(api_a)
    stage(api_a, waiting)  # staged whole: waits for its import however long
    for image_id in (abandoned, arriving):
        folder = glance_import.staged_dir(image_id)
        folder.mkdir(parents=True)
        (folder / "upload").write_bytes(DISK[:100])
    Image.objects.filter(pk__in=[abandoned, arriving]).update(status=ImageStatus.UPLOADING)
    long_ago = timezone.now() - timedelta(hours=2)
    Image.objects.filter(pk__in=[abandoned, waiting, arriving]).update(updated_at=long_ago)
    stale = long_ago.timestamp()
    for path in (glance_import.staged_dir(abandoned), glance_import.staged_dir(abandoned) / "upload"):
        os.utime(path, (stale, stale))
    sweep_staging()
    assert Image.objects.get(pk=abandoned).status == ImageStatus.QUEUED and staged_files(abandoned) == []
    assert Image.objects.get(pk=waiting).status == ImageStatus.UPLOADING
    assert staged_files(waiting) == ["digest.json", "upload"]
    assert Image.objects.get(pk=arriving).status == ImageStatus.UPLOADING and staged_files(arriving) == ["upload"]
    assert stage(api_a, abandoned).status_code == 204


def test_the_import_bookkeeping_properties_are_reserved(api_a):
    from tests.images.glance.conftest import patch

    image_id = queued(api_a)
    response = patch(api_a, image_id, {"op": "add", "path": "/os_glance_failed_import", "value": "x"})
    assert response.status_code == 403
