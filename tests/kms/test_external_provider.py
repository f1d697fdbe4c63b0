"""The external provider: master keys held by a KMS over the AWS KMS protocol. Against the endpoint the scaled-out
configuration names (`KMS_ENDPOINT_URL`), or else against moto's server started here on loopback, so it runs in
both CI configurations."""

import boto3
import pytest

from core.errors import ImsError
from kms import services as kms
from tests.kms.conftest import imported, original_sha256
from tests.kms.test_encrypted_images import downloaded_sha256


@pytest.fixture
def external_kms(request, settings):
    if not settings.KMS_ENDPOINT_URL:
        settings.KMS_ENDPOINT_URL = request.getfixturevalue("s3_server")  # moto's server speaks KMS too
        settings.KMS_ACCESS_KEY_ID, settings.KMS_SECRET_ACCESS_KEY = "test-access-key", "test-secret-key"
    return settings.KMS_ENDPOINT_URL


def state_at_the_kms(settings, key) -> str:
    client = boto3.client(
        "kms",
        endpoint_url=settings.KMS_ENDPOINT_URL,
        region_name=settings.KMS_REGION,
        aws_access_key_id=settings.KMS_ACCESS_KEY_ID or None,
        aws_secret_access_key=settings.KMS_SECRET_ACCESS_KEY or None,
    )
    return client.describe_key(KeyId=key.provider_key_id)["KeyMetadata"]["KeyState"]


def test_an_image_encrypted_under_an_external_key_round_trips(external_kms, settings, admin, tmp_path):
    key = kms.create_key(admin, alias="external/key")
    assert key.provider == "external" and key.provider_key_id
    image = imported(admin, tmp_path, str(key.pk))

    assert downloaded_sha256(admin, image) == original_sha256(tmp_path)
    kms.disable_key(admin, key_id=str(key.pk))
    assert state_at_the_kms(settings, key) == "Disabled"
    with pytest.raises(ImsError) as refused:
        downloaded_sha256(admin, image)
    assert refused.value.code == "KMS.0007"
    kms.enable_key(admin, key_id=str(key.pk))
    assert state_at_the_kms(settings, key) == "Enabled"


def test_external_data_keys_are_bound_to_their_key_and_context(external_kms, admin):
    key = kms.create_key(admin, alias="external/data")
    plaintext, wrapped = kms.create_datakey(admin, key_id=str(key.pk), bits=256, aad="one")
    assert kms.decrypt_datakey(admin, key_id=str(key.pk), cipher_text=wrapped.hex(), cipher_length=32, aad="one") == (
        plaintext
    )
    with pytest.raises(ImsError) as refused:
        kms.decrypt_datakey(admin, key_id=str(key.pk), cipher_text=wrapped.hex(), cipher_length=32, aad="two")
    assert refused.value.code == "KMS.0006"


def test_an_unreachable_kms_is_told_as_such(settings, admin):
    settings.KMS_ENDPOINT_URL = "http://127.0.0.1:9"  # discard: nothing answers
    with pytest.raises(ImsError) as refused:
        kms.create_key(admin, alias="external/unreachable")
    assert refused.value.code == "KMS.0503" and refused.value.status == 503
