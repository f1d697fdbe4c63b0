"""The key management service's refusals: stable KMS.xxxx codes, a message in the user's language, an HTTP status."""

from django.utils.translation import gettext as _

from core.errors import ImsError

INVALID = "KMS.0001"
ALIAS_TAKEN = "KMS.0002"
DEFAULT_KEY = "KMS.0003"
KEY_STATE = "KMS.0004"
DIGEST_MISMATCH = "KMS.0005"
CIPHER_INVALID = "KMS.0006"
KEY_UNUSABLE = "KMS.0007"
PROVIDER_FAILED = "KMS.0503"
NOT_FOUND = "KMS.0404"


class KmsError(ImsError):
    pass


def invalid(field: str, message: str) -> KmsError:
    return KmsError(INVALID, f"{field}: {message}")


def key_not_found(key_id) -> KmsError:
    return KmsError(NOT_FOUND, _("The key %(id)s does not exist in this region.") % {"id": key_id}, 404)


def grant_not_found(grant_id) -> KmsError:
    return KmsError(NOT_FOUND, _("The grant %(id)s does not exist on this key.") % {"id": grant_id}, 404)


def provider_failed() -> KmsError:
    return KmsError(PROVIDER_FAILED, _("The key management service holding the key did not answer; try again."), 503)
