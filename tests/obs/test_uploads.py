"""Multipart uploads through the API: parts in any order and sent again, the stored parts listed for a resume,
completion verified against the client's SHA-256 (a mismatch stores nothing), abort, and who may touch them."""

import os
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import Trace
from obs.limits import MiB
from obs.models import StoredObject, Upload, UploadPart, UploadStatus
from tests.obs.conftest import random_bytes, sha256_of

UPLOADS = "/v1/obs/uploads"
PART = 5 * MiB


def error_code(response):
    return response.json()["error"]["code"]


def parts_of(data: bytes, part_size: int = PART) -> dict[int, bytes]:
    return {
        number: data[offset : offset + part_size]
        for number, offset in enumerate(range(0, len(data), part_size), start=1)
    }


@pytest.fixture
def data():
    return random_bytes(2 * PART + 123_456)  # three parts, the last one short


@pytest.fixture
def api(tenant_a, obs_client, bucket_a):
    return obs_client(tenant_a.admin)


def start(api, data, **extra):
    response = api.post(
        UPLOADS, {"bucket": "alpha-bucket", "key": "big/file.bin", "size": len(data), "part_size": PART, **extra}
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_parts_sent_out_of_order_and_again_are_assembled_and_verified(api, data, objects_folder):
    upload = start(api, data, content_type="application/x-raw-disk-image")
    assert (upload["part_count"], upload["status"]) == (3, "uploading")
    parts = parts_of(data)
    for number in (3, 1, 2, 1):  # the first part twice, as after a lost answer
        response = api.put(f"{UPLOADS}/{upload['id']}/parts/{number}", parts[number])
        assert response.status_code == 200, response.content
        assert response.json()["sha256"] == sha256_of(parts[number])

    completed = api.post(f"{UPLOADS}/{upload['id']}/complete", {"sha256": sha256_of(data)})
    assert completed.status_code == 200, completed.content
    assert (completed.json()["size"], completed.json()["sha256"]) == (len(data), sha256_of(data))
    assert b"".join(api.get("/v1/obs/buckets/alpha-bucket/objects/big/file.bin").streaming_content) == data
    assert StoredObject.objects.get().content_type == "application/x-raw-disk-image"
    assert Upload.objects.get().status == UploadStatus.COMPLETED
    assert not (objects_folder / "cn-north-4" / "_uploads" / upload["id"]).exists()  # parts freed
    # One upload, traced once: its start and its completion; a part that was stored is a step, not an event.
    events = list(Trace.objects.filter(resource_type="obs").order_by("id").values_list("event_name", flat=True))
    assert events[-2:] == ["initiateMultipartUpload", "completeMultipartUpload"] and "uploadPart" not in events


def test_a_completion_asked_again_after_a_lost_answer_gives_the_same_object(api, data):
    upload = start(api, data)
    for number, part in parts_of(data).items():
        api.put(f"{UPLOADS}/{upload['id']}/parts/{number}", part)
    first = api.post(f"{UPLOADS}/{upload['id']}/complete", {"sha256": sha256_of(data)})
    again = api.post(f"{UPLOADS}/{upload['id']}/complete", {"sha256": sha256_of(data)})
    assert (again.status_code, again.json()) == (200, first.json())
    response = api.delete(f"{UPLOADS}/{upload['id']}")
    assert (response.status_code, error_code(response)) == (409, "OBS.0012")


def test_the_stored_parts_are_listed_so_a_client_can_resume(api, data):
    upload = start(api, data)
    parts = parts_of(data)
    api.put(f"{UPLOADS}/{upload['id']}/parts/2", parts[2])
    listed = api.get(f"{UPLOADS}/{upload['id']}").json()
    assert [(p["number"], p["size"]) for p in listed["parts"]] == [(2, PART)]
    assert (listed["size"], listed["part_size"], listed["key"]) == (len(data), PART, "big/file.bin")
    for number in (1, 3):  # the resume sends only the missing parts
        api.put(f"{UPLOADS}/{upload['id']}/parts/{number}", parts[number])
    assert api.post(f"{UPLOADS}/{upload['id']}/complete", {"sha256": sha256_of(data)}).status_code == 200


def test_a_wrong_sha256_stores_nothing_and_ends_the_upload(api, data, objects_folder):
    api.put("/v1/obs/buckets/alpha-bucket/objects/big/file.bin", b"the previous version")
    upload = start(api, data)
    for number, part in parts_of(data).items():
        api.put(f"{UPLOADS}/{upload['id']}/parts/{number}", part)
    response = api.post(f"{UPLOADS}/{upload['id']}/complete", {"sha256": sha256_of(b"something else")})
    assert (response.status_code, error_code(response)) == (400, "OBS.0005")
    # The object keeps its previous content; the upload and its parts are gone.
    assert (
        b"".join(api.get("/v1/obs/buckets/alpha-bucket/objects/big/file.bin").streaming_content)
        == b"the previous version"
    )
    assert Upload.objects.get().status == UploadStatus.ABORTED
    assert not (objects_folder / "cn-north-4" / "_uploads" / upload["id"]).exists()
    assert Trace.objects.get(event_name="completeMultipartUpload").error_code == "OBS.0005"


def test_the_sha256_given_at_the_start_is_checked_at_completion(api, data):
    upload = start(api, data, sha256=sha256_of(b"not the data"))
    for number, part in parts_of(data).items():
        api.put(f"{UPLOADS}/{upload['id']}/parts/{number}", part)
    assert error_code(api.post(f"{UPLOADS}/{upload['id']}/complete", {})) == "OBS.0005"
    assert not StoredObject.objects.exists()


def test_completion_waits_for_every_part(api, data):
    upload = start(api, data)
    api.put(f"{UPLOADS}/{upload['id']}/parts/1", parts_of(data)[1])
    response = api.post(f"{UPLOADS}/{upload['id']}/complete", {"sha256": sha256_of(data)})
    assert (response.status_code, error_code(response)) == (409, "OBS.0009")
    assert "2, 3" in response.json()["error"]["message"]
    assert Upload.objects.get().status == UploadStatus.UPLOADING


@pytest.mark.parametrize("number, size", [(1, PART - 1), (3, 10), (4, 10), (0, 10)])
def test_parts_of_the_wrong_size_or_number_are_refused(api, data, number, size):
    upload = start(api, data)
    response = api.put(f"{UPLOADS}/{upload['id']}/parts/{number}", b"x" * size)
    assert (response.status_code, error_code(response)) == (400, "OBS.0007")


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"part_size": MiB}, "OBS.0010"),
        ({"part_size": 1024 * MiB}, "OBS.0010"),
        ({"size": -1}, "OBS.0010"),
        ({"key": "../escape"}, "OBS.0001"),
        ({"bucket": "missing-bucket"}, "OBS.0404"),
        ({"sha256": "abc"}, "OBS.0010"),
    ],
)
def test_bad_uploads_are_refused_at_the_start(api, data, fields, code):
    body = {"bucket": "alpha-bucket", "key": "k", "size": len(data), "part_size": PART, **fields}
    assert error_code(api.post(UPLOADS, body)) == code


def test_too_many_parts_are_refused(api, settings):
    response = api.post(UPLOADS, {"bucket": "alpha-bucket", "key": "k", "size": 10_001 * PART, "part_size": PART})
    assert (response.status_code, error_code(response)) == (400, "OBS.0010")


def test_an_aborted_upload_takes_no_more_parts(api, data, objects_folder):
    upload = start(api, data)
    api.put(f"{UPLOADS}/{upload['id']}/parts/1", parts_of(data)[1])
    assert api.delete(f"{UPLOADS}/{upload['id']}").status_code == 204
    assert not (objects_folder / "cn-north-4" / "_uploads" / upload["id"]).exists()
    response = api.put(f"{UPLOADS}/{upload['id']}/parts/2", parts_of(data)[2])
    assert (response.status_code, error_code(response)) == (409, "OBS.0012")
    assert api.get(f"{UPLOADS}/{upload['id']}").json()["status"] == "aborted"


def test_another_account_cannot_see_or_feed_the_upload(api, data, tenant_b, obs_client):
    upload = start(api, data)
    other = obs_client(tenant_b.admin)
    for response in (
        other.get(f"{UPLOADS}/{upload['id']}"),
        other.put(f"{UPLOADS}/{upload['id']}/parts/1", parts_of(data)[1]),
        other.post(f"{UPLOADS}/{upload['id']}/complete", {}),
        other.delete(f"{UPLOADS}/{upload['id']}"),
        other.get(f"{UPLOADS}/not-a-uuid"),
    ):
        assert (response.status_code, error_code(response)) == (404, "OBS.0404")
    assert Upload.objects.get().status == UploadStatus.UPLOADING


def test_a_reader_cannot_upload(tenant_a, obs_client, api, data):
    upload = start(api, data)
    reader = obs_client(tenant_a.reader)
    assert reader.post(UPLOADS, {"bucket": "alpha-bucket", "key": "k", "size": 1}).status_code == 403
    assert reader.put(f"{UPLOADS}/{upload['id']}/parts/1", parts_of(data)[1]).status_code == 403
    assert Trace.objects.filter(event_name="uploadPart", result="denied").count() == 1


def test_an_empty_file_is_one_empty_part(api):
    upload = start(api, b"")
    assert upload["part_count"] == 1
    part = api.put(f"{UPLOADS}/{upload['id']}/parts/1", b"", content_type="application/octet-stream")
    assert part.status_code == 200, part.content
    completed = api.post(f"{UPLOADS}/{upload['id']}/complete", {"sha256": sha256_of(b"")})
    assert (completed.status_code, completed.json()["size"]) == (200, 0)


def test_the_collector_aborts_an_abandoned_upload_and_frees_its_parts(local_mode, api, data, objects_folder):
    abandoned, fed = start(api, data), start(api, data)
    api.put(f"{UPLOADS}/{abandoned['id']}/parts/1", parts_of(data)[1])
    api.put(f"{UPLOADS}/{fed['id']}/parts/1", parts_of(data)[1])
    long_ago = timezone.now() - timedelta(hours=7)
    Upload.objects.update(created_at=long_ago)
    UploadPart.objects.filter(upload_id=abandoned["id"]).update(created_at=long_ago)
    out = StringIO()
    call_command("collect_garbage", stdout=out)  # the default grace period: 6 hours
    assert "Aborted 1 abandoned multipart upload(s)" in out.getvalue()
    assert Upload.objects.get(pk=abandoned["id"]).status == UploadStatus.ABORTED
    assert not (objects_folder / "cn-north-4" / "_uploads" / abandoned["id"]).exists()
    assert Upload.objects.get(pk=fed["id"]).status == UploadStatus.UPLOADING  # a part arrived within the grace
    assert (objects_folder / "cn-north-4" / "_uploads" / fed["id"]).exists()


def test_a_refused_part_is_traced(api, data):
    upload = start(api, data)
    response = api.put(f"{UPLOADS}/{upload['id']}/parts/1", b"too short")
    assert response.status_code == 400
    refused = Trace.objects.get(event_name="uploadPart")
    assert refused.result == "failure" and refused.error_code == error_code(response)


def test_the_collector_removes_upload_parts_that_no_upload_names(local_mode, api, data, objects_folder):
    """A crash between writing a part and committing its upload's row (or a row removed by hand) leaves a part
    folder that no upload names: the collector removes it after the grace period, and keeps a live upload's."""
    live = start(api, data)
    api.put(f"{UPLOADS}/{live['id']}/parts/1", parts_of(data)[1])
    staging = objects_folder / "cn-north-4" / "_uploads"
    orphan = staging / "7b0c1f55-0000-4000-8000-000000000001"
    orphan.mkdir(parents=True)
    (orphan / "00001").write_bytes(b"x" * 1000)
    (orphan / ".part-00002").write_bytes(b"y" * 10)
    seven_hours_ago = (timezone.now() - timedelta(hours=7)).timestamp()
    for path in (orphan, *orphan.iterdir()):
        os.utime(path, (seven_hours_ago, seven_hours_ago))
    out = StringIO()
    call_command("collect_garbage", stdout=out)  # the default grace period: 6 hours
    assert not orphan.exists()
    assert "Removed 1 multipart staging folder(s) or upload(s) that no upload names" in out.getvalue()
    assert (staging / live["id"]).exists() and Upload.objects.get(pk=live["id"]).status == UploadStatus.UPLOADING
