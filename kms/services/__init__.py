"""The key management service's operations: one function per operation of the KMS API, actor first, keyword-only
arguments; and the few functions the image and compute services call to encrypt and open what they store."""

from kms.services.datakeys import create_datakey, decrypt_datakey, encrypt_datakey
from kms.services.grants import create_grant, list_grants, revoke_grant
from kms.services.images import image_key_refusal, key_for_new_image, new_image_data_key, open_image_data_key
from kms.services.keys import (
    cancel_key_deletion,
    create_key,
    delete_key,
    disable_key,
    enable_key,
    ensure_default_key,
    list_key_detail,
    list_keys,
)
from kms.services.objects import new_object_data_key, open_object_data_key

__all__ = [
    "cancel_key_deletion",
    "create_datakey",
    "create_grant",
    "create_key",
    "decrypt_datakey",
    "delete_key",
    "disable_key",
    "enable_key",
    "encrypt_datakey",
    "ensure_default_key",
    "image_key_refusal",
    "key_for_new_image",
    "list_grants",
    "list_key_detail",
    "list_keys",
    "new_image_data_key",
    "new_object_data_key",
    "open_image_data_key",
    "open_object_data_key",
    "revoke_grant",
]
