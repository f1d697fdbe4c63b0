"""Customer master keys: create, list, describe, enable, disable, schedule deletion and cancel it.

The default key `ims/default` of an account and region is made on first use (listing the keys, or naming it for an
image); like the product's default keys it cannot be disabled or deleted.
"""

import re
import uuid
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.recorder import record
from iam.actors import Actor
from iam.authz import scope
from iam.operations import operation
from kms.errors import ALIAS_TAKEN, DEFAULT_KEY, KmsError, invalid
from kms.models import DEFAULT_ALIAS, KeyState, MasterKey
from kms.providers import provider, provider_for_new_keys
from kms.rules import state_refusal
from kms.selectors import default_key_of, find_key
from kms.services.common import provider_calls, provider_of

ALIAS = re.compile(r"^[A-Za-z0-9_:/-]{1,255}$")
RESERVED_SUFFIX = "/default"
MIN_PENDING_DAYS, MAX_PENDING_DAYS = 7, 1096
KEY_SPECS = ("AES_256",)


def _alias(kwargs) -> dict:
    return {"alias": kwargs.get("alias", "")}


def _check_alias(alias: str) -> str:
    if not isinstance(alias, str) or not ALIAS.match(alias):
        raise invalid(
            "key_alias",
            _("1 to 255 characters: letters, digits, and _ - : / only."),
        )
    if alias.endswith(RESERVED_SUFFIX):
        raise invalid("key_alias", _("aliases ending in /default are reserved for the services' default keys."))
    return alias


def _new_key(account, region, *, alias: str, description: str = "", is_default: bool = False) -> MasterKey:
    """The row first (the key id names the material), then the material, in the caller's transaction: if the
    provider fails, the row goes with the rollback."""
    key = MasterKey(
        id=uuid.uuid4(),
        account=account,
        region=region,
        alias=alias,
        description=description,
        is_default=is_default,
        provider=provider_for_new_keys(),
    )
    with provider_calls():
        key.provider_key_id = provider(key.provider).create_master_key(str(key.pk))
    key.save(force_insert=True)
    return key


@operation("create_key", target="key", summary=_alias)
def create_key(actor: Actor, *, alias: str, description: str = "", key_spec: str = "AES_256") -> MasterKey:
    alias = _check_alias(alias)
    if key_spec not in KEY_SPECS:
        raise invalid("key_spec", _("this service makes AES_256 keys only."))
    if len(description) > 255:
        raise invalid("key_description", _("at most 255 characters."))
    if MasterKey.objects.filter(account=actor.account, region=actor.region, alias=alias).exists():
        raise _alias_taken(alias)
    try:
        with transaction.atomic():
            return _new_key(actor.account, actor.region, alias=alias, description=description)
    except IntegrityError:
        raise _alias_taken(alias) from None


def _alias_taken(alias: str) -> KmsError:
    return KmsError(ALIAS_TAKEN, _("A key named %(alias)s already exists in this region.") % {"alias": alias}, 409)


def ensure_default_key(actor: Actor) -> MasterKey:
    """The account's default key of the actor's region, made (and traced) on first use."""
    found = default_key_of(actor)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            key = _new_key(actor.account, actor.region, alias=DEFAULT_ALIAS, is_default=True)
    except IntegrityError:  # made by a concurrent request a moment ago
        return default_key_of(actor)
    record(
        event="createKey",
        operation="create_key",
        actor=actor,
        resource_type="kms",
        resource_id=str(key.pk),
        resource_name=key.alias,
        summary={"alias": key.alias, "default": True},
    )
    return key


@operation("list_keys", target="key")
def list_keys(actor: Actor, *, key_state: str | None = None) -> list[MasterKey]:
    """The account's keys of the region (the default key included, made now if it is the first use)."""
    if key_state not in (None, "", *KeyState.values):
        raise invalid("key_state", _("one of 2 (enabled), 3 (disabled), 4 (pending deletion)."))
    ensure_default_key(actor)
    keys = scope(actor, "kms:cmk:list", MasterKey.objects.all())
    return list(keys.filter(state=key_state) if key_state else keys)


@operation("list_key_detail", target="key", find=find_key)
def list_key_detail(actor: Actor, *, key: MasterKey) -> MasterKey:
    return key


def _refuse_default(key: MasterKey, doing: str) -> None:
    if key.is_default:
        raise KmsError(
            DEFAULT_KEY,
            _("%(alias)s is a default key: it cannot be %(doing)s.") % {"alias": key.alias, "doing": doing},
            409,
        )


def _set_state(key: MasterKey, state: str, *, deletion_date=None) -> MasterKey:
    was_usable = key.usable
    key.state, key.deletion_date = state, deletion_date
    key.save(update_fields=["state", "deletion_date"])
    if was_usable != key.usable:
        with provider_calls():
            provider_of(key).set_enabled(key, key.usable)
    return key


def _locked(key: MasterKey) -> MasterKey:
    """The key's row again, locked: two state changes of one key run one after the other."""
    return MasterKey.objects.select_for_update().get(pk=key.pk)


@operation("enable_key", target="key", find=find_key)
def enable_key(actor: Actor, *, key: MasterKey) -> MasterKey:
    key = _locked(key)
    if refusal := state_refusal(key, allowed=(KeyState.DISABLED,), doing=_("enabled")):
        raise refusal
    return _set_state(key, KeyState.ENABLED)


@operation("disable_key", target="key", find=find_key)
def disable_key(actor: Actor, *, key: MasterKey) -> MasterKey:
    key = _locked(key)
    _refuse_default(key, _("disabled"))
    if refusal := state_refusal(key, allowed=(KeyState.ENABLED,), doing=_("disabled")):
        raise refusal
    return _set_state(key, KeyState.DISABLED)


@operation("delete_key", target="key", find=find_key, summary=lambda kw: {"pending_days": kw.get("pending_days")})
def delete_key(actor: Actor, *, key: MasterKey, pending_days: int) -> MasterKey:
    """Schedules the deletion in `pending_days` (7 to 1096); until then it can be cancelled."""
    key = _locked(key)
    _refuse_default(key, _("deleted"))
    if not isinstance(pending_days, int) or not MIN_PENDING_DAYS <= pending_days <= MAX_PENDING_DAYS:
        raise invalid("pending_days", _("a whole number of days from 7 to 1096."))
    if refusal := state_refusal(key, allowed=(KeyState.ENABLED, KeyState.DISABLED), doing=_("scheduled for deletion")):
        raise refusal
    return _set_state(key, KeyState.PENDING_DELETION, deletion_date=timezone.now() + timedelta(days=pending_days))


@operation("cancel_key_deletion", target="key", find=find_key)
def cancel_key_deletion(actor: Actor, *, key: MasterKey) -> MasterKey:
    """The key comes back disabled, as the product's does: enabling it is a decision of its own."""
    key = _locked(key)
    if refusal := state_refusal(key, allowed=(KeyState.PENDING_DELETION,), doing=_("restored")):
        raise refusal
    return _set_state(key, KeyState.DISABLED)
