"""The inspection accepts every supported format with its true disk size and refuses every attack class of
image-safety.md with that class's own error code."""

import hashlib
import json
import os
import random
import shutil
import subprocess
import tracemalloc
from pathlib import Path

import pytest

from images.formats import inspector
from images.formats.errors import CODES, FormatError
from images.formats.inspector import Inspection, inspect_headers, inspect_image_file
from images.formats.reader import MAX_READ, ImageFile
from tests.images.formats import hostile
from tests.images.formats.conftest import needs_qemu_img

pytestmark = needs_qemu_img

MIB, GIB, TIB = 1024**2, 1024**3, 1024**4
LIMITS = {"max_file_size": 64 * MIB, "max_virtual_size": TIB}

# Attack (see hostile.build_hostile) → the code it must be refused with.
REFUSALS = {
    "parallels": "IMG.0701",
    "polyglot-qcow2-iso": "IMG.0702",
    "polyglot-qcow2-mbr": "IMG.0702",
    "polyglot-iso-with-qcow2-system-area": "IMG.0702",
    "polyglot-qcow2-vhd-footer": "IMG.0702",
    "raw-with-qcow2-header": "IMG.0703",
    "qcow2-declared-vmdk": "IMG.0703",
    "compressed-gzip": "IMG.0704",
    "compressed-bzip2": "IMG.0704",
    "compressed-xz": "IMG.0704",
    "compressed-zstd": "IMG.0704",
    "compressed-zip": "IMG.0704",
    "compressed-tar-ova": "IMG.0704",
    "qcow2-backing-file": "IMG.0705",
    "qcow-v1-backing-file": "IMG.0705",
    "qed-backing-file": "IMG.0705",
    "vmdk-parent-file": "IMG.0705",
    "qcow2-data-file": "IMG.0706",
    "qcow2-data-file-extension-only": "IMG.0706",
    "vmdk-monolithic-flat-descriptor": "IMG.0707",
    "vmdk-sparse-capacity-zero": "IMG.0707",
    "vmdk-sparse-flat-extent": "IMG.0707",
    "vhd-differencing": "IMG.0708",
    "vhdx-has-parent": "IMG.0708",
    "vdi-differencing": "IMG.0708",
    "luks": "IMG.0709",
    "qcow2-aes-encrypted": "IMG.0709",
    "qcow2-version-4": "IMG.0710",
    "qcow2-unknown-incompatible-bit": "IMG.0710",
    "qcow2-truncated": "IMG.0711",
    "qcow2-marked-corrupt": "IMG.0711",
    "vhd-bad-checksum": "IMG.0711",
    "vhd-dynamic-truncated": "IMG.0711",
    "vhdx-region-count": "IMG.0711",
    "vmdk-stream-optimized-truncated": "IMG.0711",
    "qcow2-1-pib": "IMG.0713",
    "qcow2-16-eib-header": "IMG.0713",
    "zero-bytes": "IMG.0713",
    "qcow2-refcount-table-misaligned": "IMG.0714",
    "zvhd": "IMG.0715",
    "zvhd2": "IMG.0715",
}


def sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while piece := handle.read(MIB):
            digest.update(piece)
    return digest.hexdigest()


def qemu_img_info(path, driver) -> dict:
    out = subprocess.run(
        ["qemu-img", "info", "-f", driver, "--output=json", str(path)],
        check=True,
        capture_output=True,
        env={"LC_ALL": "C", "PATH": os.environ.get("PATH", os.defpath)},
    )
    return json.loads(out.stdout)


@pytest.mark.parametrize("name", hostile.ACCEPTED)
def test_accepted_format_is_detected_with_its_disk_size(accepted, name):
    sample = accepted[name]
    result = inspect_image_file(sample.path, declared_format=sample.declared, **LIMITS)
    driver = inspector.QEMU_DRIVERS[sample.expected]
    assert result == Inspection(sample.expected, driver, result.virtual_size, sample.path.stat().st_size)
    assert result.virtual_size == qemu_img_info(sample.path, driver)["virtual-size"]
    assert result.virtual_size >= sample.disk.stat().st_size


@pytest.mark.parametrize("name", hostile.ACCEPTED)
def test_accepted_format_converts_to_the_same_disk_bytes(accepted, name, tmp_path):
    sample = accepted[name]
    result = inspect_image_file(sample.path, declared_format=None, **LIMITS)
    out = tmp_path / "disk.raw"
    subprocess.run(
        ["qemu-img", "convert", "-f", result.qemu_driver, "-O", "raw", str(sample.path), str(out)], check=True
    )
    size = out.stat().st_size
    assert size == -(-result.virtual_size // 512) * 512
    disk = sample.disk.read_bytes()
    expected = hashlib.sha256(disk + bytes(size - len(disk))).hexdigest()  # formats rounding the size up add zeros
    assert sha256(out) == expected


@pytest.mark.parametrize("name", REFUSALS)
def test_attack_is_refused_with_its_own_code(hostile_images, name):
    sample = hostile_images[name]
    with pytest.raises(FormatError) as refused:
        inspect_image_file(sample.path, declared_format=sample.declared, **LIMITS)
    assert refused.value.code == REFUSALS[name], refused.value.message
    assert refused.value.status == 400
    assert str(sample.path.parent) not in refused.value.message


def test_refusal_table_covers_every_generated_attack(hostile_images):
    assert set(hostile_images) == set(REFUSALS)


def test_every_error_code_but_runtime_ones_has_a_sample():
    runtime = {"IMG.0712", "IMG.0716", "IMG.0717"}  # file cap, conversion, timeout: tested with their own setups
    # What is inside the disk, not its container: test_os_detection.py and imports/test_import_os_detection.py.
    runtime |= {"IMG.0730", "IMG.0731", "IMG.0732", "IMG.0733"}
    assert set(REFUSALS.values()) | runtime == set(CODES)


@pytest.mark.parametrize("declared", ["raw", "vmdk", "vhd", "qcow", "iso"])
def test_declared_format_must_match_the_bytes(accepted, declared):
    with pytest.raises(FormatError) as refused:
        inspect_image_file(accepted["qcow2-v3"].path, declared_format=declared, **LIMITS)
    assert refused.value.code == "IMG.0703"


def test_declared_format_is_case_insensitive(accepted):
    assert inspect_image_file(accepted["qcow2-v3"].path, declared_format="QCOW2", **LIMITS).format == "qcow2"


@pytest.mark.parametrize("declared", ["ova", "vpc", "gpt", ""])
def test_unknown_declared_format_is_refused(accepted, declared):
    with pytest.raises(FormatError) as refused:
        inspect_image_file(accepted["raw"].path, declared_format=declared, **LIMITS)
    assert refused.value.code == "IMG.0701"


def test_fixed_vhd_is_accepted_although_its_disk_starts_with_an_mbr(accepted):
    sample = accepted["vhd-fixed-exact-size"]
    assert sample.path.read_bytes()[510:512] == b"\x55\xaa"
    assert inspect_image_file(sample.path, declared_format="vhd", **LIMITS).format == "vhd"


def test_file_larger_than_the_cap_is_refused(accepted):
    path = accepted["qcow2-v3"].path
    with pytest.raises(FormatError) as refused:
        inspect_image_file(path, declared_format="qcow2", max_file_size=path.stat().st_size - 1, max_virtual_size=TIB)
    assert refused.value.code == "IMG.0712"


def test_disk_larger_than_the_cap_is_refused(accepted):
    with pytest.raises(FormatError) as refused:
        inspect_image_file(
            accepted["vmdk-stream-optimized"].path,
            declared_format="vmdk",
            max_file_size=GIB,
            max_virtual_size=4 * MIB - 512,
        )
    assert refused.value.code == "IMG.0713"


def test_disk_exactly_at_the_caps_is_accepted(accepted):
    path = accepted["qcow2-v3"].path
    result = inspect_image_file(
        path, declared_format="qcow2", max_file_size=path.stat().st_size, max_virtual_size=4 * MIB
    )
    assert result.virtual_size == 4 * MIB


def test_inspector_disagreeing_with_qemu_is_refused(accepted, monkeypatch):
    monkeypatch.setattr(inspector, "qemu_info", lambda path, driver: {"format": driver, "virtual-size": 512})
    with pytest.raises(FormatError) as refused:
        inspect_image_file(accepted["qcow2-v3"].path, declared_format="qcow2", **LIMITS)
    assert refused.value.code == "IMG.0714"


def test_huge_sparse_raw_is_inspected_from_its_headers_only(tmp_path):
    path = tmp_path / "sparse.raw"
    with open(path, "wb") as handle:
        handle.truncate(512 * GIB)  # a hole: reading it all would take minutes
    tracemalloc.start()
    try:
        result = inspect_image_file(path, declared_format="raw", max_file_size=TIB, max_virtual_size=TIB)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.virtual_size == 512 * GIB
    assert peak < 3 * MIB


def test_reader_refuses_oversized_reads(accepted):
    with ImageFile.open(accepted["raw"].path) as image, pytest.raises(FormatError) as refused:
        image.read(0, MAX_READ + 1)
    assert refused.value.code == "IMG.0711"


def test_odd_sized_raw_keeps_its_exact_size(tmp_path):
    path = tmp_path / "odd.raw"
    path.write_bytes(b"\x01" * 1000)
    assert inspect_image_file(path, declared_format="raw", **LIMITS).virtual_size == 1000


def test_detection_agrees_with_openstack_inspector(accepted):
    """oslo.utils' inspector as a second opinion where it has no known gap (fixed VHD, MBR, qcow v1, QED)."""
    format_inspector = pytest.importorskip("oslo_utils.imageutils.format_inspector")
    for name in (
        "qcow2-v3",
        "qcow2-v2",
        "vmdk-monolithic-sparse",
        "vmdk-stream-optimized",
        "vhd-dynamic",
        "vhdx",
        "vdi-dynamic",
        "iso",
    ):
        sample = accepted[name]
        theirs = format_inspector.detect_file_format(str(sample.path))
        ours = inspect_image_file(sample.path, declared_format=None, **LIMITS)
        assert str(theirs) == ours.format, name
        theirs.safety_check()
        if ours.format not in ("vhd", "iso"):  # oslo reads VHD size from current_size, not qemu's CHS rule
            assert theirs.virtual_size == ours.virtual_size, name


def test_damaged_headers_are_refused_never_crash_the_parsers(accepted, tmp_path):
    """Random byte edits in every header region either still parse or give a FormatError, never another error."""
    rng = random.Random(20240607)
    for name, sample in accepted.items():
        target = Path(shutil.copyfile(sample.path, tmp_path / name))
        size = target.stat().st_size
        regions = [(0, min(size, 4096)), (max(size - 1536, 0), min(size, 1536)), (192 * 1024, 64 * 1024)]
        with open(target, "r+b") as handle:
            for _round in range(150):
                offset, length = rng.choice([region for region in regions if region[0] < size])
                original = os.pread(handle.fileno(), length, offset)
                damaged = bytearray(original)
                for _edit in range(rng.randint(1, 6)):
                    damaged[rng.randrange(len(damaged))] = rng.choice((0, 0xFF, rng.randrange(256)))
                os.pwrite(handle.fileno(), bytes(damaged), offset)
                try:
                    inspect_headers(target, declared_format=None)
                except FormatError:
                    pass
                os.pwrite(handle.fileno(), original, offset)
