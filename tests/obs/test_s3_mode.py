"""STORAGE_BACKEND=s3 against a real S3 endpoint (moto's server on loopback): objects are `<bucket>/<key>` in
the region's bucket, uploads are S3 multipart uploads, and objects put there by any S3 client are found."""

import io

import pytest

from obs import services
from obs.limits import MiB
from obs.models import StoredObject, Upload, UploadStatus
from obs.storage import s3_bucket_name, s3_client
from tests.obs.conftest import random_bytes, sha256_of

UPLOADS = "/v1/obs/uploads"


@pytest.fixture
def s3(s3_storage, admin_a):
    services.create_bucket(admin_a, name="alpha-bucket")
    return s3_client(), s3_bucket_name("objects", "cn-north-4")


def keys_in(s3, prefix=""):
    client, bucket = s3
    return [item["Key"] for item in client.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]


@pytest.mark.parametrize("size", [1000, 8 * MiB + 1])  # one PUT to S3, or S3 multipart behind one API PUT
def test_put_and_get_round_trip_through_s3(s3, tenant_a, obs_client, size):
    data = random_bytes(size)
    api = obs_client(tenant_a.admin)
    put = api.put("/v1/obs/buckets/alpha-bucket/objects/dir/file.bin", data)
    assert put.status_code == 201, put.content
    assert put.json()["sha256"] == sha256_of(data)
    assert keys_in(s3) == ["alpha-bucket/dir/file.bin"]
    got = api.get("/v1/obs/buckets/alpha-bucket/objects/dir/file.bin")
    assert got["Content-Length"] == str(size)
    assert b"".join(got.streaming_content) == data


def test_a_multipart_upload_is_assembled_by_s3_and_verified(s3, tenant_a, obs_client):
    data = random_bytes(11 * MiB)
    api = obs_client(tenant_a.admin)
    upload = api.post(
        UPLOADS, {"bucket": "alpha-bucket", "key": "disk.img", "size": len(data), "part_size": 5 * MiB}
    ).json()
    assert Upload.objects.get().s3_upload_id
    for number in (3, 2, 1):
        part = data[(number - 1) * 5 * MiB : number * 5 * MiB]
        assert api.put(f"{UPLOADS}/{upload['id']}/parts/{number}", part).status_code == 200
    assert [p["number"] for p in api.get(f"{UPLOADS}/{upload['id']}").json()["parts"]] == [1, 2, 3]
    done = api.post(f"{UPLOADS}/{upload['id']}/complete", {"sha256": sha256_of(data)})
    assert done.status_code == 200, done.content
    assert keys_in(s3) == ["alpha-bucket/disk.img"]  # the staging object is gone
    stream, stored = services.open_object_for_reading(api_actor(tenant_a), "cn-north-4", "alpha-bucket:disk.img")
    with stream:
        assert stream.read() == data
    assert stored.sha256 == sha256_of(data)
    assert services.local_path_or_none(stored) is None


def api_actor(tenant):
    from tests import factories

    return factories.actor(tenant.admin)


def test_a_wrong_sha256_in_s3_mode_keeps_the_previous_object(s3, tenant_a, obs_client):
    api = obs_client(tenant_a.admin)
    api.put("/v1/obs/buckets/alpha-bucket/objects/disk.img", b"previous")
    data = random_bytes(6 * MiB)
    upload = api.post(
        UPLOADS, {"bucket": "alpha-bucket", "key": "disk.img", "size": len(data), "part_size": 5 * MiB}
    ).json()
    api.put(f"{UPLOADS}/{upload['id']}/parts/1", data[: 5 * MiB])
    api.put(f"{UPLOADS}/{upload['id']}/parts/2", data[5 * MiB :])
    response = api.post(f"{UPLOADS}/{upload['id']}/complete", {"sha256": sha256_of(b"other")})
    assert response.json()["error"]["code"] == "OBS.0005"
    assert b"".join(api.get("/v1/obs/buckets/alpha-bucket/objects/disk.img").streaming_content) == b"previous"
    assert keys_in(s3) == ["alpha-bucket/disk.img"]


def test_an_aborted_upload_leaves_nothing_in_s3(s3, tenant_a, obs_client):
    api = obs_client(tenant_a.admin)
    upload = api.post(UPLOADS, {"bucket": "alpha-bucket", "key": "k", "size": 6 * MiB, "part_size": 5 * MiB}).json()
    api.put(f"{UPLOADS}/{upload['id']}/parts/1", random_bytes(5 * MiB))
    assert api.delete(f"{UPLOADS}/{upload['id']}").status_code == 204
    client, bucket = s3
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert Upload.objects.get().status == UploadStatus.ABORTED


def test_an_object_put_with_another_s3_client_is_registered_on_first_sight(s3, admin_a, tenant_b):
    client, bucket = s3
    client.put_object(
        Bucket=bucket,
        Key="alpha-bucket/from-cli/disk.qcow2",
        Body=b"qcow2 bytes",
        ContentType="application/x-qemu-disk",
    )
    assert not StoredObject.objects.exists()
    stream, stored = services.open_object_for_reading(admin_a, "cn-north-4", "alpha-bucket:from-cli/disk.qcow2")
    with stream:
        assert stream.read() == b"qcow2 bytes"
    assert (stored.size, stored.content_type, stored.sha256) == (11, "application/x-qemu-disk", "")
    assert StoredObject.objects.get().key == "from-cli/disk.qcow2"
    listed = services.list_objects(admin_a, bucket="alpha-bucket").items
    assert [o.key for o in listed] == ["from-cli/disk.qcow2"]
    # Another account still finds nothing there.
    from tests import factories

    with pytest.raises(Exception) as refused:
        services.open_object_for_reading(
            factories.actor(tenant_b.admin), "cn-north-4", "alpha-bucket:from-cli/disk.qcow2"
        )
    assert refused.value.code == "OBS.0404"


def test_a_bucket_holding_objects_put_directly_into_s3_is_not_empty(s3, admin_a):
    client, bucket = s3
    client.put_object(Bucket=bucket, Key="alpha-bucket/unregistered", Body=b"x")
    with pytest.raises(Exception) as refused:
        services.delete_bucket(admin_a, name="alpha-bucket")
    assert refused.value.code == "OBS.0003"


def test_the_put_object_command_streams_into_s3(s3, tenant_a, tmp_path):
    from django.core.management import call_command

    source = tmp_path / "image.raw"
    source.write_bytes(random_bytes(2 * MiB))
    call_command("put_object", "alpha", "cn-north-4", "alpha-bucket:raw/image.raw", str(source), stdout=io.StringIO())
    assert keys_in(s3) == ["alpha-bucket/raw/image.raw"]
    assert StoredObject.objects.get().sha256 == sha256_of(source.read_bytes())


def test_the_collector_aborts_s3_uploads_and_staging_objects_no_upload_names(s3, tenant_a, obs_client):
    from datetime import timedelta

    from django.utils import timezone

    from obs.services.uploads import sweep_unnamed_upload_staging

    client, bucket = s3
    live = obs_client(tenant_a.admin).post(UPLOADS, {"bucket": "alpha-bucket", "key": "k.bin", "size": 10}).json()
    client.create_multipart_upload(Bucket=bucket, Key="_uploads/7b0c1f55-0000-4000-8000-000000000001")
    client.put_object(Bucket=bucket, Key="_uploads/7b0c1f55-0000-4000-8000-000000000002", Body=b"cut short")
    # A cutoff a minute ahead counts everything as old: only the upload in progress is spared.
    assert sweep_unnamed_upload_staging(timezone.now() + timedelta(minutes=1)) == 2
    left = client.list_multipart_uploads(Bucket=bucket, Prefix="_uploads/").get("Uploads", [])
    assert [item["Key"] for item in left] == [f"_uploads/{live['id']}"]
    assert keys_in(s3, "_uploads/") == []
