"""Every lookup of keys and grants, already scoped to the actor's account and region."""

import uuid

from iam.actors import Actor
from kms.errors import grant_not_found, key_not_found
from kms.models import DEFAULT_ALIAS, KeyGrant, MasterKey


def find_key(actor: Actor, key_id) -> MasterKey:
    """The key `key_id` (its id, or its alias) of the actor's account and region; another tenant's is not found.
    Whether the actor may act on it is the operation's decision (`@operation` authorizes against the key)."""
    keys = MasterKey.objects.visible_to(actor).select_related("region")
    try:
        found = keys.filter(pk=uuid.UUID(str(key_id))).first()
    except ValueError:
        found = keys.filter(alias=str(key_id)).first() if key_id else None
    if found is None:
        raise key_not_found(key_id)
    return found


def key_in_region(account_id: str, region_id: str, key_id) -> MasterKey | None:
    """A key by id for the service's own checks (jobs, rules), unscoped: callers already hold the image."""
    try:
        return MasterKey.objects.filter(pk=uuid.UUID(str(key_id)), account_id=account_id, region_id=region_id).first()
    except ValueError:
        return None


def default_key_of(actor: Actor) -> MasterKey | None:
    return MasterKey.objects.filter(account=actor.account, region=actor.region, alias=DEFAULT_ALIAS).first()


def find_grant(key: MasterKey, grant_id) -> KeyGrant:
    grant = KeyGrant.objects.filter(key=key, pk=str(grant_id)).first()
    if grant is None:
        raise grant_not_found(grant_id)
    return grant


def has_grant_for_project(key: MasterKey, project) -> bool:
    """A grant to the project, to its account (domain), or to one of its users lets the project use the key."""
    return KeyGrant.objects.filter(key=key, grantee_principal__in=[project.pk, project.account_id]).exists()


def encryption_choices(actor: Actor) -> list[tuple[str, str]]:
    """(cmk_id, label) of the keys the actor may encrypt a new image with: the default key (by its alias until it
    is made on first use), then the enabled custom keys. None when the actor may not use keys."""
    from django.utils.translation import gettext as _

    from iam.authz import can
    from kms.models import KeyState

    if not can(actor, "kms:cmk:generate"):
        return []
    default = default_key_of(actor)
    choices = [(str(default.pk) if default else DEFAULT_ALIAS, _("%(alias)s (default key)") % {"alias": DEFAULT_ALIAS})]
    keys = MasterKey.objects.visible_to(actor).filter(is_default=False, state=KeyState.ENABLED)
    return choices + [(str(key.pk), key.alias) for key in keys.order_by("alias")]
