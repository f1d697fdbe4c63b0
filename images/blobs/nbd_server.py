"""A stored disk served read-only over NBD, so that `qemu-img convert` reads it straight from the chunk store.

Why: an export used to rebuild the whole raw disk in its staging folder before converting it, which wrote
(and read back) the full virtual size once more. Served over a unix socket, the disk is decoded chunk by chunk
as qemu-img asks for it, a few chunks ahead; chunks not stored are answered with zeros, never read.

The server is strict although its only client is our own qemu-img: fixed newstyle handshake only, the default
export only, a few options of bounded length, reads within the disk of at most `MAX_REQUEST` bytes, a bounded
number of requests in flight, one connection, and a socket in a private folder (mode 0700) that is removed on
exit. Anything else closes the connection. An encrypted disk's chunks are opened with its data key as they are
read: no plaintext reaches storage.
"""

import errno
import shutil
import socket
import struct
import tempfile
import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from images.blobs.models import Manifest
from images.blobs.sealed import codec_for

NBD_MAGIC = b"NBDMAGIC"
OPTION_MAGIC = 0x49484156454F5054  # "IHAVEOPT"
REPLY_MAGIC = 0x3E889045565A9
REQUEST_MAGIC = 0x25609513
SIMPLE_REPLY_MAGIC = 0x67446698
FLAG_FIXED_NEWSTYLE, FLAG_NO_ZEROES = 1, 2
OPT_EXPORT_NAME, OPT_ABORT, OPT_INFO, OPT_GO = 1, 2, 6, 7
OPT_STRUCTURED_REPLY, OPT_LIST_META_CONTEXT, OPT_SET_META_CONTEXT = 8, 9, 10
REP_ACK, REP_INFO, REP_META_CONTEXT = 1, 3, 4
STRUCTURED_REPLY_MAGIC = 0x668E33EF
FLAG_DONE = 1
CHUNK_OFFSET_DATA, CHUNK_OFFSET_HOLE, CHUNK_BLOCK_STATUS = 1, 2, 5
ALLOCATION = b"base:allocation"
ALLOCATION_ID = 1
STATE_HOLE_ZERO = 3  # NBD_STATE_HOLE | NBD_STATE_ZERO
MAX_EXTENTS = 512
REP_ERR_UNSUP, REP_ERR_INVALID, REP_ERR_UNKNOWN = 2**31 + 1, 2**31 + 3, 2**31 + 6
INFO_EXPORT, INFO_BLOCK_SIZE = 0, 3
TRANSMISSION_FLAGS = 1 | 2 | 4  # HAS_FLAGS, READ_ONLY, SEND_FLUSH
CMD_READ, CMD_WRITE, CMD_DISC, CMD_FLUSH, CMD_BLOCK_STATUS = 0, 1, 2, 3, 7

MAX_OPTION_LENGTH = 4096
MAX_OPTIONS = 32
MAX_REQUEST = 32 * 1024 * 1024  # what NBD clients send at most (advertised as the maximum payload)
IN_FLIGHT = 8  # requests being answered at once (qemu-img sends 8); bounds the replies held in memory
FETCH_WORKERS = 4  # fetch and decode (zstd, AES-GCM and the SHA-256 check release the GIL)
CACHED_CHUNKS = 12  # decoded chunks kept: qemu-img asks for 2 MiB at a time, out of order, several at once
READ_AHEAD = 4
IDLE_TIMEOUT = 300.0  # a client silent this long is gone


class ProtocolError(Exception):
    """The client broke the protocol; the connection is closed."""


class _Chunks:
    """Decoded chunks by index, fetched at most once while cached, a few ahead of the reads."""

    def __init__(self, manifest: Manifest, key: bytes | None, executor: ThreadPoolExecutor):
        from images.blobs.objects import chunk_storage
        from images.blobs.store import _entry_pages

        self.chunk_size, self.size = manifest.chunk_size, manifest.virtual_size
        self.codec, self.storage = codec_for(key), chunk_storage(manifest.region_id)
        self.entries = {row[0]: row[1:] for page in _entry_pages(manifest) for row in page}
        self.zero = memoryview(bytes(self.chunk_size))
        self.executor = executor
        self.cache: OrderedDict[int, Future] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, index: int) -> memoryview:
        """The chunk's bytes (zeros for a chunk not stored); raises what fetching it raised."""
        if index not in self.entries:
            return self.zero[: max(0, min(self.chunk_size, self.size - index * self.chunk_size))]
        with self.lock:
            future = self._future(index)
            for ahead in range(index + 1, index + 1 + READ_AHEAD):
                if ahead in self.entries:
                    self._future(ahead)
        return memoryview(future.result())

    def _future(self, index: int) -> Future:
        from images.blobs.store import _fetch

        future = self.cache.get(index)
        if future is None:
            future = self.executor.submit(_fetch, self.storage, self.codec, *self.entries[index])
            self.cache[index] = future
            while len(self.cache) > CACHED_CHUNKS:
                self.cache.popitem(last=False)
        else:
            self.cache.move_to_end(index)
        return future


class ManifestNbdServer:
    """Serves `manifest` on a unix socket until the context ends; `url` is what qemu-img opens. A chunk that could
    not be read is answered with EIO and kept in `error`, for the caller to raise instead of qemu-img's message."""

    def __init__(self, manifest: Manifest, *, key: bytes | None = None):
        # Whole sectors, the tail padded with zeros: qemu shows any raw disk so, and its NBD client, given simple
        # replies, waits for a whole sector at the end of an unaligned export and never gets it.
        self.size = -(-manifest.virtual_size // 512) * 512
        self.error: BaseException | None = None
        self._executor = ThreadPoolExecutor(FETCH_WORKERS, "nbd-export-fetch")
        # Answers wait on fetches: they get their own threads, or a full pool of them would wait forever.
        self._answers = ThreadPoolExecutor(IN_FLIGHT, "nbd-export-answer")
        self._chunks = _Chunks(manifest, key, self._executor)
        self._folder = Path(tempfile.mkdtemp(prefix="ims-nbd-"))  # 0700: only this user reaches the socket
        self.socket_path = self._folder / "disk.sock"
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._listener.bind(str(self.socket_path))  # fails when TMPDIR makes the path longer than 107 bytes
            self._listener.listen(1)
        except OSError:
            self._listener.close()
            shutil.rmtree(self._folder, ignore_errors=True)
            self._executor.shutdown()
            self._answers.shutdown()
            raise
        self._connection: socket.socket | None = None
        # Structured replies let a read answer chunks not stored as holes, and block status (base:allocation)
        # tells qemu-img where they are, so it neither reads nor writes them.
        self._structured = False
        self._allocation = False
        self._send_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(IN_FLIGHT)
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="nbd-export", daemon=True)

    @property
    def url(self) -> str:
        return f"nbd+unix:///?socket={self.socket_path}"

    def __enter__(self) -> "ManifestNbdServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._closing.set()
        for sock in (self._listener, self._connection):
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        self._answers.shutdown(wait=True, cancel_futures=True)
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._listener.close()
        shutil.rmtree(self._folder, ignore_errors=True)

    # The connection

    def _serve(self) -> None:
        try:
            connection, _address = self._listener.accept()
        except OSError:
            return
        self._listener.close()  # one client only
        self._connection = connection
        connection.settimeout(IDLE_TIMEOUT)
        try:
            if self._handshake(connection):
                self._transmission(connection)
        except (ProtocolError, OSError):
            pass
        finally:
            # Replies still being written finish (or fail on the closed socket) before the socket goes.
            for _slot in range(IN_FLIGHT):
                self._slots.acquire()
            connection.close()

    def _receive(self, connection: socket.socket, count: int) -> bytes:
        data = bytearray(count)
        view, done = memoryview(data), 0
        while done < count:
            got = connection.recv_into(view[done:])
            if not got:
                raise ProtocolError("the client closed the connection")
            done += got
        return bytes(data)

    def _handshake(self, connection: socket.socket) -> bool:
        connection.sendall(NBD_MAGIC + struct.pack(">QH", OPTION_MAGIC, FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES))
        (client_flags,) = struct.unpack(">I", self._receive(connection, 4))
        if not client_flags & FLAG_FIXED_NEWSTYLE or client_flags & ~(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES):
            raise ProtocolError("unsupported client flags")
        for _option in range(MAX_OPTIONS):
            magic, option, length = struct.unpack(">QII", self._receive(connection, 16))
            if magic != OPTION_MAGIC or length > MAX_OPTION_LENGTH:
                raise ProtocolError("bad option")
            data = self._receive(connection, length) if length else b""
            if option == OPT_EXPORT_NAME:
                if data:
                    raise ProtocolError("unknown export")
                tail = b"" if client_flags & FLAG_NO_ZEROES else bytes(124)
                connection.sendall(struct.pack(">QH", self.size, TRANSMISSION_FLAGS) + tail)
                return True
            if option == OPT_ABORT:
                self._option_reply(connection, option, REP_ACK)
                return False
            if option in (OPT_INFO, OPT_GO):
                if self._info(connection, option, data) and option == OPT_GO:
                    return True
                continue
            if option == OPT_STRUCTURED_REPLY and not data:
                self._structured = True
                self._option_reply(connection, option, REP_ACK)
                continue
            if option in (OPT_LIST_META_CONTEXT, OPT_SET_META_CONTEXT):
                self._meta_context(connection, option, data)
                continue
            self._option_reply(connection, option, REP_ERR_UNSUP)
        raise ProtocolError("too many options")

    def _info(self, connection: socket.socket, option: int, data: bytes) -> bool:
        """Answers NBD_OPT_INFO / NBD_OPT_GO; False when the request was refused."""
        if len(data) < 6:
            self._option_reply(connection, option, REP_ERR_INVALID)
            return False
        (name_length,) = struct.unpack(">I", data[:4])
        if 4 + name_length + 2 > len(data):
            self._option_reply(connection, option, REP_ERR_INVALID)
            return False
        (count,) = struct.unpack(">H", data[4 + name_length : 6 + name_length])
        asked = data[6 + name_length :]
        if len(asked) != 2 * count:
            self._option_reply(connection, option, REP_ERR_INVALID)
            return False
        if name_length:
            self._option_reply(connection, option, REP_ERR_UNKNOWN)
            return False
        infos = set(struct.unpack(f">{count}H", asked))
        self._option_reply(
            connection, option, REP_INFO, struct.pack(">HQH", INFO_EXPORT, self.size, TRANSMISSION_FLAGS)
        )
        if INFO_BLOCK_SIZE in infos:
            self._option_reply(
                connection, option, REP_INFO, struct.pack(">HIII", INFO_BLOCK_SIZE, 1, 4096, MAX_REQUEST)
            )
        self._option_reply(connection, option, REP_ACK)
        return True

    def _meta_context(self, connection: socket.socket, option: int, data: bytes) -> None:
        """Offers the one context there is, base:allocation (which chunks are stored), with structured replies."""
        queries, position = [], 4
        try:
            (name_length,) = struct.unpack(">I", data[:4])
            name, position = data[4 : 4 + name_length], 4 + name_length
            (count,) = struct.unpack(">I", data[position : position + 4])
            position += 4
            for _query in range(count):
                (length,) = struct.unpack(">I", data[position : position + 4])
                queries.append(data[position + 4 : position + 4 + length])
                position += 4 + length
        except struct.error:
            position = -1
        if not self._structured or position != len(data) or len(name) != name_length:
            self._option_reply(connection, option, REP_ERR_INVALID)
            return
        if name:
            self._option_reply(connection, option, REP_ERR_UNKNOWN)
            return
        listing = option == OPT_LIST_META_CONTEXT
        wanted = ALLOCATION in queries or (listing and (not queries or b"base:" in queries))
        if wanted:
            context = struct.pack(">I", 0 if listing else ALLOCATION_ID) + ALLOCATION
            self._option_reply(connection, option, REP_META_CONTEXT, context)
        if not listing:
            self._allocation = wanted
        self._option_reply(connection, option, REP_ACK)

    @staticmethod
    def _option_reply(connection: socket.socket, option: int, reply: int, data: bytes = b"") -> None:
        connection.sendall(struct.pack(">QIII", REPLY_MAGIC, option, reply, len(data)) + data)

    def _transmission(self, connection: socket.socket) -> None:
        while not self._closing.is_set():
            magic, _flags, command, handle, offset, length = struct.unpack(">IHHQQI", self._receive(connection, 28))
            if magic != REQUEST_MAGIC:
                raise ProtocolError("bad request")
            if command == CMD_DISC:
                return
            if command == CMD_WRITE:
                raise ProtocolError("a write to a read-only export")  # its payload would follow: stop here
            if command == CMD_FLUSH:
                self._reply(connection, handle, 0)
            elif command == CMD_BLOCK_STATUS and self._allocation and length and offset + length <= self.size:
                self._block_status(connection, handle, offset, length)
            elif command != CMD_READ or not 0 < length <= MAX_REQUEST or offset + length > self.size:
                self._reply(connection, handle, errno.EINVAL)
            else:
                self._slots.acquire()
                self._answers.submit(self._answer_read, connection, handle, offset, length)

    def _answer_read(self, connection: socket.socket, handle: int, offset: int, length: int) -> None:
        try:
            try:
                pieces = list(self._pieces(offset, length))
            except Exception as error:  # a chunk that cannot be read: the client gets EIO, the job the reason
                self.error = self.error or error
                self._reply(connection, handle, errno.EIO)
                return
            if self._structured:
                self._structured_read(connection, handle, pieces)
            else:
                self._reply(connection, handle, 0, [piece for _offset, piece, _hole in pieces])
        except OSError:
            pass  # the connection is gone; the serving thread ends
        finally:
            self._slots.release()

    def _block_status(self, connection: socket.socket, handle: int, offset: int, length: int) -> None:
        """Extents from `offset`: stored chunks are data, the others holes that read as zeros."""
        size, end, extents = self._chunks.chunk_size, offset + length, []
        while offset < end and len(extents) < MAX_EXTENTS:
            index = offset // size
            state = 0 if index in self._chunks.entries else STATE_HOLE_ZERO
            stop = min(end, (index + 1) * size)
            if extents and extents[-1][1] == state:
                extents[-1][0] += stop - offset
            else:
                extents.append([stop - offset, state])
            offset = stop
        payload = struct.pack(">I", ALLOCATION_ID) + b"".join(struct.pack(">II", *extent) for extent in extents)
        with self._send_lock:
            connection.sendall(self._chunk_header(FLAG_DONE, CHUNK_BLOCK_STATUS, handle, len(payload)) + payload)

    @staticmethod
    def _chunk_header(flags: int, kind: int, handle: int, length: int) -> bytes:
        return struct.pack(">IHHQI", STRUCTURED_REPLY_MAGIC, flags, kind, handle, length)

    def _pieces(self, offset: int, length: int):
        """(offset, bytes, is_hole) of the request's pieces, at most one chunk each."""
        size, end = self._chunks.chunk_size, offset + length
        while offset < end:
            index, low = divmod(offset, size)
            high = min(size, end - index * size)
            hole = index not in self._chunks.entries
            piece = self._chunks.get(index)[low:high]
            yield offset, piece, hole
            if len(piece) < high - low:  # the padding after the last byte of the disk
                yield offset + len(piece), self._chunks.zero[: high - low - len(piece)], True
            offset = index * size + high

    def _structured_read(self, connection: socket.socket, handle: int, pieces: list) -> None:
        with self._send_lock:
            for number, (offset, piece, hole) in enumerate(pieces):
                flags = FLAG_DONE if number == len(pieces) - 1 else 0
                if hole:
                    hole_chunk = struct.pack(">QI", offset, len(piece))
                    connection.sendall(self._chunk_header(flags, CHUNK_OFFSET_HOLE, handle, 12) + hole_chunk)
                else:
                    header = self._chunk_header(flags, CHUNK_OFFSET_DATA, handle, 8 + len(piece))
                    connection.sendall(header + struct.pack(">Q", offset))
                    connection.sendall(piece)

    def _reply(self, connection: socket.socket, handle: int, error: int, pieces=()) -> None:
        with self._send_lock:
            connection.sendall(struct.pack(">IIQ", SIMPLE_REPLY_MAGIC, error, handle))
            for piece in pieces:
                connection.sendall(piece)


__all__ = ["ManifestNbdServer"]
