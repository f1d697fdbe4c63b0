"""Keys used for objects encrypted at rest (an export of an encrypted image): what the object storage calls.

Each encrypted object has its own data key, made by the provider under a master key and bound to the object's
address, so a wrapped key copied to another object's row does not open. The object keeps only the wrapped form
(hex). Every use is traced, as for images.
"""

from django.utils.translation import gettext as _

from core.errors import ImsError
from iam.actors import Actor
from kms.errors import KEY_UNUSABLE, KmsError
from kms.models import MasterKey
from kms.rules import unusable_refusal
from kms.selectors import key_in_region
from kms.services.common import provider_calls, provider_of, trace_key_use
from kms.services.images import DATA_KEY_BYTES, key_for_new_image


def _context(address: str) -> bytes:
    return b"object|" + address.encode("utf-8", "surrogatepass")


def _trace_use(actor: Actor, key: MasterKey, purpose: str, address: str, error: ImsError | None = None) -> None:
    trace_key_use(actor, key, event="useKeyForObject", purpose=purpose, summary={"object": address}, error=error)


def new_object_data_key(actor: Actor, cmk_id: str, *, address: str) -> tuple[str, bytes, str]:
    """(key id, plaintext, wrapped hex) of a new data key for the object `address` (`bucket:key`) under the key
    `cmk_id` (an id, or `ims/default`) of the actor's account and region; refused while the key cannot be used."""
    key = key_for_new_image(actor, cmk_id)
    with provider_calls():
        plaintext, wrapped = provider_of(key).generate_data_key(key, DATA_KEY_BYTES, _context(address))
    _trace_use(actor, key, "putObject", address)
    return str(key.pk), plaintext, wrapped.hex()


def open_object_data_key(actor: Actor, *, cmk_id: str, wrapped_data_key: str, address: str) -> bytes:
    """The plaintext data key of the encrypted object `address`, for reading it; refused (KMS.0007, naming the key
    and its state), and traced, while its key is disabled, pending deletion or gone."""
    key = key_in_region(actor.account.pk, actor.project.region_id, cmk_id)
    if key is None:
        raise KmsError(KEY_UNUSABLE, _("The key %(id)s of this object no longer exists.") % {"id": cmk_id}, 409)
    if refusal := unusable_refusal(key):
        _trace_use(actor, key, "getObject", address, refusal)
        raise refusal
    with provider_calls():
        data_key = provider_of(key).unwrap(key, bytes.fromhex(wrapped_data_key), _context(address))
    _trace_use(actor, key, "getObject", address)
    return data_key
