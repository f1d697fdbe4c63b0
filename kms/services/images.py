"""Keys used for images (and the disks made from them): what the image and compute services call.

Each encrypted image has its own data key, made by the provider under the image's master key; the image keeps
only the wrapped form (`Image.wrapped_data_key`, hex). A copy that keeps the key keeps the data key too, so the
two images share their sealed chunks. Every use of a key for an image is traced.

For the compute services: `image_key_refusal(image)` before a server or disk is made from an image,
`open_image_data_key(actor, image, purpose=...)` to read its chunks, and `key_for_new_image` +
`new_image_data_key` to encrypt a new disk or image with a key.
"""

from django.utils.translation import gettext as _

from core.errors import ImsError, invalid
from iam.actors import Actor
from iam.authz import authorize
from kms.models import DEFAULT_ALIAS, MasterKey
from kms.rules import image_key, image_key_refusal, unusable_refusal
from kms.selectors import find_key
from kms.services.common import provider_calls, provider_of, trace_key_use
from kms.services.keys import ensure_default_key

IMAGE_CONTEXT = b"image"
DATA_KEY_BYTES = 32  # AES-256
USE_ACTION = "kms:cmk:generate"


def key_for_new_image(actor: Actor, cmk_id: str) -> MasterKey:
    """The key `cmk_id` (an id, or `ims/default`) of the actor's account and region, usable by the actor now."""
    if cmk_id == DEFAULT_ALIAS:
        key = ensure_default_key(actor)
    else:
        try:
            key = find_key(actor, cmk_id)
        except ImsError:
            raise invalid(
                "cmk_id", _("no key %(id)s in this region (see the KMS key list).") % {"id": cmk_id}
            ) from None
    authorize(actor, USE_ACTION, key)
    if refusal := unusable_refusal(key):
        raise refusal
    return key


def _trace_use(actor: Actor, key: MasterKey, purpose: str, image_id, error: ImsError | None = None) -> None:
    trace_key_use(actor, key, event="useKeyForImage", purpose=purpose, summary={"image_id": str(image_id)}, error=error)


def new_image_data_key(actor: Actor, key: MasterKey, *, image_id, purpose: str) -> str:
    """A new data key for image `image_id` under `key`, wrapped (hex); its plaintext is not kept."""
    with provider_calls():
        _plaintext, wrapped = provider_of(key).generate_data_key(key, DATA_KEY_BYTES, IMAGE_CONTEXT)
    _trace_use(actor, key, purpose, image_id)
    return wrapped.hex()


def open_image_data_key(actor: Actor, image, *, purpose: str) -> bytes | None:
    """The plaintext data key of `image` for `purpose` (download, export, copy, createServer…), None for an image
    that is not encrypted; refused, and traced, while its key cannot be used."""
    if not image.cmk_id:
        return None
    key = image_key(image)
    refusal = image_key_refusal(image)
    if refusal is not None:
        if key is not None:
            _trace_use(actor, key, purpose, image.pk, refusal)
        raise refusal
    with provider_calls():
        data_key = provider_of(key).unwrap(key, bytes.fromhex(image.wrapped_data_key), IMAGE_CONTEXT)
    _trace_use(actor, key, purpose, image.pk)
    return data_key
