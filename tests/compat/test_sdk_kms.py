"""The official KMS SDK (huaweicloudsdkkms) makes and manages a key against the live server, unchanged; the IMS SDK
then imports an image encrypted with it, and lists it with its key."""

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from images.models import Image
from tests import factories
from tests.compat.test_sdk import client_for as ims_client_for
from tests.compat.test_sdk_import import finished_job
from tests.images.imports.helpers import pattern_disk, sha256_of, upload

pytestmark = pytest.mark.compat


def kms_client_for(url: str, ak: str, sk: str, project_id: str):
    from huaweicloudsdkkms.v2 import KmsClient

    return KmsClient.new_builder().with_credentials(BasicCredentials(ak, sk, project_id)).with_endpoints([url]).build()


def test_sdk_key_life_cycle_and_data_keys(world, access_key, project_a):
    from huaweicloudsdkkms import v2 as kms

    client = kms_client_for(world["url"], *access_key, project_a.id)
    created = client.create_key(kms.CreateKeyRequest(body=kms.CreateKeyRequestBody(key_alias="sdk/key")))
    key_id = created.key_info.key_id
    listed = client.list_keys(kms.ListKeysRequest(body=kms.ListKeysRequestBody(limit="10")))
    assert key_id in listed.keys and "ims/default" in {k.key_alias for k in listed.key_details}

    operate = kms.OperateKeyRequestBody(key_id=key_id)
    assert client.disable_key(kms.DisableKeyRequest(body=operate)).key_info.key_state == "3"
    assert client.enable_key(kms.EnableKeyRequest(body=operate)).key_info.key_state == "2"
    scheduled = client.delete_key(
        kms.DeleteKeyRequest(body=kms.ScheduleKeyDeletionRequestBody(key_id=key_id, pending_days="7"))
    )
    assert scheduled.key_state == "4"
    assert client.cancel_key_deletion(kms.CancelKeyDeletionRequest(body=operate)).key_state == "3"
    client.enable_key(kms.EnableKeyRequest(body=operate))
    detail = client.list_key_detail(kms.ListKeyDetailRequest(body=operate)).key_info
    assert (detail.key_alias, detail.key_state, detail.default_key_flag) == ("sdk/key", "2", "0")

    made = client.create_datakey(
        kms.CreateDatakeyRequest(body=kms.CreateDatakeyRequestBody(key_id=key_id, datakey_length="256"))
    )
    opened = client.decrypt_datakey(
        kms.DecryptDatakeyRequest(
            body=kms.DecryptDatakeyRequestBody(key_id=key_id, cipher_text=made.cipher_text, datakey_cipher_length="32")
        )
    )
    assert opened.data_key == made.plain_text and len(made.plain_text) == 64

    with pytest.raises(ClientRequestException) as refused:
        client.delete_key(
            kms.DeleteKeyRequest(body=kms.ScheduleKeyDeletionRequestBody(key_id=key_id, pending_days="3"))
        )
    assert refused.value.status_code == 400


def test_ims_sdk_imports_an_image_encrypted_with_a_key_made_by_the_kms_sdk(
    world, access_key, project_a, job_worker, tmp_path
):
    from huaweicloudsdkims.v2 import CreateImageRequest, CreateImageRequestBody, ListImagesRequest
    from huaweicloudsdkkms import v2 as kms

    key_id = (
        kms_client_for(world["url"], *access_key, project_a.id)
        .create_key(kms.CreateKeyRequest(body=kms.CreateKeyRequestBody(key_alias="sdk/images")))
        .key_info.key_id
    )
    raw = pattern_disk(tmp_path / "disk.raw")
    url = upload(factories.actor(world["a"].admin), raw, "sdk/sealed.raw")
    ims = ims_client_for(world["url"], *access_key, project_a.id)
    body = CreateImageRequestBody(
        name="sdk-sealed", image_url=url, min_disk=40, os_version="Ubuntu 22.04 server 64bit", cmk_id=key_id
    )
    job = finished_job(ims, ims.create_image(CreateImageRequest(body=body)).job_id)
    assert job.status == "SUCCESS", job.fail_reason

    image = Image.objects.get(pk=job.entities.image_id)
    assert image.cmk_id == key_id and image.os_hash_value == sha256_of(raw)
    listed = ims.list_images(ListImagesRequest(id=str(image.pk))).images[0]
    assert listed.system__cmkid == key_id
