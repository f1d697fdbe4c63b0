"""Customer master keys through their services: life cycle, the product's limits, tenancy, and where the key
material lives (sealed in VAR_DIR, never in the database)."""

import pytest

from audit.models import Trace
from core.errors import ImsError
from kms import services as kms
from kms.models import DEFAULT_ALIAS, KeyState, MasterKey
from tests import factories


@pytest.fixture
def embedded(settings):
    """The embedded provider, whatever the run configures (the scaled-out CI names an external KMS)."""
    settings.KMS_ENDPOINT_URL = ""


def refused(call, code: str) -> ImsError:
    with pytest.raises(ImsError) as raised:
        call()
    assert raised.value.code == code, raised.value.message
    return raised.value


def test_a_key_goes_through_its_states_and_each_change_is_traced(embedded, admin, key):
    assert key.state == KeyState.ENABLED and key.provider == "embedded"
    assert kms.disable_key(admin, key_id=str(key.pk)).state == KeyState.DISABLED
    assert kms.enable_key(admin, key_id=str(key.pk)).state == KeyState.ENABLED
    pending = kms.delete_key(admin, key_id=str(key.pk), pending_days=7)
    assert pending.state == KeyState.PENDING_DELETION and pending.deletion_date is not None
    # A cancelled deletion leaves the key disabled, as the product's does.
    assert kms.cancel_key_deletion(admin, key_id=str(key.pk)).state == KeyState.DISABLED
    events = list(Trace.objects.filter(resource_id=str(key.pk)).order_by("id").values_list("event_name", "result"))
    assert [event for event, _ in events] == [
        "createKey",
        "disableKey",
        "enableKey",
        "scheduleKeyDeletion",
        "cancelKeyDeletion",
    ]
    assert {result for _, result in events} == {"success"}


@pytest.mark.parametrize("days", [6, 1097, None])
def test_deletion_is_scheduled_7_to_1096_days_ahead(admin, key, days):
    refused(lambda: kms.delete_key(admin, key_id=str(key.pk), pending_days=days), "KMS.0001")


def test_state_changes_that_do_not_apply_are_refused_naming_the_state(admin, key):
    error = refused(lambda: kms.enable_key(admin, key_id=str(key.pk)), "KMS.0004")
    assert "images/alpha" in error.message and "Enabled" in error.message
    kms.delete_key(admin, key_id=str(key.pk), pending_days=30)
    refused(lambda: kms.enable_key(admin, key_id=str(key.pk)), "KMS.0004")
    refused(lambda: kms.disable_key(admin, key_id=str(key.pk)), "KMS.0004")


def test_the_default_key_is_made_on_first_use_and_cannot_be_disabled_or_deleted(admin):
    keys = kms.list_keys(admin)
    assert [k.alias for k in keys] == [DEFAULT_ALIAS] and keys[0].is_default
    assert kms.list_keys(admin) == keys  # made once
    refused(lambda: kms.disable_key(admin, key_id=str(keys[0].pk)), "KMS.0003")
    refused(lambda: kms.delete_key(admin, key_id=str(keys[0].pk), pending_days=7), "KMS.0003")


@pytest.mark.parametrize("alias", ["", "has space", "x" * 256, "mine/default"])
def test_aliases_are_checked(admin, alias):
    refused(lambda: kms.create_key(admin, alias=alias), "KMS.0001")


def test_an_alias_is_unique_in_the_region(admin, key):
    refused(lambda: kms.create_key(admin, alias="images/alpha"), "KMS.0002")


def test_another_tenants_key_is_not_found(tenant_b, key):
    other = factories.actor(tenant_b.admin)
    refused(lambda: kms.disable_key(other, key_id=str(key.pk)), "KMS.0404")
    assert key.pk not in {k.pk for k in kms.list_keys(other)}


def test_a_reader_without_kms_policies_is_denied(tenant_a, key):
    from iam.authz import PermissionDenied

    with pytest.raises(PermissionDenied):
        kms.disable_key(factories.actor(tenant_a.reader), key_id=str(key.pk))


def test_key_material_is_sealed_in_var_dir_never_in_the_database(embedded, own_var_dir, admin):
    key = kms.create_key(admin, alias="sealed/here")
    sealed = own_var_dir / "kms" / "keys" / f"{key.pk}.sealed"
    assert sealed.stat().st_mode & 0o777 == 0o600 and (own_var_dir / "kms" / "kek").stat().st_mode & 0o777 == 0o600
    assert len(sealed.read_bytes()) == 12 + 32 + 16  # nonce, key, tag: never the key alone
    stored = MasterKey.objects.filter(pk=key.pk).values().get()
    assert stored["provider_key_id"] == "" and set(stored) == {f.attname for f in MasterKey._meta.fields}


def test_data_keys_round_trip_and_refuse_a_foreign_or_altered_cipher(admin, key):
    plaintext, wrapped = kms.create_datakey(admin, key_id=str(key.pk), bits=256, aad="ctx")
    assert len(plaintext) == 32
    assert kms.decrypt_datakey(admin, key_id=str(key.pk), cipher_text=wrapped.hex(), cipher_length=32, aad="ctx") == (
        plaintext
    )
    altered = bytearray(wrapped)
    altered[-1] ^= 1
    for cipher, aad in ((bytes(altered), "ctx"), (wrapped, "other")):
        refused(
            lambda c=cipher, a=aad: kms.decrypt_datakey(
                admin, key_id=str(key.pk), cipher_text=c.hex(), cipher_length=32, aad=a
            ),
            "KMS.0006",
        )
    import hashlib

    sent = (plaintext + hashlib.sha256(plaintext).digest()).hex()
    rewrapped = kms.encrypt_datakey(admin, key_id=str(key.pk), plain_text=sent, plain_length=32)
    assert kms.decrypt_datakey(admin, key_id=str(key.pk), cipher_text=rewrapped.hex(), cipher_length=32) == plaintext


def test_a_disabled_key_makes_and_opens_no_data_keys(admin, key):
    kms.disable_key(admin, key_id=str(key.pk))
    error = refused(lambda: kms.create_datakey(admin, key_id=str(key.pk), bits=256), "KMS.0007")
    assert str(key.pk) in error.message and "Disabled" in error.message


@pytest.mark.parametrize("policy", ["KMS CMKFullAccess", "KMS Administrator"])
def test_the_kms_system_policies_grant_keys_and_nothing_of_images(tenant_a, policy):
    from iam.authz import can

    actor = factories.actor(factories.make_user(tenant_a.account, "key-keeper", policy))
    key = kms.create_key(actor, alias="kept/key")
    assert kms.disable_key(actor, key_id=str(key.pk)).state == KeyState.DISABLED
    assert not can(actor, "ims:images:list") and not can(actor, "obs:buckets:list")
