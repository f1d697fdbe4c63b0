"""Test images, generated at test time into a temporary folder: the accepted formats, made from one known pattern,
and one file per attack class of image-safety.md (qemu-img makes most; a few header bytes are edited here).

`build_accepted(work)` and `build_hostile(work)` return {name: Sample}. Every file is a few MiB at most.
"""

import bz2
import gzip
import io
import lzma
import os
import random
import shutil
import struct
import subprocess
import tarfile
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import zstandard

PATTERN_SIZE = 4 * 1024 * 1024
SECTOR = 512


@dataclass(frozen=True)
class Sample:
    path: Path
    declared: str | None
    expected: str | None = None  # accepted images: the format the inspection must find
    disk: Path | None = None  # accepted images: the raw disk the image holds (compared after conversion)


def qemu_img(*args) -> None:
    subprocess.run(
        ["qemu-img", *map(str, args)],
        check=True,
        capture_output=True,
        env={"LC_ALL": "C", "PATH": os.environ.get("PATH", os.defpath)},
    )


def write_pattern(path: Path) -> Path:
    """A 4 MiB disk: an MBR signature in sector 0, random blocks at scattered offsets, zeros (holes) elsewhere."""
    rng, disk = random.Random(20240607), bytearray(PATTERN_SIZE)
    disk[:446] = rng.randbytes(446)
    disk[510:512] = b"\x55\xaa"
    for offset, length in ((64 * 1024, 4096), (1024 * 1024, 65536), (3 * 1024 * 1024 + 512, 4096)):
        disk[offset : offset + length] = rng.randbytes(length)
    disk[-SECTOR:] = rng.randbytes(SECTOR)
    path.write_bytes(disk)
    return path


def patch(path: Path, offset: int, data: bytes) -> Path:
    with open(path, "r+b") as handle:
        handle.seek(offset if offset >= 0 else os.path.getsize(path) + offset)
        handle.write(data)
    return path


def vhd_checksum(footer: bytes) -> bytes:
    return struct.pack(">I", ~(sum(footer[:64]) + sum(footer[68:])) & 0xFFFFFFFF)


def patch_vhd_footers(path: Path, offset: int, data: bytes) -> Path:
    """Edit both copies of a dynamic VHD's footer (start and end) and keep their checksums right."""
    for base in (0, os.path.getsize(path) - SECTOR):
        footer = bytearray(path.read_bytes()[base : base + SECTOR])
        footer[offset : offset + len(data)] = data
        footer[64:68] = vhd_checksum(footer)
        patch(path, base, bytes(footer))
    return path


def iso_bytes(*, system_area: bytes = b"") -> bytes:
    """A minimal ISO 9660 image: 16 system-area sectors, a primary volume descriptor, a terminator, data."""
    blocks, rng = 32, random.Random(9660)
    pvd = bytearray(2048)
    pvd[0:7] = b"\x01CD001\x01"
    pvd[40:72] = b"IMS_TEST".ljust(32)
    pvd[80:88] = struct.pack("<I", blocks) + struct.pack(">I", blocks)
    pvd[120:128] = struct.pack("<H", 1) + struct.pack(">H", 1) + struct.pack("<H", 1) + struct.pack(">H", 1)
    pvd[128:132] = struct.pack("<H", 2048) + struct.pack(">H", 2048)
    pvd[881] = 1
    terminator = b"\xffCD001\x01".ljust(2048, b"\0")
    system = system_area.ljust(16 * 2048, b"\0")
    return system + bytes(pvd) + terminator + rng.randbytes((blocks - 18) * 2048)


class Workshop:
    def __init__(self, root: Path):
        self.root = root
        self.pattern = write_pattern(root / "pattern.raw")

    def path(self, name: str) -> Path:
        return self.root / name

    def convert(self, name: str, driver: str, *options: str, source: Path | None = None) -> Path:
        out = self.path(name)
        qemu_img("convert", "-f", "raw", "-O", driver, *options, source or self.pattern, out)
        return out

    def create(self, name: str, driver: str, size: str, *options: str) -> Path:
        out = self.path(name)
        qemu_img("create", "-f", driver, *options, out, size)
        return out

    def copy(self, source: Path, name: str) -> Path:
        return Path(shutil.copyfile(source, self.path(name)))

    def write(self, name: str, data: bytes) -> Path:
        out = self.path(name)
        out.write_bytes(data)
        return out


def stream_optimized_with_footer(shop: Workshop, name: str) -> Path:
    """The VMware layout of streamOptimized: header says "grain directory at end", a footer repeats the header."""
    data = bytearray(shop.convert(f"{name}.src", "vmdk", "-o", "subformat=streamOptimized").read_bytes())
    header, end_of_stream = bytes(data[:SECTOR]), data[-SECTOR:]
    assert end_of_stream == bytes(SECTOR)
    data[56:64] = b"\xff" * 8
    footer_marker = struct.pack("<QII", 1, 0, 3).ljust(SECTOR, b"\0")
    return shop.write(name, bytes(data[:-SECTOR]) + footer_marker + header + bytes(SECTOR))


def vmdk_with_descriptor(shop: Workshop, name: str, descriptor: str, *, capacity: int | None = None) -> Path:
    """A qemu-made monolithicSparse VMDK whose embedded descriptor (and optionally capacity) is replaced."""
    out = shop.create(name, "vmdk", "1M")
    text = descriptor.encode("ascii")
    (sectors,) = struct.unpack_from("<Q", out.read_bytes(), 36)
    patch(out, SECTOR, text.ljust(sectors * SECTOR, b"\0"))
    if capacity is not None:
        patch(out, 12, struct.pack("<Q", capacity))
    return out


def vhdx_metadata_item(path: Path, item: str) -> int:
    """File offset of a VHDX metadata item, found by reading the tables (independently of the code under test)."""
    data = path.read_bytes()
    metadata = uuid.UUID("8B7CA206-4790-4B9A-B8FE-575F050F886E").bytes_le
    table = 192 * 1024
    (count,) = struct.unpack_from("<I", data, table + 8)
    region = next(
        struct.unpack_from("<Q", data, table + 16 + 32 * i + 16)[0]
        for i in range(count)
        if data[table + 16 + 32 * i : table + 32 + 32 * i] == metadata
    )
    (entries,) = struct.unpack_from("<H", data, region + 10)
    wanted = uuid.UUID(item).bytes_le
    for index in range(entries):
        entry = region + 32 + 32 * index
        if data[entry : entry + 16] == wanted:
            return region + struct.unpack_from("<I", data, entry + 16)[0]
    raise LookupError(item)


FLAT_DESCRIPTOR = """# Disk DescriptorFile
version=1
CID=fffffffe
parentCID=ffffffff
createType="{create_type}"

# Extent description
RW 8 FLAT "/etc/passwd" 0

# The Disk Data Base
ddb.adapterType = "ide"
"""


def _hybrid_iso(shop: Workshop) -> Path:
    return shop.write("hybrid.iso", iso_bytes(system_area=bytes(510) + b"\x55\xaa"))


# name → (format, builder). Every image but the ISOs holds the pattern disk.
ACCEPTED = {
    "raw": ("raw", lambda shop: shop.copy(shop.pattern, "disk.raw")),
    "qcow2-v3": ("qcow2", lambda shop: shop.convert("v3.qcow2", "qcow2", "-o", "compat=1.1")),
    "qcow2-v2": ("qcow2", lambda shop: shop.convert("v2.qcow2", "qcow2", "-o", "compat=0.10")),
    "qcow2-zstd-compressed": (
        "qcow2",
        lambda shop: shop.convert("z.qcow2", "qcow2", "-c", "-o", "compression_type=zstd"),
    ),
    "qcow-v1": ("qcow", lambda shop: shop.convert("v1.qcow", "qcow")),
    "vmdk-monolithic-sparse": ("vmdk", lambda shop: shop.convert("sparse.vmdk", "vmdk")),
    "vmdk-stream-optimized": (
        "vmdk",
        lambda shop: shop.convert("stream.vmdk", "vmdk", "-o", "subformat=streamOptimized"),
    ),
    "vmdk-stream-optimized-footer": ("vmdk", lambda shop: stream_optimized_with_footer(shop, "footer.vmdk")),
    "vhd-dynamic": ("vhd", lambda shop: shop.convert("dynamic.vhd", "vpc", "-o", "subformat=dynamic")),
    "vhd-dynamic-exact-size": (
        "vhd",
        lambda shop: shop.convert("exact.vhd", "vpc", "-o", "subformat=dynamic,force_size=on"),
    ),
    "vhd-fixed": ("vhd", lambda shop: shop.convert("fixed.vhd", "vpc", "-o", "subformat=fixed")),
    "vhd-fixed-exact-size": (
        "vhd",
        lambda shop: shop.convert("fixedx.vhd", "vpc", "-o", "subformat=fixed,force_size=on"),
    ),
    "vhdx": ("vhdx", lambda shop: shop.convert("disk.vhdx", "vhdx")),
    "qed": ("qed", lambda shop: shop.convert("disk.qed", "qed")),
    "vdi-dynamic": ("vdi", lambda shop: shop.convert("dynamic.vdi", "vdi")),
    "vdi-static": ("vdi", lambda shop: shop.convert("static.vdi", "vdi", "-o", "static=on")),
    "iso": ("iso", lambda shop: shop.write("disc.iso", iso_bytes())),
    "iso-hybrid": ("iso", _hybrid_iso),
}


def build_accepted(work: Path) -> dict[str, Sample]:
    shop, samples = Workshop(work), {}
    for name, (fmt, build) in ACCEPTED.items():
        path = build(shop)
        samples[name] = Sample(path, fmt, fmt, disk=path if fmt == "iso" else shop.pattern)
    return samples


def build_hostile(work: Path) -> dict[str, Sample]:
    """One file per attack class, keyed by name; the tests hold the error code each must get."""
    shop = Workshop(work)
    pattern = shop.pattern.read_bytes()
    qcow2 = shop.convert("base.qcow2", "qcow2")
    samples = {}

    def add(name: str, declared: str | None, path: Path) -> None:
        samples[name] = Sample(path, declared)

    # Detection: unsupported formats, polyglots, mismatches, archives, encrypted containers.
    add("parallels", "raw", shop.create("disk.parallels", "parallels", "4M"))
    add("polyglot-qcow2-iso", "qcow2", patch(shop.copy(qcow2, "iso.qcow2"), 32768, b"\x01CD001\x01"))
    add("polyglot-qcow2-mbr", "qcow2", patch(shop.copy(qcow2, "mbr.qcow2"), 510, b"\x55\xaa"))
    in_iso = iso_bytes(system_area=qcow2.read_bytes()[:4096])
    add("polyglot-iso-with-qcow2-system-area", "iso", shop.write("qcow2-in.iso", in_iso))
    fixed_footer = shop.convert("fixed.vhd", "vpc", "-o", "subformat=fixed").read_bytes()[-SECTOR:]
    add("polyglot-qcow2-vhd-footer", "qcow2", shop.write("vhd-tail.qcow2", qcow2.read_bytes() + fixed_footer))
    header_in_raw = qcow2.read_bytes()[:65536] + pattern[65536:]
    add("raw-with-qcow2-header", "raw", shop.write("qcow2-header.raw", header_in_raw))
    add("qcow2-declared-vmdk", "vmdk", qcow2)
    for kind, data in _archives(pattern[:262144]).items():
        add(f"compressed-{kind}", "raw", shop.write(f"disk.{kind}", data))
    add("luks", "raw", shop.write("disk.luks", _luks_header()))

    # External references: host-file disclosure.
    passwd = ("-b", "/etc/passwd", "-F", "raw")
    add("qcow2-backing-file", "qcow2", shop.create("backing.qcow2", "qcow2", "1M", *passwd))
    add("qcow-v1-backing-file", "qcow", shop.create("backing.qcow", "qcow", "1M", *passwd))
    add("qed-backing-file", "qed", shop.create("backing.qed", "qed", "1M", *passwd))
    parent = shop.create("parent.vmdk", "vmdk", "1M")
    add("vmdk-parent-file", "vmdk", shop.create("child.vmdk", "vmdk", "1M", "-b", parent, "-F", "vmdk"))
    data_file = shop.create("data-file.qcow2", "qcow2", "1M", "-o", f"data_file={shop.path('data.raw')}")
    add("qcow2-data-file", "qcow2", data_file)
    features = data_file.read_bytes()[79]
    add(
        "qcow2-data-file-extension-only",
        "qcow2",
        patch(shop.copy(data_file, "data-ext.qcow2"), 79, bytes([features & ~0x04])),
    )
    flat, sparse = (FLAT_DESCRIPTOR.format(create_type=kind) for kind in ("monolithicFlat", "monolithicSparse"))
    add("vmdk-monolithic-flat-descriptor", "vmdk", shop.write("flat.vmdk", flat.encode()))
    add("vmdk-sparse-capacity-zero", "vmdk", vmdk_with_descriptor(shop, "capacity0.vmdk", flat, capacity=0))
    add("vmdk-sparse-flat-extent", "vmdk", vmdk_with_descriptor(shop, "flat-extent.vmdk", sparse))
    add("vhd-differencing", "vhd", patch_vhd_footers(shop.create("diff.vhd", "vpc", "4M"), 60, struct.pack(">I", 4)))
    vhdx = shop.create("parent.vhdx", "vhdx", "4M")
    parameters = vhdx_metadata_item(vhdx, "CAA16737-FA36-4D43-B3B6-33F0AA44E76B")
    (flags,) = struct.unpack_from("<I", vhdx.read_bytes(), parameters + 4)
    add("vhdx-has-parent", "vhdx", patch(vhdx, parameters + 4, struct.pack("<I", flags | 2)))
    add("vdi-differencing", "vdi", patch(shop.create("diff.vdi", "vdi", "4M"), 0x4C, struct.pack("<I", 4)))

    # Encryption, unknown versions and features.
    add("qcow2-aes-encrypted", "qcow2", patch(shop.copy(qcow2, "crypt.qcow2"), 32, struct.pack(">I", 1)))
    add("qcow2-version-4", "qcow2", patch(shop.copy(qcow2, "v4.qcow2"), 4, struct.pack(">I", 4)))
    add("qcow2-unknown-incompatible-bit", "qcow2", patch(shop.copy(qcow2, "bit5.qcow2"), 72, struct.pack(">Q", 32)))

    # Damaged or truncated files.
    add("qcow2-truncated", "qcow2", shop.write("truncated.qcow2", qcow2.read_bytes()[:200_000]))
    add("qcow2-marked-corrupt", "qcow2", patch(shop.copy(qcow2, "corrupt.qcow2"), 72, struct.pack(">Q", 2)))
    add("vhd-bad-checksum", "vhd", patch(shop.convert("checksum.vhd", "vpc"), 40, b"\x7f"))
    add("vhd-dynamic-truncated", "vhd", shop.write("cut.vhd", shop.convert("whole.vhd", "vpc").read_bytes()[:-SECTOR]))
    add(
        "vhdx-region-count",
        "vhdx",
        patch(shop.create("regions.vhdx", "vhdx", "4M"), 192 * 1024 + 8, struct.pack("<I", 5000)),
    )
    stream = stream_optimized_with_footer(shop, "whole.vmdk").read_bytes()
    add("vmdk-stream-optimized-truncated", "vmdk", shop.write("cut.vmdk", stream[:-SECTOR]))

    # Sizes (the tests' limits: 64 MiB of file, 1 TiB of disk).
    add("qcow2-1-pib", "qcow2", shop.create("huge.qcow2", "qcow2", "1P", "-o", "cluster_size=2M"))
    add("qcow2-16-eib-header", "qcow2", patch(shop.copy(qcow2, "lying.qcow2"), 24, struct.pack(">Q", 2**64 - 512)))
    add("zero-bytes", "raw", shop.write("empty.raw", b""))

    # qemu-img refuses what the inspection let through; proprietary formats.
    add(
        "qcow2-refcount-table-misaligned",
        "qcow2",
        patch(shop.copy(qcow2, "refcount.qcow2"), 48, struct.pack(">Q", 0x10200)),
    )
    add("zvhd", "zvhd", shop.write("disk.zvhd", pattern[:65536]))
    add("zvhd2", "ZVHD2", shop.write("disk.zvhd2", pattern[:65536]))
    return samples


def _archives(data: bytes) -> dict[str, bytes]:
    zipped, ova = io.BytesIO(), io.BytesIO()
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("disk.raw", data)
    with tarfile.open(fileobj=ova, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        member = tarfile.TarInfo("disk.vmdk")
        member.size = len(data)
        archive.addfile(member, io.BytesIO(data))
    return {
        "gzip": gzip.compress(data),
        "bzip2": bz2.compress(data),
        "xz": lzma.compress(data),
        "zstd": zstandard.ZstdCompressor().compress(data),
        "zip": zipped.getvalue(),
        "tar-ova": ova.getvalue(),
    }


def _luks_header() -> bytes:
    """A LUKS1 header (magic, version, cipher, mode, hash, payload offset, key bytes) on 1 MiB of zeros."""
    names = b"".join(name.ljust(32, b"\0") for name in (b"aes", b"xts-plain64", b"sha256"))
    return (b"LUKS\xba\xbe" + struct.pack(">H", 1) + names + struct.pack(">II", 4096, 64)).ljust(1 << 20, b"\0")


def nested_qcow2(work: Path) -> Path:
    """A valid qcow2 whose disk starts with another qcow2: inspection passes, the converted disk must not."""
    shop = Workshop(work)
    inner = shop.create("inner.qcow2", "qcow2", "1M").read_bytes()
    disk = shop.write("nested.raw", inner.ljust(1 << 20, b"\0"))
    return shop.convert("nested.qcow2", "qcow2", source=disk)
