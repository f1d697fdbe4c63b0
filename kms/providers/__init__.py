"""Where master keys live, behind one interface: sealed in VAR_DIR (embedded), or in an external KMS spoken to
over the AWS KMS protocol. A key remembers its provider, so keys made before a switch keep working."""

from typing import Protocol

from django.conf import settings

EMBEDDED, EXTERNAL = "embedded", "external"


class KeyProvider(Protocol):
    def create_master_key(self, key_id: str) -> str:
        """Makes the key material; returns its id in the provider ("" when the key id names it)."""

    def generate_data_key(self, key, length: int, context: bytes) -> tuple[bytes, bytes]:
        """(plaintext, wrapped) of a new random data key of `length` bytes."""

    def wrap(self, key, plaintext: bytes, context: bytes) -> bytes: ...

    def unwrap(self, key, wrapped: bytes, context: bytes) -> bytes:
        """Raises CipherInvalid for a wrapped key that is not this key's, or that was altered."""

    def set_enabled(self, key, enabled: bool) -> None: ...


class CipherInvalid(Exception):
    """A wrapped data key that this master key did not wrap (or that was altered, or a different context)."""


class ProviderUnavailable(Exception):
    """The external KMS did not answer or refused the request."""


def provider_for_new_keys() -> str:
    return EXTERNAL if settings.KMS_ENDPOINT_URL else EMBEDDED


def provider(name: str) -> KeyProvider:
    if name == EXTERNAL:
        from kms.providers.external import ExternalProvider

        return ExternalProvider.from_settings()
    from kms.providers.embedded import EmbeddedProvider

    return EmbeddedProvider.from_settings()
