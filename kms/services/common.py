"""What the key services share: reaching the provider, and turning its failures into the service's refusals."""

from contextlib import contextmanager

from django.utils.translation import gettext as _

from audit.models import TraceResult
from audit.recorder import record
from core.errors import ImsError
from iam.actors import Actor
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


def trace_key_use(actor: Actor, key: MasterKey, *, event: str, purpose: str, summary: dict, error: ImsError | None):
    """One use of `key` for an image or an object (`event`), successful or refused with `error`."""
    record(
        event=event,
        operation=purpose,
        actor=actor,
        resource_type="kms",
        resource_id=str(key.pk),
        resource_name=key.alias,
        result=TraceResult.FAILURE if error else TraceResult.SUCCESS,
        error_code=error.code if error else "",
        summary={**summary, "purpose": purpose},
    )
