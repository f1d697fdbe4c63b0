"""Objects encrypted at rest under a KMS key (`put_object(..., cmk_id=...)`, what an encrypted image's export uses):
sealed in frames on disk and in S3, opened as they are read, and refused when altered, cut short or reordered."""

import io

import pytest

from core.errors import ImsError
from kms import services as kms
from obs import services
from obs.limits import MiB
from obs.models import StoredObject
from obs.object_store import object_store_for
from obs.sealing import FRAME, NONCE_BYTES, OVERHEAD, sealed_size
from obs.storage import s3_bucket_name, s3_client
from tests.obs.conftest import random_bytes, sha256_of

URL = "alpha-bucket:sealed/disk.img"


@pytest.fixture
def key(admin_a):
    return kms.create_key(admin_a, alias="objects/alpha")


def put_sealed(actor, key, data: bytes, object_key="sealed/disk.img", **options) -> StoredObject:
    return services.put_object(
        actor,
        bucket="alpha-bucket",
        key=object_key,
        stream=io.BytesIO(data),
        size=len(data),
        cmk_id=str(key.pk),
        **options,
    )


def read(actor, url=URL) -> bytes:
    stream, _stored = services.open_object_for_reading(actor, "cn-north-4", url)
    with stream:
        return stream.read()


def refused(call, code: str) -> ImsError:
    with pytest.raises(ImsError) as raised:
        call()
    assert raised.value.code == code, raised.value.message
    return raised.value


def stored_file(stored: StoredObject):
    store = object_store_for("cn-north-4")
    return store.local_path(store.object_name(stored.bucket.name, stored.key))


@pytest.mark.parametrize("size", [0, 1000, FRAME, 2 * FRAME + 1])
def test_an_encrypted_object_is_sealed_at_rest_and_reads_back_as_its_plaintext(
    local_mode, admin_a, bucket_a, key, size
):
    data = random_bytes(size)
    stored = put_sealed(admin_a, key, data)

    assert (stored.size, stored.sha256, stored.cmk_id) == (size, sha256_of(data), str(key.pk))
    sealed = stored_file(stored).read_bytes()
    assert len(sealed) == sealed_size(size) and (size < 64 or data[:64] not in sealed)
    assert services.local_path_or_none(stored) is None  # an import must read the opened stream, not the file
    assert read(admin_a) == data


def test_an_altered_truncated_or_reordered_object_does_not_read(local_mode, admin_a, bucket_a, key):
    stored = put_sealed(admin_a, key, random_bytes(2 * FRAME + 5))
    path = stored_file(stored)
    sealed = path.read_bytes()
    frame = FRAME + OVERHEAD
    first, second, rest = sealed[:frame], sealed[frame : 2 * frame], sealed[2 * frame :]
    altered = bytearray(sealed)
    altered[NONCE_BYTES + 100] ^= 1
    for damaged in (bytes(altered), first + second, second + first + rest, sealed + b"x"):
        path.write_bytes(damaged)
        error = refused(lambda: read(admin_a), "OBS.0013")
        assert URL in error.message


def test_sealed_bytes_copied_under_another_key_do_not_open_there(local_mode, admin_a, bucket_a, key):
    original = put_sealed(admin_a, key, random_bytes(3000))
    other = put_sealed(admin_a, key, random_bytes(3000), object_key="other.img")
    stored_file(other).write_bytes(stored_file(original).read_bytes())
    StoredObject.objects.filter(pk=other.pk).update(wrapped_data_key=original.wrapped_data_key)

    # The data key is bound to the object's address, and so is every frame.
    refused(lambda: read(admin_a, "alpha-bucket:other.img"), "KMS.0006")


def test_a_checksum_mismatch_stores_nothing_and_a_plain_put_clears_the_encryption(local_mode, admin_a, bucket_a, key):
    first = random_bytes(1000)
    put_sealed(admin_a, key, first)
    refused(lambda: put_sealed(admin_a, key, random_bytes(1000), sha256="0" * 64), "OBS.0005")
    assert read(admin_a) == first

    plain = random_bytes(500)
    services.put_object(admin_a, bucket="alpha-bucket", key="sealed/disk.img", stream=io.BytesIO(plain), size=500)
    assert not StoredObject.objects.get(key="sealed/disk.img").encrypted and read(admin_a) == plain


def test_a_key_pending_deletion_refuses_reads_naming_the_key(local_mode, admin_a, bucket_a, key):
    put_sealed(admin_a, key, random_bytes(1000))
    kms.delete_key(admin_a, key_id=str(key.pk), pending_days=7)

    error = refused(lambda: read(admin_a), "KMS.0007")
    assert "objects/alpha" in error.message and "Pending deletion" in error.message
    refused(lambda: put_sealed(admin_a, key, b"new"), "KMS.0007")


def test_in_s3_mode_a_large_encrypted_object_is_sealed_in_s3(s3_storage, admin_a, key):
    services.create_bucket(admin_a, name="alpha-bucket")
    data = random_bytes(8 * MiB + 1)  # above the default part size: the store sends the sealed stream in parts
    put_sealed(admin_a, key, data)

    client = s3_client()
    sealed = client.get_object(Bucket=s3_bucket_name("objects", "cn-north-4"), Key="alpha-bucket/sealed/disk.img")
    body = sealed["Body"].read()
    assert len(body) == sealed_size(len(data)) and data[:64] not in body
    assert read(admin_a) == data
