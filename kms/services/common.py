"""What the key services share: reaching the provider, and turning its failures into the service's refusals."""

from contextlib import contextmanager

from django.utils.translation import gettext as _

from kms.errors import CIPHER_INVALID, KmsError, provider_failed
from kms.models import MasterKey
from kms.providers import CipherInvalid, KeyProvider, ProviderUnavailable, provider


def provider_of(key: MasterKey) -> KeyProvider:
    return provider(key.provider)


@contextmanager
def provider_calls():
    try:
        yield
    except CipherInvalid:
        raise KmsError(CIPHER_INVALID, _("The cipher text was not made by this key, or it was altered.")) from None
    except ProviderUnavailable as error:
        raise provider_failed() from error
