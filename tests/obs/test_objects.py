"""Objects through the API: a streamed PUT and a streamed GET keep every byte and its checksums; the body is
read in pieces, never whole; names are checked; other accounts see nothing."""

import base64
import hashlib
import io
from urllib.parse import quote

import pytest

from audit.models import Trace
from obs import services
from obs.limits import PIECE
from obs.models import StoredObject
from tests.obs.conftest import random_bytes, sha256_of

OBJECTS = "/v1/obs/buckets/alpha-bucket/objects"


def error_code(response):
    return response.json()["error"]["code"]


def test_a_streamed_put_and_get_round_trip_keeps_bytes_and_checksums(tenant_a, obs_client, bucket_a, settings):
    data = random_bytes(3 * 1024 * 1024 + 17)  # larger than Django's in-memory body limit: never read whole
    assert len(data) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    api = obs_client(tenant_a.admin)
    put = api.put(
        f"{OBJECTS}/disks/linux.qcow2",
        data,
        content_type="application/x-qemu-disk",
        headers={"X-Content-Sha256": sha256_of(data)},
    )
    assert put.status_code == 201, put.content
    body = put.json()
    assert (body["url"], body["size"], body["sha256"]) == ("alpha-bucket:disks/linux.qcow2", len(data), sha256_of(data))
    assert body["md5"] == hashlib.md5(data).hexdigest()

    got = api.get(f"{OBJECTS}/disks/linux.qcow2")
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == data
    assert got["Content-Length"] == str(len(data))
    assert got["Content-Type"] == "application/x-qemu-disk"
    assert got["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'
    assert got["Content-MD5"] == base64.b64encode(hashlib.md5(data).digest()).decode()
    assert got["X-Content-Sha256"] == sha256_of(data)
    assert 'filename="linux.qcow2"' in got["Content-Disposition"]
    assert "sandbox" in got["Content-Security-Policy"]
    trace = Trace.objects.get(event_name="putObject")
    assert (trace.result, trace.resource_name) == ("success", "alpha-bucket:disks/linux.qcow2")


def test_a_put_replaces_the_object(tenant_a, obs_client, bucket_a):
    api = obs_client(tenant_a.admin)
    api.put(f"{OBJECTS}/k", b"first version")
    api.put(f"{OBJECTS}/k", b"second")
    assert b"".join(api.get(f"{OBJECTS}/k").streaming_content) == b"second"
    assert StoredObject.objects.get(key="k").size == 6


def test_a_body_that_does_not_match_its_declared_sha256_is_not_stored(tenant_a, obs_client, bucket_a):
    api = obs_client(tenant_a.admin)
    api.put(f"{OBJECTS}/k", b"good")
    response = api.put(f"{OBJECTS}/k", b"evil", headers={"X-Content-Sha256": sha256_of(b"good")})
    assert (response.status_code, error_code(response)) == (400, "OBS.0005")
    assert b"".join(api.get(f"{OBJECTS}/k").streaming_content) == b"good"


def test_the_service_reads_the_stream_in_pieces_of_at_most_one_mebibyte(admin_a, bucket_a):
    class Recording(io.BytesIO):
        asked = []

        def read(self, size=-1):
            self.asked.append(size)
            return super().read(size)

    data = random_bytes(5 * PIECE // 2)
    stored = services.put_object(admin_a, bucket=bucket_a.name, key="k", stream=Recording(data), size=len(data))
    assert stored.sha256 == sha256_of(data)
    assert max(Recording.asked) == PIECE and -1 not in Recording.asked


def test_a_body_shorter_than_announced_stores_nothing(admin_a, bucket_a, objects_folder):
    with pytest.raises(Exception) as refused:
        services.put_object(admin_a, bucket=bucket_a.name, key="k", stream=io.BytesIO(b"short"), size=100)
    assert refused.value.code == "OBS.0008"
    assert not StoredObject.objects.exists()
    assert not [path for path in objects_folder.rglob("*") if path.is_file()]


def test_objects_over_the_size_limit_are_refused(tenant_a, obs_client, bucket_a, settings):
    settings.OBS_MAX_PUT_SIZE = 10
    response = obs_client(tenant_a.admin).put(f"{OBJECTS}/big", b"x" * 11)
    assert (response.status_code, error_code(response)) == (413, "OBS.0006")


@pytest.mark.parametrize(
    "key, code",
    [
        ("../outside", "OBS.0001"),
        ("a/../../b", "OBS.0001"),
        ("a//b", "OBS.0001"),
        ("dir/", "OBS.0001"),
        ("a\\b", "OBS.0001"),
        ("tab%09key", "OBS.0001"),
        ("nul%00", "IMG.0001"),  # refused for every path before any view: no identifier contains a NUL
    ],
)
def test_keys_that_could_escape_or_hide_are_refused(tenant_a, obs_client, bucket_a, key, code, objects_folder):
    response = obs_client(tenant_a.admin).put(f"{OBJECTS}/{key}", b"data")
    assert (response.status_code, error_code(response)) == (400, code)
    assert not StoredObject.objects.exists()
    assert not (objects_folder.parent / "outside").exists()


def test_keys_with_unusual_characters_round_trip(tenant_a, obs_client, bucket_a):
    key = "镜像/a b?c#d%e&f=g+h.img"
    api = obs_client(tenant_a.admin)
    assert api.put(f"{OBJECTS}/{quote(key)}", b"payload").status_code == 201
    assert StoredObject.objects.get().key == key
    assert b"".join(api.get(f"{OBJECTS}/{quote(key)}").streaming_content) == b"payload"
    assert api.delete(f"{OBJECTS}/{quote(key)}").status_code == 204
    assert not StoredObject.objects.exists()


def test_a_key_and_a_longer_key_below_it_coexist(admin_a, bucket_a):
    """Objects "a" and "a/b" are both possible, as in S3 (the local folder does not nest keys)."""
    for key in ("a", "a/b"):
        services.put_object(admin_a, bucket=bucket_a.name, key=key, stream=io.BytesIO(key.encode()), size=len(key))
    stream, _stored = services.open_object(admin_a, bucket=bucket_a.name, key="a/b")
    with stream:
        assert stream.read() == b"a/b"


def test_listing_pages_by_marker_and_filters_by_prefix(tenant_a, obs_client, admin_a, bucket_a):
    for key in ("logs/b", "logs/a", "LOGS/upper", "images/x", "logs/c"):
        services.put_object(admin_a, bucket=bucket_a.name, key=key, stream=io.BytesIO(b"1"), size=1)
    api = obs_client(tenant_a.admin)
    first = api.get(OBJECTS, params={"prefix": "logs/", "limit": 2}).json()
    assert [o["key"] for o in first["objects"]] == ["logs/a", "logs/b"]
    assert first["next_marker"] == "logs/b"
    rest = api.get(OBJECTS, params={"prefix": "logs/", "marker": "logs/b"}).json()
    assert [o["key"] for o in rest["objects"]] == ["logs/c"] and rest["next_marker"] is None
    every = api.get(OBJECTS).json()["objects"]
    assert [o["key"] for o in every] == sorted(o["key"] for o in every) and len(every) == 5
    bad = api.get(OBJECTS, params={"limit": 0})
    assert (bad.status_code, error_code(bad)) == (400, "OBS.0010")


def test_another_account_cannot_list_get_or_delete_the_objects(tenant_b, obs_client, admin_a, bucket_a):
    services.put_object(admin_a, bucket=bucket_a.name, key="secret", stream=io.BytesIO(b"s3cr3t"), size=6)
    api = obs_client(tenant_b.admin)
    for response in (
        api.get(OBJECTS),
        api.get(f"{OBJECTS}/secret"),
        api.delete(f"{OBJECTS}/secret"),
        api.put(f"{OBJECTS}/planted", b"x"),
    ):
        assert (response.status_code, error_code(response)) == (404, "OBS.0404")
    assert list(StoredObject.objects.values_list("key", flat=True)) == ["secret"]


def test_a_missing_object_is_not_found_and_deleting_frees_its_bytes(
    local_mode, tenant_a, obs_client, admin_a, bucket_a, objects_folder
):
    api = obs_client(tenant_a.admin)
    assert error_code(api.get(f"{OBJECTS}/nothing")) == "OBS.0404"
    services.put_object(admin_a, bucket=bucket_a.name, key="k", stream=io.BytesIO(b"bytes"), size=5)
    assert [path for path in objects_folder.rglob("*") if path.is_file()]
    assert api.delete(f"{OBJECTS}/k").status_code == 204
    assert not [path for path in objects_folder.rglob("*") if path.is_file()]
    assert api.delete(f"{OBJECTS}/k").status_code == 404


def test_a_chunked_put_without_content_length_is_refused(tenant_a, bucket_a):
    from django.test import Client

    client = Client()
    client.force_login(tenant_a.admin)
    response = client.generic(
        "PUT",
        f"{OBJECTS}/k",
        data=b"",
        content_type="application/octet-stream",
        headers={"Transfer-Encoding": "chunked"},
    )
    assert (response.status_code, error_code(response)) == (411, "OBS.0008")


def test_the_api_is_in_the_openapi_schema(tenant_a, client):
    client.force_login(tenant_a.admin)
    schema = client.get("/api/schema", HTTP_ACCEPT="application/json")
    text = schema.content.decode()
    for path in (
        "/v1/obs/buckets",
        "/v1/obs/buckets/{bucket}/objects/{key}",
        "/v1/obs/uploads",
        "/v1/obs/uploads/{upload_id}/parts/{number}",
        "/v1/obs/uploads/{upload_id}/complete",
    ):
        assert path in text, path
    for operation_id in (
        "put_object",
        "open_object",
        "start_upload",
        "put_part",
        "list_parts",
        "complete_upload",
        "abort_upload",
        "create_bucket",
        "delete_bucket",
        "list_objects",
        "delete_object",
    ):
        assert f"operationId: {operation_id}" in text or f'"operationId": "{operation_id}"' in text, operation_id


def stored_bytes(actor, bucket: str, key: str) -> bytes:
    stream, _stored = services.open_object(actor, bucket=bucket, key=key)
    with stream:
        return stream.read()


def test_a_file_handed_over_is_stored_with_its_checksums(admin_a, bucket_a, own_var_dir, settings):
    data = random_bytes(3 * PIECE + 5)
    path = own_var_dir / "converted.qcow2"
    path.write_bytes(data)
    stored = services.put_object(admin_a, bucket=bucket_a.name, key="k", file_path=path, size=len(data))
    assert (stored.size, stored.sha256, stored.md5) == (len(data), sha256_of(data), hashlib.md5(data).hexdigest())
    assert stored_bytes(admin_a, bucket_a.name, "k") == data
    # On local storage the file is moved into place rather than copied; S3 is sent a copy.
    assert path.exists() == (settings.STORAGE_BACKEND == "s3")


def test_a_file_handed_over_that_does_not_match_is_not_stored_and_stays(admin_a, bucket_a, own_var_dir, objects_folder):
    path = own_var_dir / "converted.qcow2"
    path.write_bytes(b"evil")
    with pytest.raises(Exception) as refused:
        services.put_object(admin_a, bucket=bucket_a.name, key="k", file_path=path, size=4, sha256=sha256_of(b"good"))
    assert refused.value.code == "OBS.0005"
    assert not StoredObject.objects.exists() and path.read_bytes() == b"evil"
    assert not [p for p in objects_folder.rglob("*") if p.is_file()]


def test_a_file_handed_over_of_another_size_than_announced_is_refused(admin_a, bucket_a, own_var_dir):
    path = own_var_dir / "converted.qcow2"
    path.write_bytes(b"short")
    with pytest.raises(Exception) as refused:
        services.put_object(admin_a, bucket=bucket_a.name, key="k", file_path=path, size=100)
    assert refused.value.code == "OBS.0008"
    assert not StoredObject.objects.exists()


def test_a_put_names_either_a_stream_or_a_file(admin_a, bucket_a, own_var_dir):
    path = own_var_dir / "converted.qcow2"
    path.write_bytes(b"data")
    for body in ({}, {"stream": io.BytesIO(b"data"), "file_path": path}):
        with pytest.raises(ValueError):
            services.put_object(admin_a, bucket=bucket_a.name, key="k", size=4, **body)
    assert not StoredObject.objects.exists()
