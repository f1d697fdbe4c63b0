"""Sparse raw disks for the chunk store tests, and the store's two backends (local folders, S3 on loopback)."""

import hashlib
import random
from pathlib import Path

import pytest

from iam.models import Region
from obs.storage import storage_for

MIB = 1024 * 1024
CHUNK = 4 * MIB


def noise(length: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(length)


def make_disk(path: Path, size: int, writes: list[tuple[int, bytes]]) -> Path:
    """A sparse file of `size` bytes: holes everywhere but at the (offset, data) writes."""
    with open(path, "wb") as disk:
        disk.truncate(size)
        for offset, data in writes:
            disk.seek(offset)
            disk.write(data)
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(MIB):
            digest.update(block)
    return digest.hexdigest()


# The standard disk: 10 chunks and 12,345 bytes. Chunks 0 and 7 are equal; 2 is written zeros; 3, 4 are a
# hole; a run of data crosses from chunk 8 into 9; the short last chunk (10) ends with data.
DISK_SIZE = 10 * CHUNK + 12_345
FIRST = noise(CHUNK, 1)
STANDARD_WRITES = [
    (0, FIRST),
    (1 * CHUNK, noise(MIB, 2)),  # then 3 MiB of hole
    (2 * CHUNK, bytes(CHUNK)),
    (5 * CHUNK + 1_234_567, b"\x01\x02\x03"),
    (6 * CHUNK, noise(CHUNK, 6)),
    (7 * CHUNK, FIRST),
    (9 * CHUNK - 1_000, noise(5_000, 9)),
    (DISK_SIZE - 100, noise(100, 10)),
]
STORED_INDICES = [0, 1, 5, 6, 7, 8, 9, 10]
DISTINCT_CHUNKS = 7


@pytest.fixture
def disk(tmp_path) -> Path:
    return make_disk(tmp_path / "disk.raw", DISK_SIZE, STANDARD_WRITES)


@pytest.fixture(params=["local", "s3"])
def backend(request):
    """Runs a test once with local folders and once against the S3 endpoint on loopback."""
    request.getfixturevalue("local_chunks" if request.param == "local" else "s3_storage")
    return request.param


@pytest.fixture
def north(identity) -> Region:
    return Region.objects.get(pk="cn-north-4")


@pytest.fixture
def east(identity) -> Region:
    return Region.objects.get(pk="cn-east-3")


def object_names(region_id: str, folder: str = "sha256") -> set[str]:
    """Every object the region's chunk storage holds (walks its folders, local or S3)."""
    try:
        folders, files = storage_for("chunks", region_id).listdir(folder)
    except FileNotFoundError:
        return set()
    names = {f"{folder}/{name}" for name in files}
    for sub in folders:
        names |= object_names(region_id, f"{folder}/{sub}")
    return names
