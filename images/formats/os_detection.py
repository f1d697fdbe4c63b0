"""What is inside a disk: partition table, file systems, and the operating system with its architecture and boot
mode, read from the decoded disk (a raw file, or qemu-nbd's block device) and never from a mounted file system.

Libraries (chosen in the README's "OS detection" section): The Sleuth Kit through `pytsk3` reads MBR and GPT
tables and ext2/3/4, NTFS, FAT and ISO 9660; `libfsxfs` reads XFS and `libvslvm` LVM2 (both libyal, LGPL);
`regipy` reads the Windows SOFTWARE hive. Btrfs, which has no maintained library with a license fit for the default
install, is read by btrfs-progs' own `btrfs restore`, run confined as a separate program (`btrfs.py`).

A crafted file system can make a C reader loop or allocate without end, so `detect_os` runs the inspection in a
forked child with an address-space and CPU limit and a wall-clock deadline; the parent only reads its JSON answer.
`btrfs restore` gets the time left before that deadline, and dies with the child.
"""

import json
import os
import resource
import select
import shutil
import signal
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from images.formats.btrfs import BTRFS_ANSWER_SHARE, BtrfsFiles, Scratch
from images.formats.errors import DETECTION_TIMED_OUT, FormatError
from images.formats.guest_disk import ELF_FILES, KERNEL_FILES, RELEASE_FILES, Disk, follow_links
from images.formats.os_facts import (
    architecture_of_elf,
    architecture_of_kernel,
    architecture_of_pe,
    release_of_files,
    windows_release,
)

DETECTION_SECONDS = 120.0
DETECTION_MEMORY = 768 * 1024 * 1024  # on top of what the worker already maps
MAX_TEXT = 64 * 1024
MAX_HIVE = 256 * 1024 * 1024
SECTOR = 512
MAX_NAME = 128
KERNEL_HEAD = 4096


@dataclass
class Findings:
    """What the disk holds. `os_type` is "" when no operating system was found."""

    partition_table: str = ""  # "mbr", "gpt" or "" (a bare disk)
    filesystems: list = field(default_factory=list)
    os_type: str = ""  # "Linux" or "Windows"
    distribution: str = ""  # os-release ID, or "windows"
    version: str = ""
    product_name: str = ""
    architecture: str = ""  # "x86_64", "i386", "aarch64", "arm"
    boot_mode: str = ""  # "uefi" or "bios"
    notes: list = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.os_type)


class Window:
    """A file-like view of `length` bytes of the disk from `start` (a partition or a logical volume)."""

    def __init__(self, disk, start: int, length: int):
        self.disk, self.start, self.length, self.position = disk, start, length, 0

    def read(self, size: int = -1) -> bytes:
        size = self.length - self.position if size is None or size < 0 else min(size, self.length - self.position)
        data = self.disk.read(self.start + self.position, max(0, size))
        self.position += len(data)
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self.position, os.SEEK_END: self.length}[whence]
        self.position = max(0, base + offset)
        return self.position

    def tell(self) -> int:
        return self.position

    get_offset = tell

    def get_size(self) -> int:
        return self.length


def detect_os(disk: Disk, *, seconds: float = DETECTION_SECONDS) -> Findings:
    """Inspects `disk` in a limited child process; a refusal code when it takes longer than `seconds`."""
    _preload()
    # Made and removed here: a child killed at the deadline cannot clean up what `btrfs restore` wrote.
    scratch = tempfile.mkdtemp(prefix="os-detection-", dir=_scratch_root())
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        os.close(reader)
        _child(disk, writer, seconds, scratch)
    os.close(writer)
    try:
        answer = _await_answer(reader, pid, seconds)
    finally:
        os.close(reader)
        shutil.rmtree(scratch, ignore_errors=True)
    if answer is None:
        raise FormatError(
            DETECTION_TIMED_OUT,
            _(
                "Looking for the operating system in the image took longer than %(seconds)d seconds; the file system "
                "may be damaged or crafted."
            )
            % {"seconds": seconds},
        )
    return Findings(**json.loads(answer))


def _preload() -> None:
    """Imported before the fork: a child of a threaded process must not take the import lock."""
    import pyfsxfs  # noqa: F401
    import pytsk3  # noqa: F401
    import pyvslvm  # noqa: F401
    import regipy.registry  # noqa: F401


def _scratch_root() -> str:
    folder = Path(settings.VAR_DIR) / "staging"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder)


def _child(disk: Disk, writer: int, seconds: float, scratch: str) -> None:
    status = 1
    try:
        mapped = _mapped_bytes()
        resource.setrlimit(resource.RLIMIT_AS, (mapped + DETECTION_MEMORY, mapped + DETECTION_MEMORY))
        resource.setrlimit(resource.RLIMIT_CPU, (int(seconds) + 1, int(seconds) + 1))
        findings = inspect_disk(disk, scratch=scratch, seconds=seconds)
        os.write(writer, json.dumps(asdict(findings)).encode())
        status = 0
    except BaseException as error:
        failed = Findings(notes=[f"inspection failed: {type(error).__name__}"])
        try:
            os.write(writer, json.dumps(asdict(failed)).encode())
        except OSError:
            pass
    finally:
        os._exit(status)


def _mapped_bytes() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _await_answer(reader: int, pid: int, seconds: float) -> str | None:
    deadline, chunks = time.monotonic() + seconds, []
    while True:
        remaining = deadline - time.monotonic()
        ready, _w, _x = select.select([reader], [], [], max(0.0, remaining))
        if not ready:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None
        piece = os.read(reader, 65536)
        if not piece:
            break
        chunks.append(piece)
    os.waitpid(pid, 0)
    text = b"".join(chunks).decode(errors="replace")
    return text or json.dumps(asdict(Findings(notes=["inspection ended without an answer"])))


# --- inside the child ---------------------------------------------------------------------------------------------


def inspect_disk(disk: Disk, *, scratch: str | None = None, seconds: float = DETECTION_SECONDS) -> Findings:
    """Every volume of the disk, its file systems and the OS they hold (runs in the limited child). `scratch` is a
    private folder for what `btrfs restore` writes (a temporary one when not given); copying for it may take half
    of `seconds` and restoring what is left but a share, so that a large but sound Btrfs ends with a note rather
    than the timeout."""
    found = Findings()
    started = time.monotonic()
    volumes = _volumes(disk, found)
    with tempfile.TemporaryDirectory(prefix="os-detection-", dir=scratch) as folder:
        work = Scratch(Path(folder), started + seconds / 2, started + seconds * (1 - BTRFS_ANSWER_SHARE))
        for start, length in volumes:
            _inspect_volume(disk, start, length, found, work)
    if found.os_type == "Linux" and not found.boot_mode:
        found.boot_mode = "bios"
    # Names come from the guest's own files: printable, and short enough for a job record and a message.
    for name in ("distribution", "version", "product_name"):
        text = "".join(char for char in getattr(found, name) if char.isprintable())
        setattr(found, name, text[:MAX_NAME])
    found.notes = [note[: MAX_NAME * 2] for note in found.notes[:8]]
    return found


def _volumes(disk: Disk, found: Findings) -> list[tuple[int, int]]:
    import pytsk3

    try:
        table = pytsk3.Volume_Info(_TskImage(disk))
    except OSError:
        return [(0, disk.size)]
    found.partition_table = {pytsk3.TSK_VS_TYPE_DOS: "mbr", pytsk3.TSK_VS_TYPE_GPT: "gpt"}.get(
        table.info.vstype, str(table.info.vstype)
    )
    block = table.info.block_size or SECTOR
    return [
        (part.start * block, part.len * block)
        for part in table
        if part.flags == pytsk3.TSK_VS_PART_FLAG_ALLOC and part.len > 0 and part.start * block < disk.size
    ][:16]


def _TskImage(disk: Disk):
    import pytsk3

    class TskImage(pytsk3.Img_Info):
        def __init__(self):
            super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)

        def read(self, offset, size):
            return disk.read(offset, size)

        def get_size(self):
            return disk.size

        def close(self):
            pass

    return TskImage()


def _inspect_volume(disk: Disk, start: int, length: int, found: Findings, scratch: Scratch) -> None:
    head = disk.read(start, 4096)
    if head[512 + 0 : 512 + 8] == b"LABELONE" and b"LVM2 001" in head[512:1024]:
        found.filesystems.append("lvm2")
        for volume in _logical_volumes(disk, start, length, found):
            try:
                _inspect_filesystem(volume, 0, volume.size, found, scratch)
            except OSError as error:  # e.g. a volume whose extents lie on another disk of the group
                found.notes.append(f"LVM2 logical volume unreadable: {error}"[:MAX_NAME])
        return
    _inspect_filesystem(disk, start, length, found, scratch)


def _logical_volumes(disk: Disk, start: int, length: int, found: Findings):
    import pyvslvm

    handle = pyvslvm.handle()
    try:
        handle.open_file_object(Window(disk, start, length))
        # The metadata names the physical volumes; their extents are read only through the files opened here (a
        # volume group spanning several disks has the others missing, and reading those volumes fails, noted below).
        handle.open_physical_volume_files_as_file_objects([Window(disk, start, length)])
        group = handle.get_volume_group()
        for volume in list(group.logical_volumes)[:16]:
            # pyvslvm reads (size, offset): Disk reads (offset, length).
            yield Disk(lambda offset, length, lv=volume: lv.read_buffer_at_offset(length, offset), volume.size)
    except OSError as error:
        found.notes.append(f"LVM2 volume group unreadable: {error}")


def _inspect_filesystem(disk: Disk, start: int, length: int, found: Findings, scratch: Scratch) -> None:
    head = disk.read(start, 0x10100)
    if head[:4] == b"XFSB":
        found.filesystems.append("xfs")
        return _read_os(_XfsFiles(disk, start, length), found, esp=False)
    if head[0x10040:0x10048] == b"_BHRfS_M":
        found.filesystems.append("btrfs")
        if found.os_type:  # a second Btrfs (a data partition) is not worth copying
            return None
        try:
            files = BtrfsFiles.restore(disk, start, length, head[0x10000:], scratch, str(len(found.filesystems)))
        except OSError as error:  # e.g. no room for the copy, or no memory left to start the program
            files = f"it could not be copied and restored ({error.strerror or type(error).__name__})"
        if isinstance(files, str):
            found.notes.append(f"a Btrfs file system was found, but its OS is not known: {files}")
            return None
        return _read_os(files, found, esp=False)
    files = _TskFiles.open(disk, start)
    if files is None:
        return None
    found.filesystems.append(files.kind)
    return _read_os(files, found, esp=files.kind == "fat")


def _read_os(files, found: Findings, *, esp: bool) -> None:
    if esp or files.exists("/EFI"):
        if files.exists("/EFI/BOOT") or files.exists("/EFI/Microsoft/Boot"):
            found.boot_mode = "uefi"
        return
    if found.os_type:
        return
    hive = files.read("/Windows/System32/config/SOFTWARE", MAX_HIVE)
    if hive:
        _windows(files, hive, found)
        return
    texts = {name: files.read(name, MAX_TEXT) for name in RELEASE_FILES}
    release = release_of_files({name: text.decode(errors="replace") for name, text in texts.items() if text})
    if release is None:
        return
    found.os_type, found.distribution, found.version, found.product_name = "Linux", *release
    for name in ELF_FILES:
        architecture = architecture_of_elf(files.read(name, 64))
        if architecture:
            found.architecture = architecture
            return
    for name in KERNEL_FILES:
        architecture = architecture_of_kernel(files.read(name, KERNEL_HEAD))
        if architecture:
            found.architecture = architecture
            return


def _windows(files, hive: bytes, found: Findings) -> None:
    product, build = windows_release(hive)
    found.os_type, found.distribution, found.product_name, found.version = "Windows", "windows", product, build
    found.architecture = architecture_of_pe(files.read("/Windows/System32/ntoskrnl.exe", 4096))
    if not found.boot_mode and files.exists("/Windows/Boot/EFI") and found.partition_table == "gpt":
        found.boot_mode = "uefi"
    found.boot_mode = found.boot_mode or "bios"


def _kind_of(pytsk3, ftype) -> str:
    kinds = {
        "ext2": pytsk3.TSK_FS_TYPE_EXT2,
        "ext3": pytsk3.TSK_FS_TYPE_EXT3,
        "ext4": pytsk3.TSK_FS_TYPE_EXT4,
        "ntfs": pytsk3.TSK_FS_TYPE_NTFS,
        "fat": (pytsk3.TSK_FS_TYPE_FAT12, pytsk3.TSK_FS_TYPE_FAT16, pytsk3.TSK_FS_TYPE_FAT32),
        "exfat": pytsk3.TSK_FS_TYPE_EXFAT,
        "iso9660": pytsk3.TSK_FS_TYPE_ISO9660,
    }
    for kind, values in kinds.items():
        if ftype in (values if isinstance(values, tuple) else (values,)):
            return kind
    return "other"


class _TskFiles:
    def __init__(self, fs, kind: str):
        self.fs, self.kind = fs, kind

    @classmethod
    def open(cls, disk: Disk, start: int):
        import pytsk3

        try:
            fs = pytsk3.FS_Info(_TskImage(disk), offset=start)
        except OSError:
            return None
        return cls(fs, _kind_of(pytsk3, fs.info.ftype))

    def _open(self, names: tuple):
        try:
            return self.fs.open("/" + "/".join(names))
        except OSError:
            return None

    def _link_at(self, names: tuple) -> str | None:
        import pytsk3

        entry = self._open(names)
        meta = entry.info.meta if entry is not None else None
        if meta is None or meta.type != pytsk3.TSK_FS_META_TYPE_LNK:
            return None
        return (meta.link or b"").decode(errors="replace") if isinstance(meta.link, bytes) else str(meta.link or "")

    def _entry(self, path: str):
        names = follow_links(path, self._link_at)
        return None if names is None else self._open(names)

    def exists(self, path: str) -> bool:
        return self._entry(path) is not None

    def read(self, path: str, limit: int) -> bytes:
        entry = self._entry(path)
        if entry is None or entry.info.meta is None:
            return b""
        size = min(entry.info.meta.size, limit)
        try:
            return entry.read_random(0, size) if size > 0 else b""
        except OSError:
            return b""


class _XfsFiles:
    def __init__(self, disk: Disk, start: int, length: int):
        import pyfsxfs

        self.volume = pyfsxfs.volume()
        self.volume.open_file_object(Window(disk, start, length))

    def _open(self, names: tuple):
        try:
            return self.volume.get_file_entry_by_path("/" + "/".join(names))
        except OSError:
            return None

    def _link_at(self, names: tuple) -> str | None:
        entry = self._open(names)
        return entry.symbolic_link_target if entry is not None and entry.symbolic_link_target else None

    def _entry(self, path: str):
        names = follow_links(path, self._link_at)
        return None if names is None else self._open(names)

    def exists(self, path: str) -> bool:
        return self._entry(path) is not None

    def read(self, path: str, limit: int) -> bytes:
        entry = self._entry(path)
        if entry is None:
            return b""
        try:
            return entry.read_buffer_at_offset(min(entry.size, limit), 0) if entry.size else b""
        except OSError:
            return b""


def iso_volume(disk: Disk) -> tuple[str, str]:
    """("iso9660" or "udf", volume label) of an ISO file; ("", "") when neither volume is there."""
    kind, label = "", ""
    for sector in range(16, 32):
        descriptor = disk.read(sector * 2048, 2048)
        ident = descriptor[1:6]
        if ident == b"CD001" and descriptor[0] == 1 and not label:
            kind, label = "iso9660", descriptor[40:72].decode("ascii", errors="replace").strip()
        elif ident in (b"NSR02", b"NSR03"):
            kind = kind or "udf"
        elif ident == b"CD001" and descriptor[0] == 255:
            continue
    return kind, label
