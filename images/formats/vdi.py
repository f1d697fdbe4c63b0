"""VirtualBox VDI: version 1.1 headers, normal (dynamic) or fixed images; differencing images are refused.

Layout: qemu block/vdi.c (the header follows a 64-byte text banner; fields are little-endian).
"""

import struct

from django.utils.translation import gettext as _

from images.formats.errors import DIFFERENCING, UNKNOWN_FEATURES, FormatError
from images.formats.reader import ImageFile

VERSION_1_1 = 0x00010001
NORMAL, FIXED, UNDO, DIFFERENCING_IMAGE = 1, 2, 3, 4
LINK_UUID = 0x1A8  # followed by the parent UUID: both are zero in a self-contained image


def vdi_disk_size(image: ImageFile) -> int:
    header = image.read_exact(0, 0x200, _("VDI header"))
    version, _header_size, image_type = struct.unpack_from("<III", header, 0x44)
    if version != VERSION_1_1:
        raise FormatError(
            UNKNOWN_FEATURES,
            _("The VDI header has version %(major)d.%(minor)d; only 1.1 is understood.")
            % {"major": version >> 16, "minor": version & 0xFFFF},
        )
    if image_type in (UNDO, DIFFERENCING_IMAGE) or any(header[LINK_UUID : LINK_UUID + 32]):
        raise FormatError(
            DIFFERENCING,
            _(
                "The VDI is an undo or differencing image, which needs a parent; only "
                "normal and fixed images are accepted."
            ),
        )
    if image_type not in (NORMAL, FIXED):
        raise FormatError(UNKNOWN_FEATURES, _("The VDI image type %(type)d is unknown.") % {"type": image_type})
    (size,) = struct.unpack_from("<Q", header, 0x170)
    return size // 512 * 512
