"""The KMS API at the official paths (`/v1.0/{project_id}/kms/...`, every call a POST): thin views that parse the
body, call one service and answer in the official shapes, so `huaweicloudsdkkms` works unchanged."""

import hashlib

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from kms import services
from kms.api import inputs, outputs
from kms.api.inputs import parse, whole_number
from kms.errors import KmsError
from kms.services.datakeys import data_key_bits

KMS = ["kms"]


def check_path_project(request, project_id: str) -> None:
    """The path's project must be the caller's (the SDK fills it from the credentials' project id)."""
    if project_id != request.auth.project.id:
        raise KmsError("KMS.0404", _("The requested resource does not exist."), 404)


class KmsView(APIView):
    """One POST: `input` parses the body, `answer(request, data)` calls the service and shapes the answer."""

    input = inputs.KeyIdInput

    def post(self, request, project_id):
        check_path_project(request, project_id)
        return Response(self.answer(request.auth, parse(self.input, request.data)))

    def answer(self, actor, data: dict) -> dict:
        raise NotImplementedError


def kms_view(name: str, input_class, doc: str):
    """A view class for operation `name` whose answer is the decorated function (actor, parsed body) -> dict."""

    def decorate(answer):
        def post(self, request, project_id):
            return KmsView.post(self, request, project_id)

        schema = extend_schema(
            operation_id=name, tags=KMS, request=input_class, responses={200: OpenApiTypes.OBJECT}, description=doc
        )
        return type(
            f"{name.title().replace('_', '')}View",
            (KmsView,),
            {"input": input_class, "answer": lambda self, actor, data: answer(actor, data), "post": schema(post)},
        )

    return decorate


@kms_view("create_key", inputs.CreateKeyInput, "Create a customer master key (AES_256).")
def create_key(actor, data):
    key = services.create_key(actor, **data)
    return {"key_info": {"key_id": str(key.pk), "domain_id": key.account_id}}


@kms_view("list_keys", inputs.ListKeysInput, "The account's keys of the region; the default key is made on first use.")
def list_keys(actor, data):
    keys = services.list_keys(actor, key_state=data.get("key_state") or None)
    chosen, marker, truncated = outputs.page(keys, whole_number("limit", data.get("limit")), data.get("marker"))
    return {
        "keys": [str(key.pk) for key in chosen],
        "key_details": [outputs.key_details(key) for key in chosen],
        "next_marker": marker,
        "truncated": truncated,
        "total": len(keys),
    }


@kms_view("list_key_detail", inputs.KeyIdInput, "One key.")
def describe_key(actor, data):
    return {"key_info": outputs.key_details(services.list_key_detail(actor, key_id=data["key_id"]))}


@kms_view("enable_key", inputs.KeyIdInput, "Enable a disabled key.")
def enable_key(actor, data):
    return {"key_info": outputs.key_status(services.enable_key(actor, key_id=data["key_id"]))}


@kms_view("disable_key", inputs.KeyIdInput, "Disable a key: what it encrypts cannot be read until it is enabled.")
def disable_key(actor, data):
    return {"key_info": outputs.key_status(services.disable_key(actor, key_id=data["key_id"]))}


@kms_view("delete_key", inputs.ScheduleDeletionInput, "Schedule the key's deletion in 7 to 1096 days.")
def schedule_key_deletion(actor, data):
    days = whole_number("pending_days", data["pending_days"])
    return outputs.key_status(services.delete_key(actor, key_id=data["key_id"], pending_days=days))


@kms_view("cancel_key_deletion", inputs.KeyIdInput, "Cancel a scheduled deletion: the key comes back disabled.")
def cancel_key_deletion(actor, data):
    return outputs.key_status(services.cancel_key_deletion(actor, key_id=data["key_id"]))


@kms_view("create_datakey", inputs.CreateDatakeyInput, "A new data key: in plain text and wrapped by the key.")
def create_datakey(actor, data):
    bits = data_key_bits(data.get("key_spec"), whole_number("datakey_length", data.get("datakey_length")))
    plaintext, wrapped = services.create_datakey(
        actor, key_id=data["key_id"], bits=bits, aad=data["additional_authenticated_data"]
    )
    return {"key_id": data["key_id"], "plain_text": plaintext.hex(), "cipher_text": wrapped.hex()}


@kms_view("encrypt_datakey", inputs.EncryptDatakeyInput, "Wrap a data key (hex key followed by its SHA-256).")
def encrypt_datakey(actor, data):
    length = whole_number("datakey_plain_length", data["datakey_plain_length"])
    wrapped = services.encrypt_datakey(
        actor,
        key_id=data["key_id"],
        plain_text=data["plain_text"],
        plain_length=length,
        aad=data["additional_authenticated_data"],
    )
    return {"key_id": data["key_id"], "cipher_text": wrapped.hex(), "datakey_length": str(length)}


@kms_view("decrypt_datakey", inputs.DecryptDatakeyInput, "Unwrap a data key.")
def decrypt_datakey(actor, data):
    length = whole_number("datakey_cipher_length", data["datakey_cipher_length"])
    data_key = services.decrypt_datakey(
        actor,
        key_id=data["key_id"],
        cipher_text=data["cipher_text"],
        cipher_length=length,
        aad=data["additional_authenticated_data"],
    )
    return {
        "data_key": data_key.hex(),
        "datakey_length": str(len(data_key)),
        "datakey_dgst": hashlib.sha256(data_key).hexdigest(),
    }


@kms_view("create_grant", inputs.CreateGrantInput, "Let a user, an account (domain) or a project use the key.")
def create_grant(actor, data):
    grant = services.create_grant(
        actor,
        key_id=data["key_id"],
        grantee_principal=data["grantee_principal"],
        grantee_principal_type=data["grantee_principal_type"],
        operations=data["operations"],
        name=data["name"],
    )
    return {"grant_id": grant.pk}


@kms_view("list_grants", inputs.ListGrantsInput, "The key's grants.")
def list_grants(actor, data):
    grants = services.list_grants(actor, key_id=data["key_id"])
    chosen, marker, truncated = outputs.page(grants, whole_number("limit", data.get("limit")), data.get("marker"))
    return {
        "grants": [outputs.grant(item) for item in chosen],
        "next_marker": marker,
        "truncated": truncated,
        "total": len(grants),
    }


@kms_view("revoke_grant", inputs.RevokeGrantInput, "Remove a grant.")
def revoke_grant(actor, data):
    services.revoke_grant(actor, key_id=data["key_id"], grant_id=data["grant_id"])
    return {}
