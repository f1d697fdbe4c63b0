"""The guest's disk as OS detection reads it, shared by os_detection and btrfs: bounded reads of the decoded disk,
the guest's files that tell its release and architecture, and its paths followed through links inside its root."""

import os

NBD_PIECE = 4 * 1024 * 1024

RELEASE_FILES = (
    "/etc/os-release",
    "/usr/lib/os-release",
    "/etc/lsb-release",
    "/etc/redhat-release",
    "/etc/almalinux-release",
    "/etc/rocky-release",
    "/etc/centos-release",
    "/etc/SuSE-release",
    "/etc/debian_version",
)
ELF_FILES = ("/usr/bin/true", "/bin/true", "/sbin/init", "/usr/lib/systemd/systemd", "/usr/bin/ls", "/bin/ls")
# When no program above is there (a minimal or damaged tree), the kernel tells the architecture. Debian and Ubuntu
# keep `/vmlinuz` as a link into /boot.
KERNEL_FILES = ("/vmlinuz", "/boot/vmlinuz", "/boot/vmlinux", "/vmlinuz.old")
MAX_LINKS = 16


class Disk:
    """Bounded reads of the decoded disk: nothing is read before 0 or past `size` (reads there return zeros)."""

    def __init__(self, read, size: int, close=None):
        self._read, self.size, self._close = read, size, close

    @classmethod
    def of_file(cls, path) -> "Disk":
        """The file as a disk; use as a context manager (it keeps the file open)."""
        handle = open(path, "rb")  # noqa: SIM115 - closed by __exit__
        size = os.fstat(handle.fileno()).st_size

        def read(offset: int, length: int) -> bytes:
            return os.pread(handle.fileno(), length, offset)

        return cls(read, size, handle.close)

    def __enter__(self) -> "Disk":
        return self

    def __exit__(self, *exc) -> None:
        if self._close is not None:
            self._close()

    @classmethod
    def of_nbd(cls, nbd) -> "Disk":
        def read(offset: int, length: int) -> bytes:
            buffer = bytearray(length)
            view = memoryview(buffer)
            for start in range(0, length, NBD_PIECE):  # qemu-nbd refuses requests over 32 MiB
                nbd.read_into(view[start : start + NBD_PIECE], offset + start)
            return bytes(buffer)

        return cls(read, nbd.size)

    def read(self, offset: int, length: int) -> bytes:
        offset, end = max(0, offset), min(self.size, offset + max(0, length))
        if end <= offset:
            return b"\0" * max(0, length)
        data = self._read(offset, end - offset)
        return data + b"\0" * (length - len(data))


def follow_links(path: str, link_at) -> tuple | None:
    """The names of `path` inside a guest with every symbolic link on the way followed, never out of the guest's
    root: ".." stops at the root and an absolute target starts from it. `link_at(names)` gives the target of the link
    at those names, or None where there is none. None after MAX_LINKS links (a loop)."""
    pending, current, hops = [part for part in path.split("/") if part], [], 0
    while pending:
        part = pending.pop(0)
        if part == ".":
            continue
        if part == "..":
            current = current[:-1]
            continue
        target = link_at((*current, part))
        if target is None:
            current.append(part)
            continue
        hops += 1
        if hops > MAX_LINKS:
            return None
        if target.startswith("/"):
            current = []
        pending[:0] = [piece for piece in target.split("/") if piece]
    return tuple(current)
