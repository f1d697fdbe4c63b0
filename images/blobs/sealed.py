"""Sealed chunks: how an encrypted image's chunks are addressed and stored.

A chunk of an encrypted image is addressed by HMAC-SHA256 of its plaintext under a key derived from the image's
data key: equal chunks of images sharing a data key (a copy that kept the key) are stored once, while nothing
links them to the plaintext chunk space or to images under other data keys, and equal plaintexts cannot be
spotted from outside. The object is zstd, then AES-256-GCM under a second derived key, with a fresh 96-bit
nonce per object and the chunk's address as associated data: an object moved to another address, altered or
read with another key does not open. Objects live under `sealed/`, apart from the plaintext ones.

Object layout: nonce (12 bytes) ‖ ciphertext ‖ GCM tag (16 bytes).
"""

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from images.blobs.objects import PLAIN, ChunkCorrupted, PlainCodec

NONCE_BYTES = 12
DATA_KEY_BYTES = 32


def _derived(data_key: bytes, purpose: bytes) -> bytes:
    return hmac.new(data_key, b"ims chunk " + purpose, hashlib.sha256).digest()


class SealedCodec(PlainCodec):
    """The store calls it as it calls PlainCodec; `sealed` tells the builder which space the chunks belong to."""

    sealed = True

    def __init__(self, data_key: bytes):
        if len(data_key) != DATA_KEY_BYTES:
            raise ValueError("a data key of an encrypted image is 32 bytes (AES-256)")
        super().__init__()
        self._address_key = _derived(data_key, b"address")
        self._encryption_key = _derived(data_key, b"encryption")
        self._aead = AESGCM(self._encryption_key)

    def address(self, data) -> str:
        return hmac.new(self._address_key, data, hashlib.sha256).hexdigest()

    def encode(self, data, *, digest: str) -> bytes:
        """The sealed object whole (for object stores, which take it in one PUT)."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, self._compressor().compress(data), digest.encode())

    def encode_to(self, data, handle, *, digest: str) -> None:
        """The same object as `encode`, written to a file in small pieces as they are compressed and sealed, as
        the plaintext codec writes its chunks: no chunk-sized buffer is touched on the way."""
        nonce = os.urandom(NONCE_BYTES)
        encryptor = Cipher(algorithms.AES(self._encryption_key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(digest.encode())
        handle.write(nonce)
        with self._compressor().stream_writer(_Sealing(encryptor, handle), size=len(data), closefd=False) as writer:
            writer.write(data)
        handle.write(encryptor.finalize())
        handle.write(encryptor.tag)

    def decode(self, blob: bytes, *, digest: str, size: int, verify: bool = True) -> bytes:
        view = memoryview(blob)  # slices of a view: the chunk-sized ciphertext is not copied before decrypting
        try:
            compressed = self._aead.decrypt(view[:NONCE_BYTES], view[NONCE_BYTES:], digest.encode())
        except (InvalidTag, ValueError) as error:
            raise ChunkCorrupted(f"sealed chunk {digest} does not open with this data key") from error
        # The GCM tag already proves the object was sealed for this address by a holder of the data key: the
        # keyed hash is not computed again (it would cost as much as the decryption).
        return self.decompressed(compressed, digest=digest, size=size)


class _Sealing:
    """The file side of zstd's stream writer: each compressed piece is encrypted on its way to the file."""

    def __init__(self, encryptor, handle):
        self.encryptor, self.handle = encryptor, handle

    def write(self, piece) -> int:
        self.handle.write(self.encryptor.update(piece))
        return len(piece)


def codec_for(data_key: bytes | None) -> PlainCodec:
    """The codec of a disk: plaintext chunks, or sealed ones under `data_key`."""
    return PLAIN if data_key is None else SealedCodec(data_key)
