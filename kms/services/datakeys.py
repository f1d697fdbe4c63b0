"""Data keys through the KMS API: made by the provider under a master key, wrapped and unwrapped there.

On the wire, as the official API has them: keys and cipher texts in hex, lengths in bits for `datakey_length`
and in bytes for the plain and cipher lengths; `encrypt_datakey` takes the key followed by its SHA-256.
"""

import hashlib

from django.utils.translation import gettext as _

from iam.actors import Actor
from iam.operations import operation
from kms.errors import DIGEST_MISMATCH, KmsError, invalid
from kms.models import MasterKey
from kms.rules import unusable_refusal
from kms.selectors import find_key
from kms.services.common import provider_calls, provider_of

MIN_BITS, MAX_BITS, DEFAULT_BITS = 8, 8192, 512
SPEC_BITS = {"AES_256": 256, "AES_128": 128}


def api_context(additional_authenticated_data: str) -> bytes:
    """Data keys of the API are bound to the caller's associated data, and apart from images' data keys."""
    return b"api|" + additional_authenticated_data.encode()


def _usable(key: MasterKey) -> None:
    if refusal := unusable_refusal(key):
        raise refusal


def _hex(field: str, value: str) -> bytes:
    try:
        return bytes.fromhex(value)
    except (TypeError, ValueError):
        raise invalid(field, _("a hexadecimal string.")) from None


def data_key_bits(key_spec: str | None, datakey_length: int | None) -> int:
    if datakey_length is not None:
        if not isinstance(datakey_length, int) or datakey_length % 8 or not MIN_BITS <= datakey_length <= MAX_BITS:
            raise invalid("datakey_length", _("a number of bits from 8 to 8192, a multiple of 8."))
        return datakey_length
    if key_spec in (None, ""):
        return DEFAULT_BITS
    if key_spec not in SPEC_BITS:
        raise invalid("key_spec", _("AES_256 or AES_128."))
    return SPEC_BITS[key_spec]


@operation("create_datakey", target="key", find=find_key)
def create_datakey(actor: Actor, *, key: MasterKey, bits: int = DEFAULT_BITS, aad: str = "") -> tuple[bytes, bytes]:
    """(plaintext, cipher text) of a new data key of `bits` bits."""
    _usable(key)
    with provider_calls():
        return provider_of(key).generate_data_key(key, bits // 8, api_context(aad))


@operation("encrypt_datakey", target="key", find=find_key)
def encrypt_datakey(actor: Actor, *, key: MasterKey, plain_text: str, plain_length: int, aad: str = "") -> bytes:
    """`plain_text`: the data key in hex followed by its SHA-256 in hex; `plain_length`: the key's bytes."""
    _usable(key)
    raw = _hex("plain_text", plain_text)
    if not isinstance(plain_length, int) or not 1 <= plain_length <= MAX_BITS // 8 or len(raw) != plain_length + 32:
        raise invalid("datakey_plain_length", _("the data key's bytes; plain_text is the key and its SHA-256."))
    data_key, digest = raw[:plain_length], raw[plain_length:]
    if hashlib.sha256(data_key).digest() != digest:
        raise KmsError(DIGEST_MISMATCH, _("The SHA-256 in plain_text does not match the data key before it."))
    with provider_calls():
        return provider_of(key).wrap(key, data_key, api_context(aad))


@operation("decrypt_datakey", target="key", find=find_key)
def decrypt_datakey(actor: Actor, *, key: MasterKey, cipher_text: str, cipher_length: int, aad: str = "") -> bytes:
    _usable(key)
    wrapped = _hex("cipher_text", cipher_text)
    with provider_calls():
        data_key = provider_of(key).unwrap(key, wrapped, api_context(aad))
    if cipher_length not in (None, len(data_key)):
        raise invalid("datakey_cipher_length", _("the bytes of the data key the cipher text holds."))
    return data_key
