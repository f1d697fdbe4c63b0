"""Reading a disk image's virtual content as a stream: `qemu-nbd` decodes the format, we read it over NBD.

Why: converting to a temporary raw file first writes the whole disk once more to local storage (a 128 GB
image needs 128 GB of staging space) and leaves the hashing to start only after the conversion ends. Served
read-only by qemu-nbd, the decoded disk is read once, in order, while it is hashed and chunked.

The same rules as for qemu-img apply (image-safety §4): the format is given explicitly, the export is
read-only, the child gets only `LC_ALL` and `PATH`, address-space and core limits, and a server-made socket
path in the job's private staging folder. Only an image that passed every inspection check gets here.

A minimal NBD client: fixed-newstyle handshake, NBD_OPT_GO for the default export, and NBD_CMD_READ requests
pipelined a few deep (qemu-nbd may answer them out of order). Structured replies are asked for: qemu-nbd then
answers an unallocated or zero area as a hole instead of sending its zeros, and a chunk that is all hole is
never copied nor scanned (the whole-disk hashes take it from a constant zero buffer).
"""

import os
import socket
import struct
import subprocess
import time
from pathlib import Path

from django.utils.translation import gettext as _

from images.formats.errors import QEMU_FAILED, TIMED_OUT, FormatError
from images.formats.qemu import CONVERT_MEMORY, child_limits, qemu_environment, safe_path

NBD_MAGIC = b"NBDMAGIC"
OPTION_MAGIC = 0x49484156454F5054  # "IHAVEOPT"
REPLY_MAGIC = 0x3E889045565A9
REQUEST_MAGIC = 0x25609513
SIMPLE_REPLY_MAGIC = 0x67446698
STRUCTURED_REPLY_MAGIC = 0x668E33EF
OPT_STRUCTURED_REPLY = 8
CHUNK_NONE, CHUNK_OFFSET_DATA, CHUNK_OFFSET_HOLE = 0, 1, 2
CHUNK_ERROR_BIT, CHUNK_DONE = 0x8000, 1
MAX_ERROR_PAYLOAD = 4096
FLAG_FIXED_NEWSTYLE, FLAG_NO_ZEROES = 1, 2
OPT_GO, REP_ACK, REP_INFO, INFO_EXPORT = 7, 1, 3, 0
CMD_READ, CMD_DISC = 0, 2
START_TIMEOUT = 30.0
# A reply slower than this means qemu-nbd is stuck (a crafted image); the job fails instead of hanging.
REPLY_TIMEOUT = 300.0
DECODE_CPU_SECONDS = 6 * 3600


class NbdError(FormatError):
    pass


class _Read:
    """One read request in flight: where its reply goes, and what of it has arrived."""

    __slots__ = ("buffer", "data", "holes", "length", "offset", "position")

    def __init__(self, position: int, offset: int, length: int, buffer):
        self.position, self.offset, self.length, self.buffer = position, offset, length, buffer
        self.data, self.holes = 0, []

    def within(self, offset: int, count: int) -> int:
        """The start in the buffer of a reply chunk, which must lie inside the request."""
        start = offset - self.offset
        if start < 0 or start + count > self.length:
            raise _failure("a reply outside the request")
        return start

    def view(self, start: int, count: int) -> memoryview:
        return memoryview(self.buffer)[start : start + count]

    def all_hole(self) -> bool:
        return self.data == 0 and self.length > 0


def _failure(detail: str) -> NbdError:
    return NbdError(QEMU_FAILED, _("qemu-nbd could not serve the image: %(detail)s") % {"detail": detail})


class NbdDisk:
    """The virtual disk of `path` (in format `driver`), readable at any offset; use as a context manager."""

    def __init__(self, path: Path, driver: str, socket_dir: Path):
        self.socket_path = Path(socket_dir) / "nbd.sock"
        self.process = subprocess.Popen(
            [
                "qemu-nbd",
                "--read-only",
                "--shared=1",
                f"--format={driver}",
                "--cache=none",
                "--aio=threads",
                f"--socket={safe_path(self.socket_path)}",
                safe_path(path),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=qemu_environment(),
            preexec_fn=child_limits(CONVERT_MEMORY, DECODE_CPU_SECONDS),
        )
        self.sock: socket.socket | None = None
        self.size = 0
        self._handle = 0
        self.structured = False

    def __enter__(self) -> "NbdDisk":
        try:
            self.sock = self._connect()
            self.size = self._handshake()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _connect(self) -> socket.socket:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise _failure(self.process.stderr.read().decode(errors="replace").strip()[-300:])
            if self.socket_path.exists():
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    sock.connect(str(self.socket_path))
                    sock.settimeout(REPLY_TIMEOUT)
                    return sock
                except OSError:
                    sock.close()
            if time.monotonic() > deadline:
                raise NbdError(
                    TIMED_OUT, _("qemu-nbd did not start within %(seconds)d seconds.") % {"seconds": START_TIMEOUT}
                )
            time.sleep(0.02)

    def _receive(self, count: int, into: memoryview | None = None) -> bytes | None:
        view = into if into is not None else memoryview(bytearray(count))
        done = 0
        while done < count:
            try:
                got = self.sock.recv_into(view[done:count])
            except TimeoutError:
                raise NbdError(
                    TIMED_OUT, _("qemu-nbd did not answer within %(seconds)d seconds.") % {"seconds": REPLY_TIMEOUT}
                ) from None
            if not got:
                raise _failure("the connection closed early")
            done += got
        return None if into is not None else bytes(view)

    def _handshake(self) -> int:
        magic, option_magic, flags = struct.unpack(">8sQH", self._receive(18))
        if magic != NBD_MAGIC or option_magic != OPTION_MAGIC or not flags & FLAG_FIXED_NEWSTYLE:
            raise _failure("unexpected handshake")
        self.sock.sendall(struct.pack(">I", FLAG_FIXED_NEWSTYLE | (flags & FLAG_NO_ZEROES)))
        self.sock.sendall(struct.pack(">QII", OPTION_MAGIC, OPT_STRUCTURED_REPLY, 0))
        magic, option, reply, length = struct.unpack(">QIII", self._receive(20))
        if magic != REPLY_MAGIC or option != OPT_STRUCTURED_REPLY or length > MAX_ERROR_PAYLOAD:
            raise _failure("unexpected option reply")
        if length:
            self._receive(length)
        self.structured = reply == REP_ACK
        # NBD_OPT_GO for the default (empty) export name, asking for no extra information.
        self.sock.sendall(struct.pack(">QII", OPTION_MAGIC, OPT_GO, 6) + struct.pack(">IH", 0, 0))
        size = None
        while True:
            magic, option, reply, length = struct.unpack(">QIII", self._receive(20))
            data = self._receive(length) if length else b""
            if magic != REPLY_MAGIC or option != OPT_GO or reply & 0x80000000:
                raise _failure("the export was refused")
            if reply == REP_INFO and struct.unpack(">H", data[:2])[0] == INFO_EXPORT:
                size = struct.unpack(">QH", data[2:12])[0]
            if reply == REP_ACK:
                break
        if size is None:
            raise _failure("no export size")
        return size

    def read_pieces(self, offsets_and_lengths, into_buffers, depth: int = 4):
        """Reads each (offset, length) into the matching buffer, `depth` requests in flight; yields, in order,
        (buffer, all_hole): a piece that was all hole is not written (its buffer holds stale bytes)."""
        pending, ready, requests = {}, {}, iter(zip(offsets_and_lengths, into_buffers, strict=False))
        next_to_yield, sent = 0, 0

        def send_one() -> bool:
            nonlocal sent
            item = next(requests, None)
            if item is None:
                return False
            (offset, length), buffer = item
            self._handle += 1
            pending[self._handle] = _Read(sent, offset, length, buffer)
            self.sock.sendall(struct.pack(">IHHQQI", REQUEST_MAGIC, 0, CMD_READ, self._handle, offset, length))
            sent += 1
            return True

        for _request in range(depth):
            if not send_one():
                break
        # A new request goes out only when a piece is handed on: requests in flight plus pieces waiting for an
        # earlier one stay at `depth`, so the buffers never run out while the read they wait for is pending.
        while pending or ready:
            if next_to_yield in ready:
                yield ready.pop(next_to_yield)
                next_to_yield += 1
                send_one()
                continue
            read = self._reply(pending)
            if read is not None:
                ready[read.position] = (read.buffer, read.all_hole())

    def _reply(self, pending: dict) -> "_Read | None":
        """Takes one reply (or one chunk of a structured reply); the read once it is complete."""
        (magic,) = struct.unpack(">I", self._receive(4))
        if magic == SIMPLE_REPLY_MAGIC:
            error, handle = struct.unpack(">IQ", self._receive(12))
            read = pending.pop(handle, None)
            if read is None:
                raise _failure("unexpected reply")
            if error:
                raise _failure(f"read error {error}")
            self._receive(read.length, read.view(0, read.length))
            read.data += read.length
            return read
        if magic != STRUCTURED_REPLY_MAGIC or not self.structured:
            raise _failure("unexpected reply")
        flags, kind, handle, length = struct.unpack(">HHQI", self._receive(16))
        read = pending.get(handle)
        if read is None:
            raise _failure("unexpected reply")
        if kind & CHUNK_ERROR_BIT:
            if length < 6 or length > MAX_ERROR_PAYLOAD:
                raise _failure("unexpected reply")
            error = struct.unpack(">I", self._receive(length)[:4])[0]
            raise _failure(f"read error {error}")
        if kind == CHUNK_OFFSET_DATA:
            if length < 8:
                raise _failure("unexpected reply")
            (offset,) = struct.unpack(">Q", self._receive(8))
            start = read.within(offset, length - 8)
            self._receive(length - 8, read.view(start, length - 8))
            read.data += length - 8
        elif kind == CHUNK_OFFSET_HOLE:
            if length != 12:
                raise _failure("unexpected reply")
            offset, count = struct.unpack(">QI", self._receive(12))
            read.holes.append((read.within(offset, count), count))
        elif kind != CHUNK_NONE or length:
            raise _failure("unexpected reply")
        if not flags & CHUNK_DONE:
            return None
        del pending[handle]
        if read.data + sum(count for _start, count in read.holes) != read.length:
            raise _failure("an incomplete read")
        if read.data:
            for start, count in read.holes:  # a piece with data and holes: the holes are zeros
                read.view(start, count)[:] = bytes(count)
        return read

    def read_into(self, view: memoryview, offset: int) -> None:
        for _buffer, all_hole in self.read_pieces([(offset, len(view))], [view], depth=1):
            if all_hole:
                view[:] = bytes(len(view))

    def read_chunks(self, pool, stop, *, chunk_size: int = 4 * 1024 * 1024, depth: int = 6):
        """(index, length, buffer) for every chunk in order, `depth` reads in flight; buffers come from `pool`.
        A chunk that arrived as holes only is given back at once and yielded as None (zeros, nothing read);
        zeros that arrive as data are recognised by the chunk store and skipped."""
        spans = [
            (index * chunk_size, min(chunk_size, self.size - index * chunk_size))
            for index in range(-(-self.size // chunk_size))
        ]

        def buffers():
            for _span in spans:
                buffer = pool.take(stop)
                if buffer is None:
                    return
                yield buffer

        for index, (buffer, all_hole) in enumerate(self.read_pieces(spans, buffers(), depth=depth)):
            if all_hole:
                pool.give(buffer)
                buffer = None
            yield index, spans[index][1], buffer

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.sendall(struct.pack(">IHHQQI", REQUEST_MAGIC, 0, CMD_DISC, 0, 0, 0))
            except OSError:
                pass
            self.sock.close()
            self.sock = None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stderr:
            self.process.stderr.close()
        try:
            os.unlink(self.socket_path)
        except FileNotFoundError:
            pass


SAMPLE_HEAD = 1024 * 1024
SAMPLE_TAIL = 512


def check_plain_disk(disk: NbdDisk, scratch: Path, *, expected_size: int) -> None:
    """The decoded disk must be a plain disk of the inspected size: no qcow2 or VMDK header riding inside it
    (Glance re-inspects converted output for the same reason). Its head and tail are enough to tell."""
    from images.formats.detect import detect_format
    from images.formats.errors import CONVERSION
    from images.formats.reader import ImageFile

    if disk.size != expected_size:
        raise FormatError(
            CONVERSION,
            _("The decoded disk has %(size)d bytes, not the %(expected)d the image declares.")
            % {"size": disk.size, "expected": expected_size},
        )
    sample = Path(scratch) / "decoded-sample"
    with open(sample, "wb") as handle:
        handle.truncate(disk.size)
        for offset, length in ((0, min(SAMPLE_HEAD, disk.size)), (max(0, disk.size - SAMPLE_TAIL), 0)):
            length = length or disk.size - offset
            piece = bytearray(length)
            disk.read_into(memoryview(piece), offset)
            handle.seek(offset)
            handle.write(piece)
    try:
        with ImageFile.open(sample) as image:
            found = detect_format(image)
    except FormatError as error:
        raise FormatError(
            CONVERSION, _("The disk inside the file does not pass inspection: %(reason)s") % {"reason": error.message}
        ) from error
    finally:
        sample.unlink(missing_ok=True)
    if found not in ("raw", "iso"):
        raise FormatError(
            CONVERSION,
            _("The disk inside the file is itself a %(format)s image; nested images are not accepted.")
            % {"format": found},
        )
