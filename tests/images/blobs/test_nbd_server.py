"""A stored disk served read-only over NBD (what qemu-img reads an export from): the bytes, and the strictness."""

import errno
import hashlib
import os
import socket
import struct
import subprocess

import pytest

from images.blobs.models import ManifestEntry
from images.blobs.nbd_server import MAX_REQUEST, ManifestNbdServer
from images.blobs.objects import ChunkCorrupted, chunk_storage
from images.blobs.store import write_raw_disk
from images.formats.conversion import convert_from_nbd
from tests.images.blobs.conftest import CHUNK, DISK_SIZE, MIB

PADDED = -(-DISK_SIZE // 512) * 512
OPTION_MAGIC = 0x49484156454F5054
REQUEST_MAGIC = 0x25609513


class Client:
    """Just enough of an NBD client to say what a well-behaved or a broken one would."""

    def __init__(self, server: ManifestNbdServer):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(str(server.socket_path))
        magic, option_magic, flags = struct.unpack(">8sQH", self.receive(18))
        assert (magic, option_magic, flags & 1) == (b"NBDMAGIC", OPTION_MAGIC, 1)
        self.sock.sendall(struct.pack(">I", 3))

    def receive(self, count: int) -> bytes:
        data = b""
        while len(data) < count:
            piece = self.sock.recv(count - len(data))
            if not piece:
                raise ConnectionError("closed")
            data += piece
        return data

    def option(self, option: int, data: bytes) -> list[tuple[int, bytes]]:
        self.sock.sendall(struct.pack(">QII", OPTION_MAGIC, option, len(data)) + data)
        replies = []
        while True:
            _magic, _option, reply, length = struct.unpack(">QIII", self.receive(20))
            replies.append((reply, self.receive(length)))
            if reply == 1 or reply & 0x80000000:
                return replies

    def go(self, name: bytes = b"") -> list[tuple[int, bytes]]:
        return self.option(7, struct.pack(">I", len(name)) + name + struct.pack(">H", 0))

    def request(self, command: int, offset: int, length: int, handle: int = 1) -> None:
        self.sock.sendall(struct.pack(">IHHQQI", REQUEST_MAGIC, 0, command, handle, offset, length))

    def read(self, offset: int, length: int) -> tuple[int, bytes]:
        self.request(0, offset, length)
        _magic, error, handle = struct.unpack(">IIQ", self.receive(16))
        assert handle == 1
        return error, (self.receive(length) if not error else b"")

    def closed(self) -> bool:
        try:
            return self.sock.recv(1) == b""
        except ConnectionError:
            return True


@pytest.fixture
def manifest(local_chunks, north, disk):
    return write_raw_disk(north, disk).manifest


def test_qemu_img_converts_the_served_disk_to_the_same_disk(manifest, disk, tmp_path):
    with ManifestNbdServer(manifest) as server:
        convert_from_nbd(server.socket_path, manifest.virtual_size, tmp_path / "out.qcow2", "qcow2")
    back = tmp_path / "back.raw"
    subprocess.run(["qemu-img", "convert", "-f", "qcow2", "-O", "raw", tmp_path / "out.qcow2", back], check=True)
    restored = back.read_bytes()
    assert restored[:DISK_SIZE] == disk.read_bytes() and not restored[DISK_SIZE:].strip(b"\0")
    assert not os.path.exists(server.socket_path.parent)


def test_reads_across_chunks_holes_and_the_end_return_the_disk_bytes(manifest, disk):
    source = disk.read_bytes()
    with ManifestNbdServer(manifest) as server:
        client = Client(server)
        replies = client.go()
        assert replies[-1][0] == 1 and struct.unpack(">HQH", replies[0][1])[1] == PADDED
        for offset, length in ((0, CHUNK), (CHUNK - 10, 3 * CHUNK), (3 * CHUNK, MIB), (DISK_SIZE - 500, 500)):
            assert client.read(offset, length) == (0, source[offset : offset + length])
        # The disk is served in whole sectors, as qemu shows a raw disk: zeros after its last byte.
        assert client.read(DISK_SIZE - 500, PADDED - DISK_SIZE + 500) == (0, source[-500:] + bytes(PADDED - DISK_SIZE))


@pytest.mark.parametrize(
    "offset, length", [(PADDED - 10, 11), (2**64 - 512, 512), (0, MAX_REQUEST + 1)], ids=["end", "wrap", "big"]
)
def test_a_read_outside_the_disk_or_too_large_is_refused_and_the_connection_goes_on(manifest, offset, length):
    with ManifestNbdServer(manifest) as server:
        client = Client(server)
        client.go()
        assert client.read(offset, length) == (errno.EINVAL, b"")
        assert client.read(0, 16)[0] == 0


def test_a_write_closes_the_connection(manifest):
    with ManifestNbdServer(manifest) as server:
        client = Client(server)
        client.go()
        write = struct.pack(">IHHQQI", REQUEST_MAGIC, 0, 1, 1, 0, 512) + b"x" * 512
        try:
            client.sock.sendall(write)
        except BrokenPipeError:
            pass  # closed before the payload was all sent
        assert client.closed()


def test_only_the_default_export_is_served_and_options_are_bounded(manifest):
    with ManifestNbdServer(manifest) as server:
        client = Client(server)
        assert client.go(b"other")[-1][0] == 2**31 + 6
        assert client.option(10, context_query(b"base:allocation"))[-1][0] == 2**31 + 3  # needs structured replies
        assert client.option(5, b"")[-1][0] == 2**31 + 1
        client.sock.sendall(struct.pack(">QII", OPTION_MAGIC, 7, 1 << 20))
        assert client.closed()


def test_a_damaged_chunk_answers_eio_and_keeps_the_reason(manifest):
    chunk = ManifestEntry.objects.get(manifest=manifest, index=6).chunk
    with open(chunk_storage("cn-north-4").path(chunk.object_name), "r+b") as stored:
        stored.seek(100)
        stored.write(b"damage")
    with ManifestNbdServer(manifest) as server:
        client = Client(server)
        client.go()
        assert client.read(6 * CHUNK, 512) == (errno.EIO, b"")
    assert isinstance(server.error, ChunkCorrupted)


def test_a_sealed_disk_is_served_in_the_clear_only_over_the_socket(local_chunks, north, disk):
    key = os.urandom(32)
    manifest = write_raw_disk(north, disk, key=key).manifest
    with ManifestNbdServer(manifest, key=key) as server:
        client = Client(server)
        client.go()
        error, data = client.read(0, 2 * CHUNK)
    assert error == 0 and hashlib.sha256(data).digest() == hashlib.sha256(disk.read_bytes()[: 2 * CHUNK]).digest()


def context_query(*queries: bytes) -> bytes:
    return struct.pack(">II", 0, len(queries)) + b"".join(struct.pack(">I", len(q)) + q for q in queries)


def structured_reply(client: Client) -> list[tuple[int, int, bytes]]:
    """(type, flags, payload) of each chunk of one structured reply."""
    chunks = []
    while not chunks or not chunks[-1][1] & 1:
        magic, flags, kind, _handle, length = struct.unpack(">IHHQI", client.receive(20))
        assert magic == 0x668E33EF
        chunks.append((kind, flags, client.receive(length)))
    return chunks


def test_with_structured_replies_holes_are_reported_not_sent(manifest, disk):
    source = disk.read_bytes()
    with ManifestNbdServer(manifest) as server:
        client = Client(server)
        assert client.option(8, b"")[-1][0] == 1
        replies = client.option(10, context_query(b"base:allocation"))
        assert [reply for reply, _ in replies] == [4, 1] and replies[0][1] == struct.pack(">I", 1) + b"base:allocation"
        client.go()
        client.request(7, 0, DISK_SIZE)  # block status: chunks 2 (zeros) and 3-4 (a hole) are not stored
        ((kind, _flags, payload),) = structured_reply(client)
        extents = list(struct.iter_unpack(">II", payload[4:]))
        assert kind == 5 and extents == [(2 * CHUNK, 0), (3 * CHUNK, 3), (DISK_SIZE - 5 * CHUNK, 0)]
        client.request(0, CHUNK + 5, 2 * CHUNK)
        chunks = structured_reply(client)
    offsets = [(kind, struct.unpack(">Q", payload[:8])[0]) for kind, _flags, payload in chunks]
    assert offsets == [(1, CHUNK + 5), (2, 2 * CHUNK), (2, 3 * CHUNK)]
    data = b"".join(
        payload[8:] if kind == 1 else bytes(struct.unpack(">QI", payload)[1]) for kind, _flags, payload in chunks
    )
    assert data == source[CHUNK + 5 : 3 * CHUNK + 5]
