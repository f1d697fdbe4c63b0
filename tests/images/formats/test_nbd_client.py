"""Reading a decoded disk from qemu-nbd: holes arrive as holes (never copied), data and mixed reads byte-exact."""

import hashlib
import os
import subprocess
import threading

from images.blobs.disk_reader import BufferPool
from images.formats.nbd import NbdDisk

MiB = 1024 * 1024


def test_holes_are_yielded_unread_and_the_disk_reads_back_exactly(tmp_path):
    raw = tmp_path / "disk.raw"
    with open(raw, "wb") as handle:
        handle.truncate(32 * MiB)
        handle.seek(9 * MiB)
        handle.write(os.urandom(MiB))  # chunk 2 has data and a hole
        handle.seek(20 * MiB)
        handle.write(bytes(4 * MiB))  # written zeros: qemu-img leaves them unallocated
    qcow2 = tmp_path / "disk.qcow2"
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw, qcow2], check=True)
    source = raw.read_bytes()
    with NbdDisk(qcow2, "qcow2", tmp_path) as disk:
        assert disk.structured
        pool, digest, kinds = BufferPool(16), hashlib.sha256(), ""
        for _index, length, buffer in disk.read_chunks(pool, threading.Event()):
            kinds += "-" if buffer is None else "D"
            digest.update(bytes(length) if buffer is None else memoryview(buffer)[:length])
            if buffer is not None:
                pool.give(buffer)
        mixed = bytearray(3 * MiB)
        disk.read_into(memoryview(mixed), 7 * MiB)
        hole = bytearray(b"x" * MiB)
        disk.read_into(memoryview(hole), 21 * MiB)
    assert kinds == "--D-----"
    assert digest.hexdigest() == hashlib.sha256(source).hexdigest()
    assert mixed == source[7 * MiB : 10 * MiB] and hole == bytes(MiB)
