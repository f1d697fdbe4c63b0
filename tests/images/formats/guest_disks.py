"""Guest disks for the OS-detection tests, made with ordinary tools from directory trees: mkfs.ext4 -d, mkfs.xfs
with a protofile, mkfs.btrfs --rootdir, mkfs.vfat + mtools, mkntfs + ntfs-3g, sfdisk for MBR/GPT, hivexregedit
--merge for a Windows SOFTWARE hive. Every disk is sparse and a few tens of MB."""

import os
import shutil
import struct
import subprocess
from pathlib import Path

MiB = 1024 * 1024
ESP_TYPE = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
LINUX_TYPE = "0FC63DAF-8483-11D2-8E4D-00A0C93EC93B"
ELF_MACHINE = {"x86_64": 0x3E, "aarch64": 0xB7, "i386": 0x03}

RELEASES = {
    "debian": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
    "ubuntu": 'NAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nPRETTY_NAME="Ubuntu 22.04.4 LTS"\n',
    "almalinux": 'NAME="AlmaLinux"\nVERSION_ID="9.4"\nID="almalinux"\nPRETTY_NAME="AlmaLinux 9.4 (Seafoam Ocelot)"\n',
    "opensuse": 'NAME="openSUSE Leap"\nVERSION_ID="15.0"\nID="opensuse-leap"\nPRETTY_NAME="openSUSE Leap 15.0"\n',
}


def elf(machine: str) -> bytes:
    """The first bytes of an ELF executable of `machine`: all an architecture check reads."""
    return b"\x7fELF\x02\x01\x01" + bytes(9) + struct.pack("<HH", 2, ELF_MACHINE[machine]) + bytes(44)


def linux_tree(root: Path, distribution: str, *, machine: str = "x86_64", legacy: bool = False) -> Path:
    (root / "etc").mkdir(parents=True, exist_ok=True)
    (root / "usr/bin").mkdir(parents=True, exist_ok=True)
    if legacy:  # only the older release file: CentOS 6 and friends
        (root / "etc/redhat-release").write_text("CentOS release 6.10 (Final)\n")
    else:
        (root / "etc/os-release").write_text(RELEASES[distribution])
    (root / "usr/bin/true").write_bytes(elf(machine))
    return root


def pe(machine: int = 0x8664) -> bytes:
    head = bytearray(512)
    head[:2], head[60:64] = b"MZ", struct.pack("<I", 128)
    head[128:134] = b"PE\0\0" + struct.pack("<H", machine)
    return bytes(head)


def empty_hive(path: Path) -> Path:
    """A valid registry hive with only its root key: hivex needs an existing hive to merge into."""
    root_cell, sk_cell = 0x20, 0x20 + 0x58
    nk = (
        struct.pack(
            "<2sHQIIIIIIIIIIIIIIIHH",
            b"nk",
            0x2C,
            0,
            0,
            0,
            0,
            0,
            0xFFFFFFFF,
            0xFFFFFFFF,
            0,
            0xFFFFFFFF,
            sk_cell,
            0xFFFFFFFF,
            0,
            0,
            0,
            0,
            0,
            4,
            0,
        )
        + b"ROOT"
    )
    descriptor = struct.pack("<BBHIIII", 1, 0, 0x8004, 0, 0, 0, 0)
    sk = struct.pack("<2sHIIII", b"sk", 0, sk_cell, sk_cell, 1, len(descriptor)) + descriptor
    cells = bytearray()
    for body, size in ((nk, 0x58), (sk, 0x30)):
        cells += struct.pack("<i", -size) + body + bytes(size - 4 - len(body))
    free = 4096 - 32 - len(cells)
    cells += struct.pack("<i", free) + bytes(free - 4)
    hbin = struct.pack("<4sIIQQI", b"hbin", 0, 4096, 0, 0, 0)[:32] + bytes(cells)
    base = bytearray(4096)
    struct.pack_into("<4sIIQIIIIIII", base, 0, b"regf", 1, 1, 0, 1, 3, 0, 1, root_cell, 4096, 1)
    checksum = 0
    for (word,) in struct.iter_unpack("<I", bytes(base[:508])):
        checksum ^= word
    struct.pack_into("<I", base, 508, checksum)
    path.write_bytes(bytes(base) + hbin)
    return path


def software_hive(path: Path, *, product: str, build: str) -> Path:
    empty_hive(path)
    regfile = path.with_suffix(".reg")
    regfile.write_text(
        "Windows Registry Editor Version 5.00\n\n"
        "[\\Microsoft]\n\n[\\Microsoft\\Windows NT]\n\n[\\Microsoft\\Windows NT\\CurrentVersion]\n"
        f'"ProductName"="{product}"\n"CurrentBuild"="{build}"\n"CurrentBuildNumber"="{build}"\n'
    )
    subprocess.run(["hivexregedit", "--merge", str(path), str(regfile)], check=True, capture_output=True)
    return path


def windows_tree(root: Path, *, product: str = "Windows Server 2022 Datacenter", build: str = "20348") -> Path:
    config = root / "Windows/System32/config"
    config.mkdir(parents=True, exist_ok=True)
    software_hive(config / "SOFTWARE", product=product, build=build)
    (root / "Windows/System32/ntoskrnl.exe").write_bytes(pe())
    return root


def _run(*command: str) -> None:
    subprocess.run(list(command), check=True, capture_output=True)


def filesystem(kind: str, tree: Path | None, path: Path, *, size: int = 16 * MiB) -> Path:
    """A file system of `kind` holding `tree`, as the file `path`."""
    with open(path, "wb") as handle:
        handle.truncate(size)
    if kind == "ext4":
        _run("mkfs.ext4", "-q", "-F", *(["-d", str(tree)] if tree else []), str(path))
    elif kind == "xfs":
        proto = path.with_suffix(".proto")
        proto.write_text("/dev/null\n0 0\n" + _xfs_proto(tree, "d--755 0 0") + "\n")
        _run("mkfs.xfs", "-q", "-f", "-p", str(proto), str(path))
    elif kind == "btrfs":
        _run("mkfs.btrfs", "-q", "-f", *(["--rootdir", str(tree)] if tree else []), str(path))
    elif kind == "vfat":
        _run("mkfs.vfat", str(path))
        for item in sorted(tree.rglob("*")) if tree else ():
            target = "::/" + str(item.relative_to(tree))
            _run("mmd", "-i", str(path), target) if item.is_dir() else _run("mcopy", "-i", str(path), str(item), target)
    elif kind == "ntfs":
        _run("mkntfs", "-q", "-F", "-Q", str(path))
        if tree:
            _ntfs_copy(tree, path)
    return path


def btrfs_mountable() -> bool:
    """Whether `btrfs_in_subvolume` can run here: btrfs-progs, loop devices, the kernel's Btrfs, and root."""
    if not (shutil.which("mkfs.btrfs") and shutil.which("btrfs")) or os.geteuid() != 0:
        return False
    if not os.path.exists("/dev/loop-control"):
        return False
    with open("/proc/filesystems") as known:
        return "btrfs" in known.read()


def btrfs_in_subvolume(path: Path, tree: Path, *, size: int = 128 * MiB, snapshots: int = 0) -> Path:
    """A Btrfs file system whose root is `tree` copied into subvolume `@` (Ubuntu's layout), or into each snapper
    snapshot `@/.snapshots/N/snapshot` for N from 1 to `snapshots` (openSUSE's). mkfs.btrfs cannot make subvolumes
    before 6.x, so the file system is loop-mounted for a moment (root only)."""
    filesystem("btrfs", None, path, size=size)
    mount = path.with_suffix(".mnt")
    mount.mkdir()
    _run("mount", "-o", "loop", str(path), str(mount))
    try:
        _run("btrfs", "subvolume", "create", str(mount / "@"))
        targets = [mount / f"@/.snapshots/{number}/snapshot" for number in range(1, snapshots + 1)] or [mount / "@"]
        if snapshots:
            _run("btrfs", "subvolume", "create", str(mount / "@/.snapshots"))
        for target in targets[:snapshots]:
            target.parent.mkdir()
            _run("btrfs", "subvolume", "create", str(target))
        for target in targets:
            shutil.copytree(tree, target, symlinks=True, dirs_exist_ok=True)
    finally:
        _run("umount", str(mount))
        mount.rmdir()
    return path


def _xfs_proto(tree: Path | None, mode: str) -> str:
    lines = [mode]
    for item in sorted(tree.iterdir()) if tree else ():
        if item.is_symlink():
            lines.append(f"{item.name} l--777 0 0 {os.readlink(item)}")
        elif item.is_dir():
            lines.append(f"{item.name} " + _xfs_proto(item, "d--755 0 0"))
        else:
            lines.append(f"{item.name} ---644 0 0 {item}")
    return "\n".join(lines) + "\n$"


def _ntfs_copy(tree: Path, image: Path) -> None:
    """ntfscp cannot make folders, so the tree goes in through ntfs-3g (FUSE) for a moment."""
    mount = image.with_suffix(".mnt")
    mount.mkdir()
    _run("ntfs-3g", str(image), str(mount))
    try:
        shutil.copytree(tree, mount, dirs_exist_ok=True)
    finally:
        _run("umount", str(mount))
        mount.rmdir()


def partitioned(path: Path, table: str, parts: list[tuple[Path, str]], *, size: int = 48 * MiB) -> Path:
    """A disk with an MBR ("dos") or GPT table, each (file system file, GPT type) copied into its partition."""
    with open(path, "wb") as handle:
        handle.truncate(size)
    script, start = [f"label: {table}"], 2048
    for fs, kind in parts:
        sectors = -(-fs.stat().st_size // 512)
        type_ = kind if table == "gpt" else ("ef" if kind == ESP_TYPE else "83")
        script.append(f"start={start}, size={sectors}, type={type_}")
        start += sectors + 2048
    subprocess.run(["sfdisk", "-q", str(path)], input="\n".join(script).encode(), check=True, capture_output=True)
    start = 2048
    for fs, _kind in parts:
        _run("dd", f"if={fs}", f"of={path}", "bs=512", f"seek={start}", "conv=notrunc,sparse", "status=none")
        start += -(-fs.stat().st_size // 512) + 2048
    return path
