"""VHD (qemu's "vpc" driver): fixed and dynamic disks; differencing disks are refused.

A dynamic disk starts with a copy of its 512-byte footer; a fixed disk is the raw disk followed by the footer, so
it is found only at the end of the file (OpenStack's inspector looks at offset 0 only and calls it raw/gpt).
The footer checksum is verified (qemu 7.2 refuses a wrong one too). Layout: Microsoft's "Virtual Hard Disk Image
Format Specification" and qemu block/vpc.c, whose rule for the visible disk size is mirrored in `_disk_size`.
"""

import struct

from django.utils.translation import gettext as _

from images.formats.errors import CORRUPT, DIFFERENCING, FormatError
from images.formats.reader import ImageFile

FOOTER = struct.Struct(">8sIIQI4sI4sQQHBBII")  # cookie features version data_offset time app app_ver os orig current
#                                                cylinders heads sectors type checksum
FIXED, DYNAMIC, DIFFERENCING_DISK = 2, 3, 4
DYNAMIC_HEADER = struct.Struct(">8sQQIIII")  # cookie data_offset table_offset version entries block_size checksum
MAX_GEOMETRY = 65535 * 16 * 255
# Creators whose disks are sized by the footer's current_size, not by the CHS geometry (qemu's table).
SIZE_FROM_FOOTER = (b"win ", b"qem2", b"d2v ", b"CTXS", b"tap\0")


def vhd_disk_size(image: ImageFile) -> int:
    head = image.read(0, 512)
    dynamic_layout = head[:8] == b"conectix"
    footer = head if dynamic_layout else image.tail(512)
    fields = _valid_footer(footer, _("at the start of the file") if dynamic_layout else _("at the end of the file"))
    disk_type = fields[13]
    if disk_type == DIFFERENCING_DISK:
        raise FormatError(
            DIFFERENCING,
            _(
                "The VHD is a differencing disk, which reads from a parent disk; only "
                "fixed and dynamic VHDs are accepted. Merge it into its parent first."
            ),
        )
    size = _disk_size(fields)
    if dynamic_layout:
        _check_dynamic(image, fields)
    elif disk_type != FIXED or size > image.size - 512:
        raise FormatError(
            CORRUPT,
            _(
                "The VHD footer at the end of the file describes a disk the file does not hold; "
                "the file is truncated or damaged."
            ),
        )
    return size


def _checksum(block: bytes, field: int) -> int:
    return ~(sum(block) - sum(block[field : field + 4])) & 0xFFFFFFFF


def _valid_footer(footer: bytes, where: str) -> tuple:
    if len(footer) != 512 or footer[:8] != b"conectix":
        raise FormatError(
            CORRUPT, _("The VHD footer %(where)s is missing; the file is truncated or damaged.") % {"where": where}
        )
    fields = FOOTER.unpack_from(footer)
    if _checksum(footer, 64) != fields[14]:
        raise FormatError(
            CORRUPT,
            _("The checksum of the VHD footer %(where)s is wrong; the file is damaged or was edited.")
            % {"where": where},
        )
    return fields


def _disk_size(fields: tuple) -> int:
    creator, current_size, cylinders, heads, sectors = fields[5], fields[9], fields[10], fields[11], fields[12]
    geometry = cylinders * heads * sectors
    if creator in SIZE_FROM_FOOTER or geometry == MAX_GEOMETRY:
        return current_size // 512 * 512
    return geometry * 512


def _check_dynamic(image: ImageFile, fields: tuple) -> None:
    if fields[13] != DYNAMIC:
        raise FormatError(CORRUPT, _("The VHD footer copy at the start of the file does not describe a dynamic disk."))
    end = _valid_footer(image.tail(512), _("at the end of the file"))
    if (end[9], end[13]) != (fields[9], fields[13]):
        raise FormatError(
            CORRUPT, _("The two VHD footers (start and end of the file) disagree; the file is truncated or damaged.")
        )
    offset = fields[3]
    if not 512 <= offset <= image.size - 1536:
        raise FormatError(CORRUPT, _("The VHD dynamic disk header lies outside the file."))
    header = image.read_exact(offset, 1024, _("VHD dynamic disk header"))
    cookie, *_rest, checksum = DYNAMIC_HEADER.unpack_from(header)
    if cookie != b"cxsparse" or _checksum(header, 36) != checksum:
        raise FormatError(CORRUPT, _("The VHD dynamic disk header is damaged (bad signature or checksum)."))
    parent_name, locators = header[64:576], header[576:768]
    if any(parent_name) or any(locators):
        raise FormatError(
            DIFFERENCING, _("The VHD dynamic disk header names a parent disk; only self-contained disks are accepted.")
        )
