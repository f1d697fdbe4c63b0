"""Image files for import tests: a raw pattern disk, converted by qemu-img into each format."""

import hashlib
import os
import subprocess
import tempfile
from pathlib import Path

from iam.actors import system_actor
from obs.models import Bucket
from obs.services.buckets import create_bucket
from obs.services.objects import put_object

MiB = 1024 * 1024
QEMU_FORMATS = {
    "qcow2": "qcow2",
    "vmdk": "vmdk",
    "vhd": "vpc",
    "vhdx": "vhdx",
    "qed": "qed",
    "vdi": "vdi",
    "qcow": "qcow",
}


def guest_filesystem() -> bytes:
    """A 1 MiB ext4 file system with an os-release outside the OS version list: a system disk import needs a
    file system to accept the disk (issue 16), and an unlisted OS keeps the image "Other Linux(64 bit)"."""
    global _GUEST
    if _GUEST is None:
        with tempfile.TemporaryDirectory() as folder:
            tree, image = Path(folder, "tree"), Path(folder, "fs.img")
            (tree / "etc").mkdir(parents=True)
            (tree / "etc/os-release").write_text("ID=patternos\n")
            with open(image, "wb") as handle:
                handle.truncate(MiB)
            subprocess.run(["mkfs.ext4", "-q", "-F", "-d", str(tree), str(image)], check=True, capture_output=True)
            _GUEST = image.read_bytes()
    return _GUEST


_GUEST = None


def pattern_disk(path: Path, *, size: int = 12 * MiB, seed: int = 7, guest: bool = True) -> Path:
    """Random data, a zero run and a hole: what the chunk store must keep, skip and rebuild; its first MiB is a
    small file system unless `guest` is False."""
    rng = hashlib.sha256(str(seed).encode())
    with open(path, "wb") as handle:
        handle.truncate(size)
        for offset in (0, 5 * MiB, size - MiB):
            block = b"".join(
                hashlib.sha256(rng.digest() + bytes([i % 256]) + offset.to_bytes(8, "big")).digest()
                for i in range(MiB // 32)
            )
            handle.seek(offset)
            handle.write(block)
        handle.seek(3 * MiB)
        handle.write(bytes(MiB))  # explicit zeros, not a hole
        if guest:
            handle.seek(0)
            handle.write(guest_filesystem())
    return path


def converted(raw: Path, fmt: str) -> Path:
    if fmt == "raw":
        return raw
    target = raw.with_suffix(f".{fmt}")
    options = ["-o", "subformat=dynamic,force_size=on"] if fmt == "vhd" else []
    subprocess.run(
        ["qemu-img", "convert", "-f", "raw", "-O", QEMU_FORMATS[fmt], *options, str(raw), str(target)],
        check=True,
        capture_output=True,
    )
    return target


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while piece := handle.read(MiB):
            digest.update(piece)
    return digest.hexdigest()


def upload(actor, path: Path, key: str, bucket: str = "images") -> str:
    """Puts the file into the actor's bucket (made when missing); returns its `bucket:key`."""
    if not Bucket.objects.filter(name=bucket, region=actor.project.region).exists():
        create_bucket(system_actor(actor.project), name=bucket)
    with open(path, "rb") as handle:
        put_object(system_actor(actor.project), bucket=bucket, key=key, stream=handle, size=os.path.getsize(path))
    return f"{bucket}:{key}"
