"""Is this uploaded file a disk image we can safely convert? The checks of image-safety §1, in order.

1. detect the format from the bytes (`detect.py`: every detector, exactly one match, archives refused);
2. the declared format must equal the detected one (declared raw included: a qcow2 header in a "raw" file is
   exactly the CVE-2024-40767 payload);
3. format-specific safety checks: external references, encryption, unknown versions and features, damaged
   headers (`qcow.py`, `vmdk.py`, `vhd.py`, `vhdx.py`, `vdi.py`);
4. policy limits on the file size and the disk (virtual) size, in Python ints, before qemu touches the file;
5. `qemu-img info` under limits must agree with step 3 (same format, same size, no backing or data file);
6. `qemu-img check` must find no corruption.

Why our own parsers rather than oslo.utils' `format_inspector` (read closely: its rule set is mirrored here, and
the tests run it beside ours on the accepted samples as a second opinion). It is a stream design, fed the file
from the first byte, and would have to be extended for nearly every format we accept:
- it misses the fixed VHD (footer only at the end of the file: it sees raw/gpt), VHD footer checksums, differencing
  VHD/VHDX/VDI, qcow2 encryption, a VMDK's parentFileNameHint, and archives;
- it bans QED and qcow v1, which IMS imports: they need parsers with a backing-file check anyway;
- its refusals are free-text strings and exceptions, while the API needs one stable code per check;
- fed a staged file, it reads to the end whenever an inspector waits for the end (the footer of a VMware
  streamOptimized VMDK) or for a region placed far into the file (a VHDX metadata region); here every parser
  reads only its header regions by offset, at most 2 MiB at a time, whatever the file size.
"""

from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from images.formats import qcow, vdi, vhd, vhdx, vmdk
from images.formats.detect import detect_format
from images.formats.errors import (
    FILE_TOO_LARGE,
    MISMATCH,
    PROPRIETARY,
    QEMU_FAILED,
    UNSUPPORTED,
    VIRTUAL_SIZE,
    FormatError,
)
from images.formats.qemu import qemu_check, qemu_info
from images.formats.reader import ImageFile

# Our format name → qemu-img driver. An ISO is read by the raw driver.
QEMU_DRIVERS = {
    "raw": "raw",
    "qcow2": "qcow2",
    "qcow": "qcow",
    "vmdk": "vmdk",
    "vhd": "vpc",
    "vhdx": "vhdx",
    "qed": "qed",
    "vdi": "vdi",
    "iso": "raw",
}
PROPRIETARY_FORMATS = ("zvhd", "zvhd2")
INT64_MAX = 2**63 - 1


def _whole_file(image: ImageFile) -> int:
    return image.size


DISK_SIZE = {
    "raw": _whole_file,
    "iso": _whole_file,
    "qcow2": qcow.qcow2_disk_size,
    "qcow": qcow.qcow_disk_size,
    "qed": qcow.qed_disk_size,
    "vmdk": vmdk.vmdk_disk_size,
    "vhd": vhd.vhd_disk_size,
    "vhdx": vhdx.vhdx_disk_size,
    "vdi": vdi.vdi_disk_size,
}


@dataclass(frozen=True)
class Inspection:
    format: str  # our name: raw, qcow2, qcow, vmdk, vhd, vhdx, qed, vdi, iso
    qemu_driver: str  # what every later qemu-img call must get as -f
    virtual_size: int  # bytes of the disk the conversion to raw produces (a raw file: its own size)
    file_size: int


def inspect_image_file(
    path: Path, *, declared_format: str | None, max_file_size: int, max_virtual_size: int
) -> Inspection:
    """Inspect a staged image file; a FormatError (one code per check, see errors.py) if it must be refused."""
    detected, virtual_size, file_size = inspect_headers(path, declared_format=declared_format)
    _check_limits(file_size, virtual_size, max_file_size=max_file_size, max_virtual_size=max_virtual_size)
    driver = QEMU_DRIVERS[detected]
    _cross_check(qemu_info(path, driver), detected, virtual_size)
    if driver != "raw":
        qemu_check(path, driver)
    return Inspection(format=detected, qemu_driver=driver, virtual_size=virtual_size, file_size=file_size)


def inspect_headers(path: Path, *, declared_format: str | None) -> tuple[str, int, int]:
    """Steps 1–3, from the file's bytes alone: (format, disk size, file size)."""
    declared = _declared(declared_format)
    with ImageFile.open(path) as image:
        detected = detect_format(image)
        if declared is not None and declared != detected:
            raise FormatError(
                MISMATCH,
                _(
                    "The file was declared as %(declared)s but its contents are %(detected)s. "
                    "Declare the real format, or convert the file first."
                )
                % {"declared": declared.upper(), "detected": detected.upper()},
            )
        return detected, DISK_SIZE[detected](image), image.size


def _declared(declared_format: str | None) -> str | None:
    if declared_format is None:
        return None
    declared = str(declared_format).strip().lower()
    if declared in PROPRIETARY_FORMATS:
        raise FormatError(
            PROPRIETARY,
            _(
                "ZVHD and ZVHD2 are proprietary formats without a public specification, so "
                "their contents cannot be checked. Convert the disk to QCOW2 or RAW (for "
                "example with `qemu-img convert -O qcow2`) and import that file."
            ),
        )
    if declared not in QEMU_DRIVERS:
        raise FormatError(
            UNSUPPORTED,
            _("%(format)r is not a supported image file format; use one of %(formats)s.")
            % {"format": declared[:16], "formats": ", ".join(sorted(QEMU_DRIVERS))},
        )
    return declared


def _check_limits(file_size: int, virtual_size: int, *, max_file_size: int, max_virtual_size: int) -> None:
    if file_size > max_file_size:
        raise FormatError(
            FILE_TOO_LARGE,
            _("The file is %(size)d bytes; at most %(limit)d bytes are accepted.")
            % {"size": file_size, "limit": max_file_size},
        )
    if virtual_size <= 0:
        raise FormatError(VIRTUAL_SIZE, _("The image holds a disk of size zero; there is nothing to import."))
    if virtual_size > min(max_virtual_size, INT64_MAX):
        raise FormatError(
            VIRTUAL_SIZE,
            _(
                "The image declares a disk of %(size)d bytes; at most %(limit)d bytes are "
                "accepted. A small file can declare a huge disk that fills the server "
                "when converted."
            )
            % {"size": virtual_size, "limit": max_virtual_size},
        )


def _cross_check(info: dict, detected: str, virtual_size: int) -> None:
    """qemu-img must see the disk the inspection saw: same size (a raw file: rounded up to whole sectors)."""
    expected = -(-virtual_size // 512) * 512 if QEMU_DRIVERS[detected] == "raw" else virtual_size
    if info["virtual-size"] != expected:
        raise FormatError(
            QEMU_FAILED,
            _(
                "qemu-img reads a disk of %(qemu)d bytes where the inspection found "
                "%(ours)d; the headers are inconsistent, so the file is refused."
            )
            % {"qemu": info["virtual-size"], "ours": expected},
        )
