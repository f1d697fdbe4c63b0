"""Master keys held by an external KMS spoken to over the AWS KMS protocol (AWS KMS itself, or a compatible
service): the material never leaves it; data keys are generated and unwrapped there."""

import base64

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from kms.providers import CipherInvalid, ProviderUnavailable

_CLIENTS: dict[tuple, object] = {}
_REJECTED = {"InvalidCiphertextException", "IncorrectKeyException", "InvalidKeyUsageException"}


def _context(key, context: bytes) -> dict:
    # The encryption context binds a wrapped data key to its key and use, as the embedded provider's associated
    # data does; values must be text.
    return {"ims-key": str(key.pk), "ims-context": base64.b64encode(context).decode()}


class ExternalProvider:
    def __init__(self, client):
        self.client = client

    @classmethod
    def from_settings(cls) -> "ExternalProvider":
        options = (
            settings.KMS_ENDPOINT_URL,
            settings.KMS_REGION,
            settings.KMS_ACCESS_KEY_ID,
            settings.KMS_SECRET_ACCESS_KEY,
        )
        if options not in _CLIENTS:
            _CLIENTS[options] = boto3.client(
                "kms",
                endpoint_url=options[0],
                region_name=options[1],
                aws_access_key_id=options[2] or None,
                aws_secret_access_key=options[3] or None,
                config=Config(retries={"max_attempts": 3}, connect_timeout=5, read_timeout=30),
            )
        return cls(_CLIENTS[options])

    def _call(self, method: str, **arguments) -> dict:
        try:
            return getattr(self.client, method)(**arguments)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _REJECTED:
                raise CipherInvalid(str(error)) from error
            raise ProviderUnavailable(str(error)) from error
        except BotoCoreError as error:
            raise ProviderUnavailable(str(error)) from error

    def create_master_key(self, key_id: str) -> str:
        answer = self._call(
            "create_key",
            Description=f"IMS Console key {key_id}",
            KeyUsage="ENCRYPT_DECRYPT",
            KeySpec="SYMMETRIC_DEFAULT",
            Tags=[{"TagKey": "ims-key", "TagValue": key_id}],
        )
        return answer["KeyMetadata"]["KeyId"]

    def generate_data_key(self, key, length: int, context: bytes) -> tuple[bytes, bytes]:
        answer = self._call(
            "generate_data_key",
            KeyId=key.provider_key_id,
            NumberOfBytes=length,
            EncryptionContext=_context(key, context),
        )
        return answer["Plaintext"], answer["CiphertextBlob"]

    def wrap(self, key, plaintext: bytes, context: bytes) -> bytes:
        answer = self._call(
            "encrypt", KeyId=key.provider_key_id, Plaintext=plaintext, EncryptionContext=_context(key, context)
        )
        return answer["CiphertextBlob"]

    def unwrap(self, key, wrapped: bytes, context: bytes) -> bytes:
        answer = self._call(
            "decrypt", KeyId=key.provider_key_id, CiphertextBlob=wrapped, EncryptionContext=_context(key, context)
        )
        return answer["Plaintext"]

    def set_enabled(self, key, enabled: bool) -> None:
        self._call("enable_key" if enabled else "disable_key", KeyId=key.provider_key_id)
