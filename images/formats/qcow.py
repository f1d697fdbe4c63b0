"""QEMU's own formats: qcow2, the old qcow (v1) and QED. Each function checks the header and returns the disk size
qemu will present (bytes, a multiple of 512).

Layouts: qemu docs/interop/qcow2.txt, qemu block/qcow.c and docs/interop/qed_spec.txt. Header fields are
big-endian in qcow/qcow2 and little-endian in QED.
"""

import struct

from django.utils.translation import gettext as _

from images.formats.errors import (
    BACKING_FILE,
    CORRUPT,
    DATA_FILE,
    ENCRYPTED,
    UNKNOWN_FEATURES,
    FormatError,
)
from images.formats.reader import ImageFile

QCOW2_HEADER = struct.Struct(">4sIQIIQI")  # magic version backing_offset backing_size cluster_bits size crypt
QCOW2_V3 = struct.Struct(">QQQII")  # incompatible compatible autoclear refcount_order header_length (at 72)
INCOMPATIBLE_CORRUPT = 1 << 1
INCOMPATIBLE_DATA_FILE = 1 << 2
INCOMPATIBLE_KNOWN = 0x1F  # dirty, corrupt, external data file, compression type, extended L2 entries
EXTENSION_DATA_FILE = 0x44415441
EXTENSION_ENCRYPTION = 0x0537BE77
EXTENSION_BACKING_FORMAT = 0xE2792ACA

QCOW1_HEADER = struct.Struct(">4sIQIIQBBHI")  # magic version backing_offset backing_size mtime size cluster l2 _ crypt

QED_HEADER = struct.Struct("<4sIIIQQQQQII")
QED_BACKING_FILE = 1 << 0
QED_KNOWN_FEATURES = 0x7  # backing file, needs check, backing format is raw (no probing)


def _refuse_backing(fmt: str) -> FormatError:
    return FormatError(
        BACKING_FILE,
        _(
            "The %(format)s image refers to a backing file (another file it reads "
            "from). Only self-contained images are accepted: merge the chain into one "
            "file first (`qemu-img convert` of the top image does)."
        )
        % {"format": fmt},
    )


def _refuse_encrypted(fmt: str) -> FormatError:
    return FormatError(
        ENCRYPTED,
        _(
            "The %(format)s image is encrypted; an encrypted disk cannot be inspected or "
            "converted. Convert it to an unencrypted image first."
        )
        % {"format": fmt},
    )


def qcow2_disk_size(image: ImageFile) -> int:
    header = image.read_exact(0, 104, _("qcow2 header"))
    _magic, version, backing_offset, _backing_size, cluster_bits, size, crypt = QCOW2_HEADER.unpack_from(header)
    if version not in (2, 3):
        raise FormatError(
            UNKNOWN_FEATURES,
            _("The qcow2 image has version %(version)d; only versions 2 and 3 are understood.") % {"version": version},
        )
    if backing_offset:
        raise _refuse_backing("qcow2")
    if crypt:
        raise _refuse_encrypted("qcow2")
    if not 9 <= cluster_bits <= 21:
        raise FormatError(
            CORRUPT, _("The qcow2 cluster size 2^%(bits)d is outside qemu's range.") % {"bits": cluster_bits}
        )
    extensions_start = 72
    if version == 3:
        incompatible, _compatible, _autoclear, _order, extensions_start = QCOW2_V3.unpack_from(header, 72)
        _check_incompatible(incompatible)
        if not 104 <= extensions_start < (1 << cluster_bits):
            raise FormatError(
                CORRUPT, _("The qcow2 header length %(length)d is invalid.") % {"length": extensions_start}
            )
    _check_extensions(image.read(extensions_start, (1 << cluster_bits) - extensions_start))
    return size // 512 * 512


def _check_incompatible(bits: int) -> None:
    if bits & INCOMPATIBLE_DATA_FILE:
        raise FormatError(
            DATA_FILE,
            _(
                "The qcow2 image stores its data in an external data file (incompatible "
                "feature bit 2); only self-contained images are accepted."
            ),
        )
    if bits & ~INCOMPATIBLE_KNOWN:
        raise FormatError(
            UNKNOWN_FEATURES,
            _(
                "The qcow2 image sets incompatible feature bits %(bits)#x that this "
                "service does not know, so it cannot be read safely."
            )
            % {"bits": bits & ~INCOMPATIBLE_KNOWN},
        )
    if bits & INCOMPATIBLE_CORRUPT:
        raise FormatError(
            CORRUPT,
            _("The qcow2 image is marked corrupt by qemu; repair it with `qemu-img check -r all` and import it again."),
        )


def _check_extensions(area: bytes) -> None:
    """Walk the header extensions (all inside the first cluster) for external files and encryption."""
    offset = 0
    while True:
        if offset + 8 > len(area):
            raise FormatError(CORRUPT, _("The qcow2 header extensions run past the header cluster."))
        kind, length = struct.unpack_from(">II", area, offset)
        if kind == 0:
            return
        if kind == EXTENSION_DATA_FILE:
            raise FormatError(
                DATA_FILE, _("The qcow2 image names an external data file; only self-contained images are accepted.")
            )
        if kind == EXTENSION_ENCRYPTION:
            raise _refuse_encrypted("qcow2")
        if kind == EXTENSION_BACKING_FORMAT:
            raise _refuse_backing("qcow2")
        offset += 8 + (length + 7) // 8 * 8


def qcow_disk_size(image: ImageFile) -> int:
    header = image.read_exact(0, QCOW1_HEADER.size, _("qcow header"))
    _magic, _version, backing_offset, _backing_size, _mtime, size, cluster_bits, l2_bits, _pad, crypt = (
        QCOW1_HEADER.unpack(header)
    )
    if backing_offset:
        raise _refuse_backing("qcow")
    if crypt:
        raise _refuse_encrypted("qcow")
    if not (9 <= cluster_bits <= 16 and 6 <= l2_bits <= 13):
        raise FormatError(CORRUPT, _("The qcow cluster or table size is outside qemu's range."))
    return size // 512 * 512


def qed_disk_size(image: ImageFile) -> int:
    header = image.read_exact(0, QED_HEADER.size, _("QED header"))
    (
        _magic,
        cluster_size,
        table_size,
        _header_size,
        features,
        _compat,
        _autoclear,
        _l1,
        size,
        backing_offset,
        _backing_size,
    ) = QED_HEADER.unpack(header)
    if features & ~QED_KNOWN_FEATURES:
        raise FormatError(
            UNKNOWN_FEATURES,
            _("The QED image sets feature bits %(bits)#x that this service does not know.")
            % {"bits": features & ~QED_KNOWN_FEATURES},
        )
    if features & QED_BACKING_FILE or backing_offset:
        raise _refuse_backing("QED")
    if not (_power_of_two(cluster_size, 4096, 1 << 26) and _power_of_two(table_size, 1, 16)):
        raise FormatError(CORRUPT, _("The QED cluster or table size is outside the specification's range."))
    return size // 512 * 512


def _power_of_two(value: int, low: int, high: int) -> bool:
    return low <= value <= high and value & (value - 1) == 0
