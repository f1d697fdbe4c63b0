"""VHDX: the region table, then the metadata table, give the disk size and whether the disk has a parent.

Counts and offsets come from the file, so both tables are read as one bounded 64 KiB block each and entry counts
above the specification's 2047 are refused (the limit qemu and OpenStack apply). A differencing VHDX (HasParent
flag or a parent locator item) is refused; qemu cannot open one anyway. Layout: Microsoft's [MS-VHDX].
"""

import struct
import uuid

from django.utils.translation import gettext as _

from images.formats.errors import CORRUPT, DIFFERENCING, FormatError
from images.formats.reader import ImageFile

REGION_TABLE_OFFSET = 192 * 1024
TABLE_SIZE = 64 * 1024
MAX_ENTRIES = 2047
METADATA_REGION = uuid.UUID("8B7CA206-4790-4B9A-B8FE-575F050F886E").bytes_le
FILE_PARAMETERS = uuid.UUID("CAA16737-FA36-4D43-B3B6-33F0AA44E76B").bytes_le
VIRTUAL_DISK_SIZE = uuid.UUID("2FA54224-CD1B-4876-B211-5DBED83BF4B8").bytes_le
PARENT_LOCATOR = uuid.UUID("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C").bytes_le
HAS_PARENT = 1 << 1


def vhdx_disk_size(image: ImageFile) -> int:
    region_offset, region_length = _metadata_region(image)
    items = _metadata_items(image, region_offset)
    if PARENT_LOCATOR in items:
        raise _differencing()
    _block_size, flags = struct.unpack("<II", _item(image, region_offset, region_length, items, FILE_PARAMETERS))
    if flags & HAS_PARENT:
        raise _differencing()
    (size,) = struct.unpack("<Q", _item(image, region_offset, region_length, items, VIRTUAL_DISK_SIZE))
    return size // 512 * 512


def _differencing() -> FormatError:
    return FormatError(
        DIFFERENCING,
        _(
            "The VHDX is a differencing disk, which reads from a parent disk; only "
            "self-contained disks are accepted. Merge it into its parent first."
        ),
    )


def _table(block: bytes, signature: bytes, layout: str, what: str) -> int:
    """The entry count of a region or metadata table: signature first, count last in `layout`."""
    fields = struct.unpack_from(layout, block)
    found, count = fields[0], fields[-1]
    if found != signature:
        raise FormatError(CORRUPT, _("The VHDX %(what)s has no valid signature.") % {"what": what})
    if count > MAX_ENTRIES:
        raise FormatError(
            CORRUPT,
            _("The VHDX %(what)s claims %(count)d entries; at most %(limit)d are allowed.")
            % {"what": what, "count": count, "limit": MAX_ENTRIES},
        )
    return count


def _metadata_region(image: ImageFile) -> tuple[int, int]:
    block = image.read_exact(REGION_TABLE_OFFSET, TABLE_SIZE, _("VHDX region table"))
    count = _table(block, b"regi", "<4sII", _("region table"))
    for index in range(count):
        guid, offset, length, _required = struct.unpack_from("<16sQII", block, 16 + 32 * index)
        if guid == METADATA_REGION:
            return offset, length
    raise FormatError(CORRUPT, _("The VHDX region table has no metadata region."))


def _metadata_items(image: ImageFile, region_offset: int) -> dict[bytes, tuple[int, int]]:
    block = image.read_exact(region_offset, TABLE_SIZE, _("VHDX metadata table"))
    count = _table(block, b"metadata", "<8sHH", _("metadata table"))
    items = {}
    for index in range(count):
        guid, offset, length = struct.unpack_from("<16sII", block, 32 + 32 * index)
        items[guid] = (offset, length)
    return items


def _item(image: ImageFile, region_offset: int, region_length: int, items: dict, guid: bytes) -> bytes:
    offset, length = items.get(guid, (0, 0))
    if length < 8 or offset + 8 > region_length:
        raise FormatError(CORRUPT, _("The VHDX metadata lacks a required item or places it outside its region."))
    return image.read_exact(region_offset + offset, 8, _("VHDX metadata item"))
