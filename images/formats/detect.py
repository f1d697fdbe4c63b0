"""Which disk format the bytes show: every detector runs, exactly one may match (image-safety §1 row 2).

A file that two detectors recognise is refused: that is how a qcow2 header hides in an ISO's system area, or an
ISO or MBR rides in a qcow2's header cluster. The only tolerated pairs carry a partition table by design: a
hybrid ISO (iso + MBR), a fixed VHD whose disk starts with its MBR (vhd + MBR), and a plain partitioned disk
(MBR alone), which is raw.
"""

from django.utils.translation import gettext as _

from images.formats.errors import COMPRESSED, ENCRYPTED, POLYGLOT, UNSUPPORTED, FormatError
from images.formats.reader import ImageFile

ISO_DESCRIPTOR = 16 * 2048  # ISO 9660 and UDF volume descriptors start at sector 16 (the system area is before)
HEAD = ISO_DESCRIPTOR + 2048
VMDK_DESCRIPTOR_MAX = (1 << 20) - 1  # qemu's limit for a descriptor

# Never decompress server-side: a few KB of gzip can expand to terabytes.
ARCHIVES = (
    ("gzip", 0, b"\x1f\x8b\x08"),
    ("xz", 0, b"\xfd7zXZ\x00"),
    ("zip", 0, b"PK\x03\x04"),
    ("zip", 0, b"PK\x05\x06"),
    ("zstd", 0, b"\x28\xb5\x2f\xfd"),
    ("7z", 0, b"7z\xbc\xaf\x27\x1c"),
    ("tar", 257, b"ustar"),
)
# Formats qemu knows that this service does not import: named, so the tenant is told what the file is.
UNSUPPORTED_MAGIC = (
    ("Parallels", b"WithoutFreeSpace"),
    ("Parallels", b"WithouFreSpacExt"),
    ("Bochs", b"Bochs Virtual HD Image"),
    ("cloop", b"#!/bin/sh\n#V2.0 Format\n"),
)
TEXT_BYTES = frozenset(b"\t\n\r") | frozenset(range(0x20, 0x7F))


def detect_format(image: ImageFile) -> str:
    """The one format of the file (raw when no detector matched), or a FormatError saying why there is none."""
    head = image.read(0, HEAD)
    archive = next((name for name, offset, magic in ARCHIVES if head[offset : offset + len(magic)] == magic), None)
    if archive is None and head[:3] == b"BZh" and head[3:4].isdigit():
        archive = "bzip2"
    if archive:
        raise FormatError(
            COMPRESSED,
            _(
                "The file is compressed or archived (%(kind)s), not a disk image. Files are "
                "never unpacked here: extract the disk image and import that."
            )
            % {"kind": archive},
        )
    found = {name for name, matches in _detectors(image, head) if matches}
    if "luks" in found:
        raise FormatError(
            ENCRYPTED,
            _(
                "The file is a LUKS-encrypted volume; an encrypted disk cannot be inspected "
                "or converted. Decrypt it and import the plain disk."
            ),
        )
    if found - {"mbr"} in ({"iso"}, {"vhd"}):
        found.discard("mbr")
    if len(found) > 1:
        raise FormatError(
            POLYGLOT,
            _(
                "The file looks like several formats at once (%(formats)s). A file that "
                "is valid in more than one format can hide one disk inside another, so "
                "it is refused."
            )
            % {"formats": ", ".join(sorted(map(_display, found)))},
        )
    fmt = found.pop() if found else "raw"
    if fmt == "mbr":
        return "raw"
    if fmt.startswith("unsupported:"):
        raise FormatError(
            UNSUPPORTED,
            _(
                "The file is a %(kind)s disk image, which cannot be imported. Convert it "
                "to QCOW2, VMDK, VHD or RAW first."
            )
            % {"kind": fmt.split(":", 1)[1]},
        )
    return fmt


def _display(name: str) -> str:
    return {"mbr": "MBR/GPT partition table"}.get(name, name.split(":")[-1])


def _detectors(image: ImageFile, head: bytes):
    yield ("qcow" if head[4:8] == b"\x00\x00\x00\x01" else "qcow2"), head[:4] == b"QFI\xfb"
    yield "qed", head[:4] == b"QED\x00"
    yield "vmdk", head[:4] in (b"KDMV", b"COWD") or _is_text_descriptor(image, head)
    yield "vhd", head[:8] == b"conectix" or image.tail(512)[:8] == b"conectix"
    yield "vhdx", head[:8] == b"vhdxfile"
    yield "vdi", head[0x40:0x44] == b"\x7f\x10\xda\xbe"
    yield "iso", head[ISO_DESCRIPTOR + 1 : ISO_DESCRIPTOR + 6] in (b"CD001", b"BEA01", b"NSR02", b"NSR03")
    yield "luks", head[:6] == b"LUKS\xba\xbe"
    yield "mbr", head[510:512] == b"\x55\xaa"
    for name, magic in UNSUPPORTED_MAGIC:
        yield f"unsupported:{name}", head.startswith(magic)


def _is_text_descriptor(image: ImageFile, head: bytes) -> bool:
    """A VMDK descriptor file: ASCII text naming a createType (qemu accepts it and opens the files it lists)."""
    if not head or not set(head[:512]) <= TEXT_BYTES:
        return False
    return b"createtype" in image.read(0, VMDK_DESCRIPTOR_MAX).lower()
