"""The KMS API's request bodies, parsed into the services' keyword arguments. The official SDK sends numbers as
strings (`pending_days`, `datakey_length`, `limit`); both forms are accepted."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from core.errors import describe_validation
from kms.errors import KmsError, invalid

INVALID = "KMS.0001"


def parse(serializer_class, data) -> dict:
    if not isinstance(data, dict):
        raise KmsError(INVALID, _("The request body must be a JSON object."))
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise KmsError(INVALID, describe_validation(serializer.errors))
    return dict(serializer.validated_data)


def whole_number(field: str, value, *, default=None) -> int | None:
    if value in (None, ""):
        return default
    try:
        return int(str(value))
    except ValueError:
        raise invalid(field, _("a whole number.")) from None


class KeyIdInput(serializers.Serializer):
    key_id = serializers.CharField(max_length=64, help_text="The key's id (36 characters).")
    sequence = serializers.CharField(required=False, allow_blank=True, help_text="The caller's request number.")


class CreateKeyInput(serializers.Serializer):
    key_alias = serializers.CharField(max_length=255, source="alias")
    key_description = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default="", source="description"
    )
    key_spec = serializers.CharField(required=False, default="AES_256", help_text="AES_256 only.")
    key_usage = serializers.CharField(required=False, help_text="ENCRYPT_DECRYPT (the only use).")
    origin = serializers.CharField(required=False, help_text="kms (key material made here).")
    enterprise_project_id = serializers.CharField(required=False, allow_blank=True)
    sequence = serializers.CharField(required=False, allow_blank=True)

    def validate(self, attrs):
        for field in ("key_usage", "origin", "enterprise_project_id", "sequence"):
            attrs.pop(field, None)
        return attrs


class ListKeysInput(serializers.Serializer):
    limit = serializers.CharField(required=False, allow_blank=True, help_text="1 to 1000 (default).")
    marker = serializers.CharField(required=False, allow_blank=True, help_text="next_marker of the page before.")
    key_state = serializers.CharField(required=False, allow_blank=True, help_text="2, 3 or 4.")


class ScheduleDeletionInput(KeyIdInput):
    pending_days = serializers.CharField(help_text="7 to 1096.")


class CreateDatakeyInput(KeyIdInput):
    key_spec = serializers.CharField(required=False, allow_blank=True, help_text="AES_256 or AES_128.")
    datakey_length = serializers.CharField(required=False, allow_blank=True, help_text="Bits: 8 to 8192.")
    additional_authenticated_data = serializers.CharField(required=False, allow_blank=True, default="")


class EncryptDatakeyInput(KeyIdInput):
    plain_text = serializers.CharField(help_text="The data key in hex, then its SHA-256 in hex.")
    datakey_plain_length = serializers.CharField(help_text="Bytes of the data key.")
    additional_authenticated_data = serializers.CharField(required=False, allow_blank=True, default="")


class DecryptDatakeyInput(KeyIdInput):
    cipher_text = serializers.CharField(help_text="As encrypt_datakey or create_datakey answered it.")
    datakey_cipher_length = serializers.CharField(help_text="Bytes of the data key.")
    additional_authenticated_data = serializers.CharField(required=False, allow_blank=True, default="")


class CreateGrantInput(KeyIdInput):
    grantee_principal = serializers.CharField(max_length=64)
    grantee_principal_type = serializers.CharField(required=False, default="user", help_text="user, domain, project.")
    operations = serializers.ListField(child=serializers.CharField())
    name = serializers.CharField(required=False, allow_blank=True, default="")
    retiring_principal = serializers.CharField(required=False, allow_blank=True)


class ListGrantsInput(KeyIdInput):
    limit = serializers.CharField(required=False, allow_blank=True)
    marker = serializers.CharField(required=False, allow_blank=True)


class RevokeGrantInput(KeyIdInput):
    grant_id = serializers.CharField(max_length=64)
