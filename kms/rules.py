"""The key states' refusals, shared by the key services, the image rules and the compute services."""

from django.utils.translation import gettext as _

from kms.errors import KEY_STATE, KEY_UNUSABLE, KmsError
from kms.models import KeyState, MasterKey
from kms.selectors import key_in_region


def unusable_refusal(key: MasterKey) -> KmsError | None:
    """Why data keys of `key` cannot be made or opened now, naming the key and its state; None when it is enabled."""
    if key.state == KeyState.ENABLED:
        return None
    return KmsError(
        KEY_UNUSABLE,
        _("The key %(alias)s (%(id)s) is %(state)s; enable it%(hint)s to use what it encrypts.")
        % {
            "alias": key.alias,
            "id": key.pk,
            "state": key.get_state_display(),
            "hint": _(" (cancel its deletion first)") if key.state == KeyState.PENDING_DELETION else "",
        },
        409,
    )


def state_refusal(key: MasterKey, *, allowed: tuple[str, ...], doing: str) -> KmsError | None:
    if key.state in allowed:
        return None
    return KmsError(
        KEY_STATE,
        _("The key %(alias)s is %(state)s: it cannot be %(doing)s now.")
        % {"alias": key.alias, "state": key.get_state_display(), "doing": doing},
        409,
    )


def image_key(image) -> MasterKey | None:
    return key_in_region(image.owner.account_id, image.region_id, image.cmk_id)


def image_key_refusal(image) -> KmsError | None:
    """Why the encrypted `image` cannot be read now (its key disabled, pending deletion or gone); None otherwise."""
    if not image.cmk_id:
        return None
    key = image_key(image)
    if key is None:
        return KmsError(KEY_UNUSABLE, _("The key %(id)s of this image no longer exists.") % {"id": image.cmk_id}, 409)
    return unusable_refusal(key)
