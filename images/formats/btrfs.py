"""Btrfs for OS detection: the few files detection reads, restored from a guest's Btrfs partition by btrfs-progs.

Btrfs has no maintained library with a license fit for the default install, so it is read by btrfs-progs' own
offline reader, `btrfs restore` (GPL-2.0, maintained with the kernel), run as a separate program like qemu-img and
never linked: the partition's bytes are copied into a sparse private file (all-zero pieces skipped, up to
`BTRFS_COPY_LIMIT` long and `BTRFS_DATA_LIMIT` of data), and only the release and ELF files are restored from it,
from the top of the file system, from subvolume `@` (Ubuntu) or from the newest `@/.snapshots/N/snapshot`
(openSUSE). Symbolic links are never written: a dry run lists them, and they are resolved inside the restored tree.

btrfs-progs checks no name it restores, so the restore runs under Landlock, able to write only beneath its own
folder; where the kernel has no Landlock, and without `btrfs` on the PATH, a Btrfs file system is recognised by its
superblock and noted as not read. It runs in os_detection's limited inspection child, and a crafted file system can
make it loop or allocate without end: `btrfs restore` has memory, CPU-time and file-size limits of its own, gets the
time left before the detection's deadline, and dies with the child.
"""

import ctypes
import functools
import math
import os
import re
import resource
import shutil
import signal
import stat
import struct
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from images.formats.guest_disk import ELF_FILES, KERNEL_FILES, NBD_PIECE, RELEASE_FILES, Disk, follow_links

# Btrfs: the largest partition copied for `btrfs restore` (copying may take only half the detection's time), and the
# most data the copy may hold (a small compressed image can decode to gigabytes that are not zeros).
BTRFS_COPY_LIMIT = 32 * 1024**3
BTRFS_DATA_LIMIT = 4 * 1024**3
# The largest file the restore writes, its output included: detection reads at most MAX_TEXT (os_detection) of a
# file. With the most entries the last dry run may list, it bounds what the writing run can write.
BTRFS_FILE_LIMIT = 1024 * 1024
BTRFS_MAX_ENTRIES = 2000
BTRFS_MEMORY = 512 * 1024 * 1024
BTRFS_PIECE = 64 * 1024
# A root file system sits at the top of the file system, in Ubuntu's subvolume `@`, or in a snapper snapshot
# (openSUSE boots the newest `@/.snapshots/N/snapshot`); only the newest few snapshots are restored.
BTRFS_SNAPSHOT_FOLDERS = (("@", ".snapshots"), (".snapshots",))
BTRFS_SNAPSHOTS_READ = 4
# Top-level links of a merged /usr (/bin -> usr/bin): listed by the dry run like the files' own links.
BTRFS_LINKS = ("/bin", "/sbin", "/lib", "/lib64")
BTRFS_LINK_ROUNDS = 4  # dry runs, each following the links one step further
# The restore stops with this share of the detection's time left, to remove what it wrote and answer with a note
# before the parent's deadline refuses the image.
BTRFS_ANSWER_SHARE = 0.1
# Nothing of the worker's environment (its secrets) reaches the program.
BTRFS_ENVIRONMENT = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"}
BTRFS_NOT_CONFINED = "its files cannot be restored confined on this machine"
BTRFS_TOO_LONG = "restoring its files took too long"

# Landlock (linux/landlock.h). Rights by the ABI version that brought them: write a file; remove a folder or a file;
# make a character device, folder, regular file, socket, FIFO, block device or symbolic link (1); link or rename into
# another folder (2); truncate (3). TCP bind and connect (4) are refused outright: the restore needs no network.
_SYS_LANDLOCK_CREATE_RULESET, _SYS_LANDLOCK_ADD_RULE, _SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
_LANDLOCK_CREATE_RULESET_VERSION = 1
_LANDLOCK_RULE_PATH_BENEATH = 1
_LANDLOCK_WRITE_RIGHTS = ((1, 1 << 1 | sum(1 << bit for bit in range(4, 13))), (2, 1 << 13), (3, 1 << 14))
_LANDLOCK_TCP_SINCE, _LANDLOCK_TCP_RIGHTS = 4, 1 << 0 | 1 << 1
_PR_SET_PDEATHSIG, _PR_SET_NO_NEW_PRIVS = 1, 38
try:  # loaded before any fork: no dynamic loading between fork and exec
    _LIBC = ctypes.CDLL(None, use_errno=True)
except OSError:  # pragma: no cover
    _LIBC = None


@dataclass
class Scratch:
    """Where `btrfs restore` works, until when (time.monotonic()) a partition may be copied for it, and until when
    it may run."""

    folder: Path
    copy_until: float
    restore_until: float


class BtrfsFiles:
    """The few files detection reads, restored by `btrfs restore` into `root`; `links` maps each symbolic link the
    dry runs listed (its path inside the restored tree) to its target; `prefix` is the guest's root in the tree."""

    def __init__(self, root: Path, links: dict, prefix: tuple = ()):
        self.root, self.links, self.prefix = root, links, prefix

    @classmethod
    def restore(cls, disk: Disk, start: int, length: int, superblock: bytes, scratch: Scratch, name: str):
        """The restored files, or why they are not there (a short reason for the note)."""
        program = shutil.which("btrfs")
        if program is None:
            return "btrfs-progs is not installed"
        if struct.unpack_from("<Q", superblock, 136)[0] != 1:
            return "it spans several devices"
        if length > BTRFS_COPY_LIMIT:
            return f"it is larger than {BTRFS_COPY_LIMIT // 1024**3} GiB, the most copied to be read"
        if not _landlock_abi():  # unconfined, a crafted name would let the restore write anywhere the worker can
            return BTRFS_NOT_CONFINED
        folder = scratch.folder / name
        folder.mkdir()
        folder = Path(os.path.realpath(folder))  # compared with the real paths of what the restore wrote
        device, root = folder / "partition", folder / "root"
        try:
            not_copied = _sparse_copy(disk, start, length, device, until=scratch.copy_until)
            if not_copied:
                return not_copied
            root.mkdir()
            with _BtrfsRestore(program, device, root, scratch.restore_until) as run:
                return cls._restored(run)
        except subprocess.SubprocessError:  # the child could not confine itself, and exited before running btrfs
            return BTRFS_NOT_CONFINED
        finally:
            device.unlink(missing_ok=True)

    @classmethod
    def _restored(cls, run: "_BtrfsRestore"):
        """The files `run` restored, or why it did not."""
        listed = run.listing(_btrfs_snapshots_regex())
        if listed is None:
            return BTRFS_TOO_LONG
        roots = _btrfs_roots(listed, run.root)
        # A link is never written: one restored as "etc" -> "/" would lead the next write under "etc" off the tree.
        # Dry runs list the links instead, and the paths they lead to are added until no new link turns up. The
        # writing run takes the pattern of the last dry run, so that its listing tells all that will be written.
        pattern, extra, links = "", set(), {}
        for _round in range(BTRFS_LINK_ROUNDS):
            wanted = _btrfs_path_regex(roots, extra)
            if wanted == pattern:
                break
            pattern, listed = wanted, run.listing(wanted)
            if listed is None:
                return BTRFS_TOO_LONG
            links = _listed_links(listed, f"{run.root}/")
            extra = cls._paths_through_links(run.root, links, roots, extra)
        flaw = _listing_flaw(listed, run.root)
        if flaw:
            return flaw
        if run.write(pattern) is None:
            return BTRFS_TOO_LONG
        for prefix in roots:
            candidate = cls(run.root, links, prefix)
            if any(candidate._resolve(name) for name in RELEASE_FILES):
                return candidate
        return "no release file could be restored from it"

    @classmethod
    def _paths_through_links(cls, root: Path, links: dict, roots: list, extra: set) -> set:
        """`extra` and the paths the wanted files lead to through `links`, at most 64 paths of at most 1 KiB: the
        expression is one argument of at most 128 KiB."""
        reached = {path for prefix in roots for path in cls(root, links, prefix)._targets()}
        reached = {path for path in reached if len("/".join(path)) <= 1024}
        return extra | set(sorted(reached - extra)[: max(0, 64 - len(extra))])

    def _targets(self):
        """The paths in the tree that the wanted files lead to through links."""
        for name in (*RELEASE_FILES, *ELF_FILES, *KERNEL_FILES):
            path = self._guest_path(name)
            if path is not None:
                yield path

    def _guest_path(self, path: str) -> tuple | None:
        """`path` of the guest as a path in the restored tree, its links followed inside the guest's root."""
        inside = follow_links(path, lambda parts: self.links.get("/".join((*self.prefix, *parts))))
        return None if inside is None else (*self.prefix, *inside)

    def _resolve(self, path: str) -> Path | None:
        """The restored regular file at `path` of the guest."""
        inside = self._guest_path(path)
        if inside is None:
            return None
        found = self.root.joinpath(*inside)
        try:
            # The restore wrote no links, so a link here was not made by it: not followed.
            if os.path.realpath(found) != str(found) or not stat.S_ISREG(os.lstat(found).st_mode):
                return None
        except (OSError, ValueError):
            return None
        return found

    def exists(self, path: str) -> bool:
        return self._resolve(path) is not None

    def read(self, path: str, limit: int) -> bytes:
        found = self._resolve(path)
        if found is None:
            return b""
        try:
            with open(found, "rb") as handle:
                return handle.read(limit)
        except OSError:
            return b""


def _listed_links(listed: str, prefix: str) -> dict:
    links = {}
    for line in listed.splitlines():
        if line.startswith(f"SYMLINK: '{prefix}") and "' => '" in line and line.endswith("'"):
            path, target = line[len(f"SYMLINK: '{prefix}") : -1].split("' => '", 1)
            links[path] = target
    return links


# What `btrfs -vv restore -D` prints of a sound file system, besides the paths it would restore and the folders it
# searched. A name holding a newline starts a line of none of these kinds.
_LISTING_NOTICES = re.compile(
    r"This is a dry-run, no files are going to be restored"
    r"|Reached the end of the tree (looking for|searching) the directory"
    r"|No leaf after search, looking for the next leaf"
    r"|Found (objectid=[0-9]+, key|type=[0-9]+, want)=[0-9]+"
)


def _listing_flaw(listed: str, root: Path) -> str | None:
    """Why the dry run's listing shows names unsafe to restore into `root`, or None."""
    if len(os.fsencode(listed)) >= BTRFS_FILE_LIMIT:  # cut short by the restore's file-size limit
        return "its listing is too long to be checked"
    inside = re.escape(f"{root}/")
    known = re.compile(
        f"Restoring {inside}(?P<restored>.+)|SYMLINK: '{inside}(?P<link>.+?)' => '.*'"
        "|Done searching (/(?P<searched>.+))?"
    )
    entries = 0
    for line in listed.splitlines():
        kind = known.fullmatch(line)
        if not (kind or _LISTING_NOTICES.fullmatch(line)) or line.count("' => '") > 1:
            return "its listing has a line that is not understood"
        path = kind and (kind["restored"] or kind["link"] or kind["searched"])
        if path and {"", ".", ".."} & set(path.split("/")):
            return "its listing names a path through '.' or '..'"
        entries += bool(kind and (kind["restored"] or kind["link"]))
    if entries > BTRFS_MAX_ENTRIES:
        return f"its listing has more than {BTRFS_MAX_ENTRIES} entries"
    return None


def _sparse_copy(disk: Disk, start: int, length: int, target: Path, *, until: float = float("inf")) -> str | None:
    """Copies the partition's bytes into a file that holds only its pieces that are not all zero; why it could not
    (a short reason for the note), or None."""
    # Room for the copy and for every file the writing run may restore.
    if shutil.disk_usage(target.parent).free < min(length, BTRFS_DATA_LIMIT) + BTRFS_MAX_ENTRIES * BTRFS_FILE_LIMIT:
        return "there is not enough free space to copy it"
    zeros, small_zeros, written = bytes(NBD_PIECE), bytes(BTRFS_PIECE), 0
    with open(target, "wb") as handle:
        for offset in range(0, length, NBD_PIECE):
            if time.monotonic() > until:
                return "copying it to be read took too long"
            data = disk.read(start + offset, min(NBD_PIECE, length - offset))
            if data == zeros[: len(data)]:  # bytes compare as memcmp: most of a fresh file system is zeros
                continue
            for piece in range(0, len(data), BTRFS_PIECE):
                chunk = data[piece : piece + BTRFS_PIECE]
                if chunk != small_zeros[: len(chunk)]:
                    written += len(chunk)
                    if written > BTRFS_DATA_LIMIT:
                        return f"it holds more than {BTRFS_DATA_LIMIT // 1024**3} GiB of data, too large to be read"
                    os.pwrite(handle.fileno(), chunk, offset + piece)
        handle.truncate(length)
    return None


def _btrfs_roots(listed: str, root: Path) -> list[tuple]:
    """Where the guest's root may be, most likely first: the top, `@`, then the newest snapper snapshots that the
    listing of `_btrfs_snapshots_regex` names."""
    roots = [(), ("@",)]
    for folder in BTRFS_SNAPSHOT_FOLDERS:
        line = re.compile(re.escape("Restoring " + "/".join((str(root), *folder)) + "/") + "([0-9]+)")
        numbers = {found[1] for found in map(line.fullmatch, listed.splitlines()) if found}
        newest = sorted(numbers, key=int, reverse=True)[:BTRFS_SNAPSHOTS_READ]
        roots += [(*folder, number, "snapshot") for number in newest]
    return roots


def _btrfs_snapshots_regex() -> str:
    """`--path-regex` for the numbered folders of snapper's snapshots, not what they hold."""
    return _path_regex((*map(_ere_escape, folder), "[0-9]+") for folder in BTRFS_SNAPSHOT_FOLDERS)


def _btrfs_path_regex(roots: list, extra: set = frozenset()) -> str:
    """`--path-regex` for the release and ELF files under each of `roots` and for the `extra` paths (tuples of
    names), with their folders (restore descends only into folders the expression matches):
    `^/(|etc(|/os-release)|usr(|/bin(|/true)))$`."""
    files = (*RELEASE_FILES, *ELF_FILES, *KERNEL_FILES, *BTRFS_LINKS)
    wanted = [(*root, *path.split("/")[1:]) for root in roots for path in files]
    return _path_regex(tuple(map(_ere_escape, path)) for path in (*wanted, *sorted(extra)))


def _path_regex(paths) -> str:
    """One expression matching each path (tuples of expressions, one a name) and the folders on the way to it."""
    tree: dict = {}
    for path in paths:
        node = tree
        for part in path:
            node = node.setdefault(part, {})

    def alternatives(node: dict, separator: str) -> str:
        if not node:
            return ""
        return "(|" + "|".join(separator + name + alternatives(child, "/") for name, child in node.items()) + ")"

    return "^/" + alternatives(tree, "") + "$"


def _ere_escape(name: str) -> str:
    """`name` as a POSIX extended regular expression matching only itself."""
    return re.sub(r"([.\[\]()*+?{}|^$\\])", r"\\\1", name)


class _BtrfsRestore:
    """Runs of `btrfs restore` on the copy `device` that may write only beneath `root`, until `until`
    (time.monotonic())."""

    def __init__(self, program: str, device: Path, root: Path, until: float):
        self.program, self.device, self.root, self.until = program, device, root, until

    def __enter__(self) -> "_BtrfsRestore":
        self.ruleset = _write_confinement(self.root)
        return self

    def __exit__(self, *exc) -> None:
        os.close(self.ruleset)

    def listing(self, pattern: str) -> str | None:
        """What a dry run would restore, links included; None when the time ran out."""
        return self._run(["-vv", "restore", "-D", "-S", "-s", "-i"], pattern)

    def write(self, pattern: str) -> str | None:
        """Restores the files and folders (never links) that `pattern` matches; None when the time ran out."""
        return self._run(["restore", "-s", "-i"], pattern)

    def _run(self, options: list, pattern: str) -> str | None:
        """The output, read from a file (a pipe left unread could block the program)."""
        left = self.until - time.monotonic()
        if left <= 0:
            return None
        with open(self.root.parent / "restore.log", "w+b") as output:
            try:
                subprocess.run(
                    [self.program, *options, "--path-regex", pattern, str(self.device), str(self.root)],
                    stdin=subprocess.DEVNULL,  # it asks on the terminal whether to go on when it loops
                    stdout=output,
                    stderr=subprocess.DEVNULL,  # its errors would land inside the lines of the listing
                    env=BTRFS_ENVIRONMENT,
                    timeout=left,
                    # safe: the inspection child has one thread
                    preexec_fn=functools.partial(_limit_restore, self.ruleset, math.ceil(left) + 1),
                    check=False,
                )
            except subprocess.TimeoutExpired:
                return None
            output.seek(0)
            return os.fsdecode(output.read(BTRFS_FILE_LIMIT))


def _landlock_abi() -> int:
    """The kernel's Landlock ABI version; 0 when it has none or has it disabled."""
    if _LIBC is None:
        return 0
    try:
        return _syscall(_SYS_LANDLOCK_CREATE_RULESET, None, 0, _LANDLOCK_CREATE_RULESET_VERSION)
    except OSError:
        return 0


def _write_confinement(folder: Path) -> int:
    """A Landlock ruleset (a descriptor closed on exec) under which a process may write, make and remove files only
    beneath `folder`, and use no TCP; reading stays allowed."""
    abi = _landlock_abi()
    writes = sum(rights for since, rights in _LANDLOCK_WRITE_RIGHTS if since <= abi)
    attributes = struct.pack("=QQ", writes, _LANDLOCK_TCP_RIGHTS if abi >= _LANDLOCK_TCP_SINCE else 0)
    ruleset = _syscall(_SYS_LANDLOCK_CREATE_RULESET, attributes, len(attributes), 0)
    try:
        beneath = os.open(folder, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            rule = struct.pack("=Qi", writes, beneath)  # struct landlock_path_beneath_attr is packed
            _syscall(_SYS_LANDLOCK_ADD_RULE, ruleset, _LANDLOCK_RULE_PATH_BENEATH, rule, 0)
        finally:
            os.close(beneath)
    except OSError:
        os.close(ruleset)
        raise
    return ruleset


def _limit_restore(ruleset: int, seconds: int) -> None:  # pragma: no cover - runs between fork and exec
    """Limits and confines the child before it runs the program; an exception here ends the child, not the limits."""
    for kind, most in (
        (resource.RLIMIT_FSIZE, BTRFS_FILE_LIMIT),
        (resource.RLIMIT_AS, BTRFS_MEMORY),
        (resource.RLIMIT_CPU, seconds),
    ):
        hard = resource.getrlimit(kind)[1]
        most = most if hard == resource.RLIM_INFINITY else min(most, hard)
        resource.setrlimit(kind, (most, most))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a longer file is cut short, not the restore
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # it dies with the inspection child, which is killed at the deadline
    _prctl(_PR_SET_NO_NEW_PRIVS, 1)  # Landlock's condition for a process without CAP_SYS_ADMIN
    _syscall(_SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0)


def _prctl(option: int, value: int) -> None:
    if _LIBC.prctl(option, *map(ctypes.c_ulong, (value, 0, 0, 0))) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))


def _syscall(number: int, *arguments) -> int:
    """A Linux system call by number: bytes pass as pointers, None as NULL, ints as longs."""
    passed = [ctypes.c_long(value) if isinstance(value, int) else value for value in arguments]
    result = _LIBC.syscall(ctypes.c_long(number), *passed)
    if result < 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))
    return result
