"""qemu-img is called safely: explicit formats, absolute ':'-free paths, limits and timeouts; conversions are
checked on the way out (import) and on the way back (export)."""

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from images.formats import conversion, qemu
from images.formats.conversion import convert_from_raw
from images.formats.inspector import inspect_image_file
from images.formats.qemu import Limits, qemu_check, qemu_info
from tests.images.formats.conftest import needs_qemu_img

pytestmark = needs_qemu_img

MIB = 1024**2


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def to_raw(path: Path, driver: str, out: Path) -> None:
    subprocess.run(["qemu-img", "convert", "-f", driver, "-O", "raw", str(path), str(out)], check=True)


def qemu_img_info(path: Path, driver: str) -> dict:
    out = subprocess.run(
        ["qemu-img", "info", "-f", driver, "--output=json", str(path)],
        check=True,
        capture_output=True,
        env={"LC_ALL": "C", "PATH": os.environ.get("PATH", os.defpath)},
    )
    return json.loads(out.stdout)


@pytest.mark.parametrize("path", ["relative.qcow2", '/srv/json:{"driver":"file"}', "/srv/nbd:host:10809"])
def test_paths_must_be_absolute_and_free_of_protocol_prefixes(path):
    with pytest.raises(ValueError):
        qemu_info(Path(path), "qcow2")


def test_info_returns_qemu_view_of_the_image(accepted):
    info = qemu_info(accepted["qcow2-v3"].path, "qcow2")
    assert (info["format"], info["virtual-size"]) == ("qcow2", 4 * MIB)


def test_info_refuses_a_file_that_is_not_the_given_format(accepted):
    with pytest.raises(qemu.FormatError) as refused:
        qemu_info(accepted["raw"].path, "qcow2")
    assert refused.value.code == "IMG.0714"
    assert str(accepted["raw"].path) not in refused.value.message


def test_info_refuses_a_backing_file_on_its_own(hostile_images):
    with pytest.raises(qemu.FormatError) as refused:
        qemu_info(hostile_images["qcow2-backing-file"].path, "qcow2")
    assert refused.value.code == "IMG.0705"


def test_info_refuses_a_vmdk_whose_type_is_not_allowed(tmp_path):
    flat = tmp_path / "flat.vmdk"
    subprocess.run(
        ["qemu-img", "create", "-f", "vmdk", "-o", "subformat=monolithicFlat", str(flat), "1M"],
        check=True,
        capture_output=True,
    )
    with pytest.raises(qemu.FormatError) as refused:
        qemu_info(flat, "vmdk")
    assert refused.value.code == "IMG.0707"


def test_check_accepts_a_sound_image_and_reports_formats_without_checks(accepted):
    assert qemu_check(accepted["qcow2-v3"].path, "qcow2")["check-errors"] == 0
    assert qemu_check(accepted["vhd-dynamic"].path, "vpc") is None  # exit 63: vpc has no check


def test_check_refuses_a_truncated_image(hostile_images):
    with pytest.raises(qemu.FormatError) as refused:
        qemu_check(hostile_images["qcow2-truncated"].path, "qcow2")
    assert refused.value.code == "IMG.0711"


def test_info_timeout_is_enforced(accepted, monkeypatch):
    monkeypatch.setattr(qemu, "INFO_LIMITS", Limits(memory=qemu.GiB, cpu=30, wall=0.000001))
    with pytest.raises(qemu.FormatError) as refused:
        inspect_image_file(
            accepted["qcow2-v3"].path, declared_format="qcow2", max_file_size=MIB**2, max_virtual_size=MIB**2
        )
    assert refused.value.code == "IMG.0717"


def test_check_timeout_is_enforced(accepted, monkeypatch):
    monkeypatch.setattr(qemu, "CHECK_LIMITS", Limits(memory=qemu.GiB, cpu=30, wall=0.000001))
    with pytest.raises(qemu.FormatError) as refused:
        qemu_check(accepted["qcow2-v3"].path, "qcow2")
    assert refused.value.code == "IMG.0717"


def test_memory_limit_reaches_qemu_img(accepted, monkeypatch):
    monkeypatch.setattr(qemu, "INFO_LIMITS", Limits(memory=8 * MIB, cpu=30, wall=60))
    with pytest.raises(qemu.FormatError) as refused:
        qemu_info(accepted["qcow2-v3"].path, "qcow2")
    assert refused.value.code == "IMG.0714"


def test_child_gets_the_limits_and_none_of_our_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "do-not-leak")
    shown = subprocess.run(
        ["sh", "-c", "ulimit -v; ulimit -t; ulimit -c; env"],
        capture_output=True,
        text=True,
        env=qemu.qemu_environment(),
        preexec_fn=qemu.child_limits(qemu.GiB, 30),
        check=True,
    ).stdout
    memory, cpu, core, *environment = shown.splitlines()
    assert (int(memory), int(cpu), int(core)) == (qemu.GiB // 1024, 30, 0)
    assert "SECRET_KEY=do-not-leak" not in environment
    assert "LC_ALL=C" in environment


def test_conversion_reports_progress_up_to_done(pattern, tmp_path):
    seen = []
    convert_from_raw(pattern, tmp_path / "export.qcow2", "qcow2", on_progress=seen.append)
    assert seen and seen == sorted(seen) and seen[-1] == 1.0 and all(0.0 <= value <= 1.0 for value in seen)


def test_conversion_timeout_is_enforced_and_leaves_nothing(pattern, tmp_path):
    out = tmp_path / "export.qcow2"
    with pytest.raises(qemu.FormatError) as refused:
        convert_from_raw(pattern, out, "qcow2", timeout=0.000001)
    assert refused.value.code == "IMG.0717"
    assert not out.exists()


@pytest.mark.parametrize(
    "out_format, driver, details",
    [
        ("qcow2", "qcow2", {"compat": "1.1"}),
        ("vmdk", "vmdk", {"create-type": "streamOptimized"}),
        ("vhd", "vpc", {}),
    ],
)
def test_export_produces_the_format_and_round_trips(pattern, tmp_path, out_format, driver, details):
    out = tmp_path / f"export.{out_format}"
    result = convert_from_raw(pattern, out, out_format)
    assert (result.format, result.qemu_driver, result.virtual_size) == (out_format, driver, 4 * MIB)
    info = qemu_img_info(out, driver)
    assert (info["format"], info["virtual-size"]) == (driver, 4 * MIB)
    assert details.items() <= info.get("format-specific", {}).get("data", {}).items()
    back = tmp_path / "back.raw"
    to_raw(out, driver, back)
    assert sha256(back) == sha256(pattern)


def test_export_to_an_unsupported_format_is_refused(pattern, tmp_path):
    with pytest.raises(qemu.FormatError) as refused:
        convert_from_raw(pattern, tmp_path / "export.vdi", "vdi")
    assert refused.value.code == "IMG.0701"


def test_export_failure_leaves_nothing(pattern, tmp_path, monkeypatch):
    monkeypatch.setitem(conversion.EXPORTS, "vhd", ("vpc", "subformat=no-such-subformat"))
    out = tmp_path / "export.vhd"
    with pytest.raises(qemu.FormatError) as refused:
        convert_from_raw(pattern, out, "vhd")
    assert refused.value.code == "IMG.0716"
    assert not out.exists()
