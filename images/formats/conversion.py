"""Export's conversion: a raw disk to qcow2, streamOptimized VMDK or dynamic VHD, the result inspected in full
(above both `qemu`, which runs qemu-img, and `inspector`, which calls `qemu` for its own checks)."""

import os
from pathlib import Path

from django.utils.translation import gettext as _

from images.formats.errors import CONVERSION, UNSUPPORTED, FormatError
from images.formats.inspector import Inspection, inspect_image_file
from images.formats.qemu import CONVERT_TIMEOUT, remove_quietly, run_convert, safe_path

# Export targets: our format name → qemu driver and creation options (force_size keeps a VHD's exact size).
EXPORTS = {
    "qcow2": ("qcow2", "compat=1.1"),
    "vmdk": ("vmdk", "subformat=streamOptimized"),
    "vhd": ("vpc", "subformat=dynamic,force_size=on"),
}


def convert_from_raw(
    src_raw: Path, dst: Path, out_format: str, *, on_progress=None, timeout: float = CONVERT_TIMEOUT
) -> Inspection:
    """Returns the output's `Inspection`; its format must be `out_format` and its disk the raw disk's size.
    `on_progress(fraction)` gets 0.0–1.0. On any failure `dst` is removed."""
    source = safe_path(src_raw)
    return _convert(source, os.stat(source).st_size, dst, out_format, on_progress=on_progress, timeout=timeout)


def convert_from_nbd(
    socket_path: Path, size: int, dst: Path, out_format: str, *, on_progress=None, timeout: float = CONVERT_TIMEOUT
) -> Inspection:
    """The same from a raw disk of `size` bytes served over NBD on the unix socket `socket_path`."""
    socket = safe_path(socket_path)
    if any(char in socket for char in "?&#%= "):
        raise ValueError("the NBD socket path must not need escaping in a URI")
    return _convert(f"nbd+unix:///?socket={socket}", size, dst, out_format, on_progress=on_progress, timeout=timeout)


def _convert(source: str, size: int, dst: Path, out_format: str, *, on_progress, timeout: float) -> Inspection:
    if out_format not in EXPORTS:
        raise FormatError(
            UNSUPPORTED,
            _("Export to %(format)s is not supported; choose QCOW2, VMDK or VHD.") % {"format": str(out_format)[:16]},
        )
    driver, options = EXPORTS[out_format]
    target = safe_path(dst)
    # The source is always given as raw: a guest disk that happens to start with an image header is never probed.
    run_convert(
        ["-f", "raw", "-O", driver, "-o", options, source, target], target, on_progress=on_progress, timeout=timeout
    )
    try:
        result = inspect_image_file(
            Path(target), declared_format=out_format, max_file_size=2**63 - 1, max_virtual_size=2**63 - 1
        )
    except FormatError as error:
        remove_quietly(target)
        raise FormatError(
            CONVERSION,
            _("The exported %(format)s file does not pass inspection: %(reason)s")
            % {"format": out_format, "reason": error.message},
        ) from error
    expected = -(-size // 512) * 512  # qemu shows a raw disk rounded up to whole sectors
    if result.virtual_size != expected:
        remove_quietly(target)
        raise FormatError(
            CONVERSION,
            _("The exported disk is %(got)d bytes instead of %(want)d.")
            % {"got": result.virtual_size, "want": expected},
        )
    return result
