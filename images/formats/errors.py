"""Refusals of the image-format layer: one stable code per check, so a tenant and an operator can tell which rule
stopped a file.

The codes are part of the API (the import job's failure reason carries them): never renumber one, only add.
The messages are written where the check fails, so they can say what was found; the titles below name the check.
"""

from django.utils.translation import gettext_lazy

from core.errors import ImsError

UNSUPPORTED = "IMG.0701"
POLYGLOT = "IMG.0702"
MISMATCH = "IMG.0703"
COMPRESSED = "IMG.0704"
BACKING_FILE = "IMG.0705"
DATA_FILE = "IMG.0706"
VMDK_LAYOUT = "IMG.0707"
DIFFERENCING = "IMG.0708"
ENCRYPTED = "IMG.0709"
UNKNOWN_FEATURES = "IMG.0710"
CORRUPT = "IMG.0711"
FILE_TOO_LARGE = "IMG.0712"
VIRTUAL_SIZE = "IMG.0713"
QEMU_FAILED = "IMG.0714"
PROPRIETARY = "IMG.0715"
CONVERSION = "IMG.0716"
TIMED_OUT = "IMG.0717"
NO_OPERATING_SYSTEM = "IMG.0730"
OS_CONTRADICTS = "IMG.0731"
DETECTION_TIMED_OUT = "IMG.0732"
NO_ISO_VOLUME = "IMG.0733"

CODES = {
    UNSUPPORTED: gettext_lazy("The file format is not supported, or the declared format is unknown."),
    POLYGLOT: gettext_lazy("The file matches more than one disk format (a polyglot file)."),
    MISMATCH: gettext_lazy("The file's contents are not in the declared format."),
    COMPRESSED: gettext_lazy("The file is a compressed file or an archive, not a disk image."),
    BACKING_FILE: gettext_lazy("The image refers to a backing (parent) file."),
    DATA_FILE: gettext_lazy("The qcow2 image keeps its data in an external data file."),
    VMDK_LAYOUT: gettext_lazy("The VMDK type, descriptor or extents are not allowed."),
    DIFFERENCING: gettext_lazy("The image is a differencing disk that needs a parent disk."),
    ENCRYPTED: gettext_lazy("The image is encrypted (LUKS or qcow encryption)."),
    UNKNOWN_FEATURES: gettext_lazy("The image uses a format version or feature this service does not know."),
    CORRUPT: gettext_lazy("The image is corrupt or truncated."),
    FILE_TOO_LARGE: gettext_lazy("The file is larger than allowed."),
    VIRTUAL_SIZE: gettext_lazy("The disk size in the image is zero or larger than allowed."),
    QEMU_FAILED: gettext_lazy("qemu-img could not read the image, or read it differently from the inspection."),
    PROPRIETARY: gettext_lazy("ZVHD and ZVHD2 are proprietary formats without a public specification."),
    CONVERSION: gettext_lazy("The conversion failed or produced something other than the requested format."),
    TIMED_OUT: gettext_lazy("Inspecting or converting the image took longer than allowed."),
    NO_OPERATING_SYSTEM: gettext_lazy("No operating system found in the image file."),
    OS_CONTRADICTS: gettext_lazy("The operating system given contradicts the one found in the image file."),
    DETECTION_TIMED_OUT: gettext_lazy("Looking for the operating system in the image took longer than allowed."),
    NO_ISO_VOLUME: gettext_lazy("The ISO file holds no ISO 9660 or UDF volume."),
}


class FormatError(ImsError):
    """A disk image file was refused: `code` is one of CODES, `message` says what was found and why it matters."""

    status = 400

    def __init__(self, code: str, message: str):
        if code not in CODES:
            raise ValueError(f"unknown image format error code {code!r}")
        super().__init__(code, message, 400)
