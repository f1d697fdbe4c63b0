"""The permission matrix's key management part: the KMS actions each kind holds, the key (and a wrapped data key,
a grant) of tenant A a case needs, and one case per KMS operation (face and service). Only Tenant Administrator
(*:*:*) among the kinds' policies grants kms:cmk:* (KMS Administrator and KMS CMKFullAccess are the KMS's own)."""

import hashlib

from kms import services as kms
from kms.models import KeyGrant, MasterKey

KMS = frozenset(
    {
        "kms:cmk:create",
        "kms:cmk:list",
        "kms:cmk:get",
        "kms:cmk:enable",
        "kms:cmk:disable",
        "kms:cmk:update",
        "kms:cmk:generate",
        "kms:cmk:crypto",
        "kms:cmk:createGrant",
        "kms:cmk:listGrants",
        "kms:cmk:revokeGrant",
    }
)
PARTS = frozenset({"cmk", "cmk_disabled", "cmk_pending", "cmk_cipher", "cmk_grant"})
DATA_KEY = bytes(range(32))


def build(world, parts: frozenset, system) -> None:
    """A's key in the world's region (`world.cmk`), disabled or pending deletion, with a wrapped data key
    (`world.cmk_cipher`, hex) or a grant (`world.cmk_grant`), as `parts` ask."""
    world.cmk = kms.create_key(system, alias="matrix/key")
    if "cmk_disabled" in parts:
        kms.disable_key(system, key=world.cmk)
    if "cmk_pending" in parts:
        kms.delete_key(system, key=world.cmk, pending_days=7)
    if "cmk_cipher" in parts:
        world.cmk_cipher = kms.create_datakey(system, key=world.cmk, bits=256)[1].hex()
    if "cmk_grant" in parts:
        grantee = world.charlie_project.pk
        world.cmk_grant = kms.create_grant(
            system, key=world.cmk, grantee_principal=grantee, operations=["decrypt-datakey"]
        )
    world.cmk.refresh_from_db()


def fingerprint_rows(account) -> tuple:
    return (
        MasterKey.objects.filter(account=account).values_list("id", "alias", "state", "deletion_date"),
        KeyGrant.objects.filter(key__account=account).values_list("id", "grantee_principal"),
    )


def _path(w, route: str) -> str:
    return f"/v1.0/{w.actor_project.pk}/kms/{route}"


def _post(route: str, body=lambda w: {}):
    return lambda c, w: c.send("POST", _path(w, route), body(w))


def _key(w, **extra) -> dict:
    return {"key_id": str(w.cmk.pk), **extra}


def _plain_text() -> str:
    return (DATA_KEY + hashlib.sha256(DATA_KEY).digest()).hex()


def cases(case) -> dict:
    return {
        "create_key": case(
            _post("create-key", lambda w: {"key_alias": "matrix/new"}),
            lambda a, w: kms.create_key(a, alias="matrix/new"),
            foreign=False,
        ),
        "list_keys": case(_post("list-keys"), lambda a, w: kms.list_keys(a), foreign=False),
        "list_key_detail": case(_post("describe-key", _key), lambda a, w: kms.list_key_detail(a, key=w.cmk), ["cmk"]),
        "enable_key": case(
            _post("enable-key", _key), lambda a, w: kms.enable_key(a, key=w.cmk), ["cmk", "cmk_disabled"]
        ),
        "disable_key": case(_post("disable-key", _key), lambda a, w: kms.disable_key(a, key=w.cmk), ["cmk"]),
        "delete_key": case(
            _post("schedule-key-deletion", lambda w: _key(w, pending_days="7")),
            lambda a, w: kms.delete_key(a, key=w.cmk, pending_days=7),
            ["cmk"],
        ),
        "cancel_key_deletion": case(
            _post("cancel-key-deletion", _key),
            lambda a, w: kms.cancel_key_deletion(a, key=w.cmk),
            ["cmk", "cmk_pending"],
        ),
        "create_datakey": case(
            _post("create-datakey", lambda w: _key(w, datakey_length="256")),
            lambda a, w: kms.create_datakey(a, key=w.cmk, bits=256),
            ["cmk"],
        ),
        "encrypt_datakey": case(
            _post("encrypt-datakey", lambda w: _key(w, plain_text=_plain_text(), datakey_plain_length="32")),
            lambda a, w: kms.encrypt_datakey(a, key=w.cmk, plain_text=_plain_text(), plain_length=32),
            ["cmk"],
        ),
        "decrypt_datakey": case(
            _post("decrypt-datakey", lambda w: _key(w, cipher_text=w.cmk_cipher, datakey_cipher_length="32")),
            lambda a, w: kms.decrypt_datakey(a, key=w.cmk, cipher_text=w.cmk_cipher, cipher_length=32),
            ["cmk", "cmk_cipher"],
        ),
        "create_grant": case(
            _post(
                "create-grant",
                lambda w: _key(w, grantee_principal=w.charlie_project.pk, operations=["decrypt-datakey"]),
            ),
            lambda a, w: kms.create_grant(
                a, key=w.cmk, grantee_principal=w.charlie_project.pk, operations=["decrypt-datakey"]
            ),
            ["cmk"],
        ),
        "list_grants": case(_post("list-grants", _key), lambda a, w: kms.list_grants(a, key=w.cmk), ["cmk"]),
        "revoke_grant": case(
            _post("revoke-grant", lambda w: _key(w, grant_id=w.cmk_grant.pk)),
            lambda a, w: kms.revoke_grant(a, key=w.cmk, grant_id=w.cmk_grant.pk),
            ["cmk", "cmk_grant"],
        ),
    }
