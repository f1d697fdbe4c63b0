"""VMDK: only a single self-contained file, monolithicSparse or streamOptimized, is accepted.

Every other VMDK type is a descriptor naming other files, and qemu opens whatever those names say (a flat extent
`/etc/passwd` makes the "disk" the host's password file: CVE-2022-47951). The embedded descriptor of a sparse file
is parsed line by line against an allowlist, and a sparse header with capacity 0 is refused: qemu then obeys the
embedded descriptor instead of the header. Layout: VMware's "Virtual Disk Format 5.0" and qemu block/vmdk.c.
"""

import re
import struct

from django.utils.translation import gettext as _

from images.formats.errors import BACKING_FILE, CORRUPT, UNKNOWN_FEATURES, VMDK_LAYOUT, FormatError
from images.formats.reader import ImageFile

SPARSE_HEADER = struct.Struct("<4sIIQQQQIQQ")  # magic version flags capacity grain desc_sector desc_sectors gtes rgd gd
MARKER = struct.Struct("<QII496s")  # value size type padding
MARKER_END_OF_STREAM, MARKER_FOOTER = 0, 3
GD_AT_END = 0xFFFFFFFFFFFFFFFF
DESCRIPTOR_MAX = (1 << 20) - 1  # qemu refuses larger descriptors
ALLOWED_TYPES = ("monolithicSparse", "streamOptimized")
EXTENT = re.compile(r'(RW|RDONLY|NOACCESS)\s+(\d+)\s+(\w+)(?:\s+"([^"]*)"(?:\s+(\d+))?)?', re.IGNORECASE)
KEY = re.compile(r"[A-Za-z][A-Za-z0-9_.]*")


def vmdk_disk_size(image: ImageFile) -> int:
    magic = image.read(0, 4)
    if magic == b"COWD":
        raise FormatError(
            VMDK_LAYOUT,
            _(
                "The file is an old ESX (COWD) sparse VMDK; only monolithicSparse and "
                "streamOptimized VMDK files are accepted."
            ),
        )
    if magic != b"KDMV":
        raise FormatError(
            VMDK_LAYOUT,
            _(
                "The file is a VMDK descriptor (a text file naming other files that hold "
                "the data). Only single-file monolithicSparse or streamOptimized VMDK "
                "files are accepted."
            ),
        )
    header = SPARSE_HEADER.unpack_from(image.read_exact(0, 512, _("VMDK header")))
    version, capacity = header[1], header[3]
    if version not in (1, 2, 3):
        raise FormatError(
            UNKNOWN_FEATURES,
            _("The VMDK sparse header has version %(version)d; only versions 1 to 3 are understood.")
            % {"version": version},
        )
    if capacity == 0:
        raise FormatError(
            VMDK_LAYOUT,
            _(
                "The VMDK sparse header declares capacity 0, which makes qemu read the "
                "embedded descriptor as a separate descriptor file; this is refused."
            ),
        )
    if header[9] == GD_AT_END:
        header = _footer(image, header)
    desc_sector, desc_sectors = header[5], header[6]
    if desc_sector != 1 or not 0 < desc_sectors * 512 <= DESCRIPTOR_MAX + 1:
        raise FormatError(VMDK_LAYOUT, _("The VMDK embedded descriptor must start at byte 512 and be at most 1 MiB."))
    _check_descriptor(image.read_exact(512, min(desc_sectors * 512, DESCRIPTOR_MAX), _("VMDK descriptor")))
    return header[3] * 512


def _footer(image: ImageFile, header: tuple) -> tuple:
    """A streamOptimized file's footer replaces its header (qemu reads the footer), so it must be well-formed."""
    tail = image.tail(1536)
    if len(tail) != 1536:
        raise FormatError(CORRUPT, _("The VMDK header says a footer follows, but the file is too short for one."))
    _value, size, kind, padding = MARKER.unpack_from(tail, 0)
    footer = SPARSE_HEADER.unpack_from(tail, 512)
    end = MARKER.unpack_from(tail, 1024)
    zeros = bytes(496)
    valid = (
        (size, kind, padding) == (0, MARKER_FOOTER, zeros)
        and footer[:2] == header[:2]
        and footer[5:7] == header[5:7]
        and footer[9] != GD_AT_END
        and end == (0, 0, MARKER_END_OF_STREAM, zeros)
    )
    if not valid:
        raise FormatError(
            CORRUPT,
            _(
                "The streamOptimized VMDK footer does not match its header or its footer and "
                "end-of-stream markers are malformed; the file is damaged or truncated."
            ),
        )
    if footer[3] == 0:
        raise FormatError(VMDK_LAYOUT, _("The VMDK footer declares capacity 0; this is refused."))
    return footer


def _check_descriptor(raw: bytes) -> None:
    try:
        text = raw.split(b"\0", 1)[0].decode("ascii")
    except UnicodeDecodeError:
        raise FormatError(VMDK_LAYOUT, _("The VMDK embedded descriptor is not ASCII text.")) from None
    create_type, extents = None, 0
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#") or line.lower().startswith("ddb."):
            continue
        extent = EXTENT.fullmatch(line)
        if extent:
            _check_extent(extent)
            extents += 1
            continue
        key, equals, value = line.partition("=")
        key, value = key.strip(), value.strip().strip('"')
        if not equals or not KEY.fullmatch(key):
            raise FormatError(
                VMDK_LAYOUT,
                _("Line %(number)d of the VMDK descriptor is neither a setting, a disk database entry nor an extent.")
                % {"number": number},
            )
        _check_setting(key.lower(), value)
        if key.lower() == "createtype":
            create_type = value
    if (create_type or "").lower() not in {kind.lower() for kind in ALLOWED_TYPES}:
        raise FormatError(
            VMDK_LAYOUT,
            _("The VMDK createType is %(type)r; only %(allowed)s are accepted.")
            % {"type": (create_type or "")[:64], "allowed": " and ".join(ALLOWED_TYPES)},
        )
    if not extents:
        raise FormatError(VMDK_LAYOUT, _("The VMDK descriptor lists no extent."))


def _check_setting(key: str, value: str) -> None:
    if key == "parentfilenamehint" or (key == "parentcid" and value.lower() != "ffffffff"):
        raise FormatError(
            BACKING_FILE,
            _(
                "The VMDK image is a child of another disk (it names a parent); only "
                "self-contained images are accepted."
            ),
        )


def _check_extent(extent: re.Match) -> None:
    kind, name = extent.group(3).upper(), extent.group(4) or ""
    if kind != "SPARSE" or not name or "/" in name or "\\" in name or ":" in name or ".." in name:
        raise FormatError(
            VMDK_LAYOUT,
            _(
                "The VMDK descriptor lists a %(kind)s extent named %(name)r; only a "
                "SPARSE extent in the file itself is accepted."
            )
            % {"kind": kind[:16], "name": name[:64]},
        )
