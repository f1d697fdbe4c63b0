"""Master keys sealed under a key-encryption key (KEK), both files in VAR_DIR/kms, never in the database: a copy
of the database alone opens no image. Every seal is AES-256-GCM with a fresh nonce and the key id as associated
data, so a sealed file or wrapped data key moved to another key does not open."""

import os
import secrets
import threading
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from kms.providers import CipherInvalid

NONCE = 12
KEY_BYTES = 32
_cache: dict[tuple[str, str], bytes] = {}
_lock = threading.Lock()


def _seal(key: bytes, plaintext: bytes, context: bytes) -> bytes:
    nonce = os.urandom(NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def _open(key: bytes, sealed: bytes, context: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(sealed[:NONCE], sealed[NONCE:], context)
    except (InvalidTag, ValueError) as error:
        raise CipherInvalid(str(error)) from error


def _write_new(path: Path, data: bytes) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


class EmbeddedProvider:
    def __init__(self, folder: Path):
        self.folder = folder

    @classmethod
    def from_settings(cls) -> "EmbeddedProvider":
        return cls(Path(settings.VAR_DIR) / "kms")

    def _kek(self) -> bytes:
        path = self.folder / "kek"
        try:
            return path.read_bytes()
        except FileNotFoundError:
            pass
        try:
            _write_new(path, secrets.token_bytes(KEY_BYTES))
        except FileExistsError:
            pass  # another process made it first: use theirs
        return path.read_bytes()

    def _key_path(self, key_id: str) -> Path:
        return self.folder / "keys" / f"{key_id}.sealed"

    def create_master_key(self, key_id: str) -> str:
        _write_new(self._key_path(key_id), _seal(self._kek(), secrets.token_bytes(KEY_BYTES), key_id.encode()))
        return ""

    def _material(self, key) -> bytes:
        cache_key = (str(self.folder), str(key.pk))
        with _lock:
            if cache_key in _cache:
                return _cache[cache_key]
        material = _open(self._kek(), self._key_path(str(key.pk)).read_bytes(), str(key.pk).encode())
        with _lock:
            _cache[cache_key] = material
        return material

    def generate_data_key(self, key, length: int, context: bytes) -> tuple[bytes, bytes]:
        plaintext = secrets.token_bytes(length)
        return plaintext, self.wrap(key, plaintext, context)

    def wrap(self, key, plaintext: bytes, context: bytes) -> bytes:
        return _seal(self._material(key), plaintext, str(key.pk).encode() + b"|" + context)

    def unwrap(self, key, wrapped: bytes, context: bytes) -> bytes:
        return _open(self._material(key), wrapped, str(key.pk).encode() + b"|" + context)

    def set_enabled(self, key, enabled: bool) -> None:
        """The state is enforced by the service before every use; the sealed material stays as it is."""
