"""How `btrfs restore` is run on a guest's Btrfs: confined by Landlock to writing beneath its own folder, with only
the newest snapper snapshots in its pattern, writing only what its last dry run listed and what that listing passed,
from a copy of bounded size, within the time the detection has left, and dying with the inspection child."""

import functools
import os
import re
import shutil
import signal
import subprocess
import time
import types

import pytest

from images.formats import btrfs
from images.formats.os_detection import Disk, inspect_disk
from tests.images.formats.guest_disks import MiB, btrfs_in_subvolume, btrfs_mountable, filesystem, linux_tree

needs_btrfs = pytest.mark.skipif(not shutil.which("mkfs.btrfs"), reason="btrfs-progs is not installed")
needs_btrfs_mount = pytest.mark.skipif(not btrfs_mountable(), reason="btrfs-progs, loop devices or root missing")
needs_landlock = pytest.mark.skipif(not btrfs._landlock_abi(), reason="the kernel has no Landlock")


def _confined(folder):
    """The preexec function of a restore confined to `folder`, and the ruleset to close afterwards."""
    ruleset = btrfs._write_confinement(folder)
    return functools.partial(btrfs._limit_restore, ruleset, 10), ruleset


@needs_landlock
def test_the_confinement_stops_a_child_writing_outside_its_folder(tmp_path):
    inside, readable = tmp_path / "inside", tmp_path / "readable"
    inside.mkdir()
    readable.write_text("guest\n")
    preexec, ruleset = _confined(inside)
    try:
        script = (
            f"echo x > {tmp_path}/outside; mkdir {tmp_path}/made; ln -s / {tmp_path}/link; rm {readable};"
            f"cat {readable} > {inside}/copy; mkdir {inside}/folder; mv {inside}/copy {tmp_path}/moved; true"
        )
        done = subprocess.run(["sh", "-c", script], preexec_fn=preexec, capture_output=True, check=True)
    finally:
        os.close(ruleset)
    assert b"Permission denied" in done.stderr
    assert not any((tmp_path / name).exists() for name in ("outside", "made", "link", "moved"))
    assert readable.exists() and (inside / "copy").read_text() == "guest\n" and (inside / "folder").is_dir()


def test_a_child_that_cannot_confine_itself_runs_nothing(tmp_path):
    not_a_ruleset = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        with pytest.raises(subprocess.SubprocessError):
            subprocess.run(
                ["sh", "-c", f"echo x > {tmp_path}/outside"],
                preexec_fn=functools.partial(btrfs._limit_restore, not_a_ruleset, 10),
                check=False,
            )
    finally:
        os.close(not_a_ruleset)
    assert not (tmp_path / "outside").exists()


def _fake_btrfs(tmp_path, body: str):
    fake = tmp_path / "bin/btrfs"
    fake.parent.mkdir(exist_ok=True)
    fake.write_text(f"#!/bin/sh\nfor root; do :; done\n{body}\n")  # the last argument is the restore's folder
    fake.chmod(0o755)
    return fake


@needs_btrfs
def test_without_landlock_btrfs_restore_is_never_run(tmp_path, monkeypatch):
    disk = filesystem("btrfs", linux_tree(tmp_path / "tree", "debian"), tmp_path / "disk.img", size=128 * MiB)
    fake = _fake_btrfs(tmp_path, f"touch {tmp_path}/ran")
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    monkeypatch.setattr(btrfs, "_landlock_abi", lambda: 0)
    with Disk.of_file(disk) as opened:
        findings = inspect_disk(opened, scratch=str(tmp_path))
    assert findings.filesystems == ["btrfs"] and not findings.found
    assert "cannot be restored confined on this machine" in findings.notes[0]
    assert not (tmp_path / "ran").exists()


@needs_landlock
def test_btrfs_restore_gets_neither_the_workers_environment_nor_its_limits(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "do-not-leak")
    root = tmp_path / "root"
    root.mkdir()
    fake = _fake_btrfs(tmp_path, 'env > "$root/environment"; cat /proc/$$/limits > "$root/limits"')
    with btrfs._BtrfsRestore(str(fake), tmp_path / "partition", root, time.monotonic() + 30) as run:
        run.listing("^/$")
    environment = (root / "environment").read_text()
    assert "do-not-leak" not in environment and "LC_ALL=C" in environment
    limits = {line[:26].strip(): line[26:].split()[:2] for line in (root / "limits").read_text().splitlines()[1:]}
    assert limits["Max address space"] == [str(btrfs.BTRFS_MEMORY)] * 2
    assert limits["Max file size"] == [str(btrfs.BTRFS_FILE_LIMIT)] * 2
    assert 0 < int(limits["Max cpu time"][0]) <= 31


@needs_landlock
def test_btrfs_restore_dies_with_the_inspection_child(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    fake = _fake_btrfs(tmp_path, 'echo $$ > "$root/pid"; exec sleep 60')
    child = os.fork()
    if child == 0:  # pragma: no cover - stands for the inspection child, killed at the deadline
        try:
            with btrfs._BtrfsRestore(str(fake), tmp_path / "partition", root, time.monotonic() + 60) as run:
                run.listing("^/$")
        finally:
            os._exit(0)
    try:
        pid = _eventually(lambda: (root / "pid").exists() and (root / "pid").read_text().strip())
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    assert pid, "the restore never started"
    assert _eventually(lambda: not _running(int(pid)))


def _eventually(check, seconds: float = 5.0):
    deadline = time.monotonic() + seconds
    while not (result := check()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return result


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _listing(root, *lines):
    return "\n".join(lines).format(root=root) + "\n"


SOUND = (
    "This is a dry-run, no files are going to be restored",
    "Restoring {root}/etc",
    "Restoring {root}/etc/os-release",
    "Done searching /etc",
    "SYMLINK: '{root}/bin' => '../usr/bin'",
    "Reached the end of the tree searching the directory",
    "Done searching ",
)


def test_a_sound_listing_passes(tmp_path):
    assert btrfs._listing_flaw(_listing(tmp_path, *SOUND), tmp_path) is None


@pytest.mark.parametrize(
    ("line", "flaw"),
    [
        ("../../../broker/x", "not understood"),  # what follows a newline inside a name
        ("", "not understood"),  # a name ending in a newline
        ("Restoring /var/broker/x", "not understood"),
        ("SYMLINK: '{root}/a' => 'b' => 'c'", "not understood"),
        ("Restoring {root}/etc/../../../broker/x", "'.' or '..'"),
        ("Restoring {root}/./etc", "'.' or '..'"),
        ("Restoring {root}/etc//passwd", "'.' or '..'"),
        ("SYMLINK: '{root}/etc/..' => '/'", "'.' or '..'"),
        ("Done searching /etc/../..", "'.' or '..'"),
    ],
)
def test_a_listing_with_an_unknown_line_or_a_dot_dot_is_refused(tmp_path, line, flaw):
    assert flaw in btrfs._listing_flaw(_listing(tmp_path, *SOUND, line), tmp_path)


def test_a_listing_with_too_many_entries_is_refused(tmp_path):
    most = [f"Restoring {{root}}/etc/file{number}" for number in range(btrfs.BTRFS_MAX_ENTRIES)]
    assert btrfs._listing_flaw(_listing(tmp_path, *most), tmp_path) is None
    too_many = _listing(tmp_path, *most, "SYMLINK: '{root}/bin' => 'usr/bin'")
    assert "more than 2000 entries" in btrfs._listing_flaw(too_many, tmp_path)
    cut_short = "Restoring {root}/etc/" + "x" * btrfs.BTRFS_FILE_LIMIT
    assert "too long" in btrfs._listing_flaw(_listing(tmp_path, cut_short), tmp_path)


@needs_btrfs
@needs_landlock
def test_a_btrfs_with_a_newline_in_a_name_is_noted_not_restored(tmp_path):
    """With REG_NEWLINE, `^/(|etc)$` matches "/etc\\n": the folder would be restored, and below it a crafted name
    holding "/../" would lead out of the tree."""
    tree = linux_tree(tmp_path / "tree", "debian")
    (tree / "etc\n").mkdir()
    (tree / "etc\n/os-release").write_text("ID=crafted\n")
    disk = filesystem("btrfs", tree, tmp_path / "disk.img", size=128 * MiB)
    with Disk.of_file(disk) as opened:
        findings = inspect_disk(opened, scratch=str(tmp_path))
    assert findings.filesystems == ["btrfs"] and not findings.found
    assert "its listing has a line that is not understood" in findings.notes[0]


def test_the_final_pattern_names_only_the_newest_snapshots(tmp_path):
    listed = _listing(
        tmp_path,
        *(f"Restoring {{root}}/@/.snapshots/{number}" for number in range(1, 11)),
        "Restoring {root}/@/.snapshots/\uff11\uff12",  # fullwidth digits: not a snapper number
        "Restoring {root}/.snapshots/2",
    )
    roots = btrfs._btrfs_roots(listed, tmp_path)
    newest = [("@", ".snapshots", str(number), "snapshot") for number in (10, 9, 8, 7)]
    assert roots == [(), ("@",), *newest, (".snapshots", "2", "snapshot")]
    pattern = btrfs._btrfs_path_regex(roots)
    assert "[0-9]" not in pattern
    assert re.fullmatch(pattern, "/@/.snapshots/10/snapshot/etc/os-release")
    assert re.fullmatch(pattern, "/.snapshots/2/snapshot/usr/bin/true")
    assert not re.fullmatch(pattern, "/@/.snapshots/6/snapshot/etc/os-release")
    assert not re.fullmatch(pattern, "/@/.snapshots/11/snapshot/etc/os-release")


@needs_btrfs_mount
@needs_landlock
def test_the_writing_run_restores_what_its_last_dry_run_listed_from_the_newest_snapshots(tmp_path, monkeypatch):
    disk = btrfs_in_subvolume(tmp_path / "disk.img", linux_tree(tmp_path / "tree", "opensuse"), snapshots=6)
    runs, run = [], btrfs._BtrfsRestore._run

    def recorded(self, options, pattern):
        runs.append((options, pattern))
        return run(self, options, pattern)

    monkeypatch.setattr(btrfs._BtrfsRestore, "_run", recorded)
    with Disk.of_file(disk) as opened:
        findings = inspect_disk(opened, scratch=str(tmp_path))
    assert findings.distribution == "opensuse-leap" and findings.notes == []
    (listing, listed), (writing, written) = runs[-2:]
    assert "-D" in listing and "-D" not in writing and written == listed
    assert re.fullmatch(written, "/@/.snapshots/3/snapshot/etc/os-release")
    assert not re.fullmatch(written, "/@/.snapshots/2/snapshot/etc/os-release")


def test_a_copy_holding_more_data_than_the_limit_stops_at_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(btrfs, "BTRFS_DATA_LIMIT", 2 * MiB)
    disk = Disk(lambda offset, length: b"\x01" * length, 64 * MiB)  # as a small compressed qcow2 may decode
    reason = btrfs._sparse_copy(disk, 0, disk.size, tmp_path / "copy")
    assert reason.endswith("of data, too large to be read")
    assert (tmp_path / "copy").stat().st_blocks * 512 <= 2 * MiB + 64 * 1024


def test_no_copy_is_made_without_room_for_it(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "disk_usage", lambda path: types.SimpleNamespace(free=3 * 1024**3))
    disk = Disk(lambda offset, length: b"\x01" * length, 2 * 1024**3)
    reason = btrfs._sparse_copy(disk, 0, disk.size, tmp_path / "copy")
    assert reason == "there is not enough free space to copy it"
    assert not (tmp_path / "copy").exists()


@needs_btrfs
def test_a_btrfs_holding_more_data_than_the_limit_is_noted_too_large(tmp_path, monkeypatch):
    disk = filesystem("btrfs", linux_tree(tmp_path / "tree", "debian"), tmp_path / "disk.img", size=128 * MiB)
    monkeypatch.setattr(btrfs, "BTRFS_DATA_LIMIT", 64 * 1024)
    with Disk.of_file(disk) as opened:
        findings = inspect_disk(opened, scratch=str(tmp_path))
    assert not findings.found and "too large to be read" in findings.notes[0]
