"""qemu-img, called safely (image-safety §4): an argv list, `LC_ALL=C` and nothing else from our environment,
the input format always given with `-f`, JSON output, read-only opens shared (`-U`), limits on address space and
CPU time set in the child, and a wall-clock timeout on every call.

Paths must be absolute and free of ':' (qemu reads `json:{...}`, `nbd:` and similar prefixes as protocols);
they are made by the server, so a bad one is a programming error (ValueError), not a tenant's.
"""

import json
import logging
import os
import re
import resource
import selectors
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from core.units import GiB
from images.formats.errors import (
    BACKING_FILE,
    CONVERSION,
    CORRUPT,
    DATA_FILE,
    ENCRYPTED,
    QEMU_FAILED,
    TIMED_OUT,
    VIRTUAL_SIZE,
    VMDK_LAYOUT,
    FormatError,
)

logger = logging.getLogger(__name__)

QEMU_IMG = "qemu-img"


@dataclass(frozen=True)
class Limits:
    memory: int  # RLIMIT_AS, bytes
    cpu: int | None  # RLIMIT_CPU, seconds
    wall: float  # seconds before the process is killed


INFO_LIMITS = Limits(memory=GiB, cpu=30, wall=60)  # CVE-2015-5162: a crafted header can make `info` spin or balloon
CHECK_LIMITS = Limits(memory=GiB, cpu=600, wall=1200)  # `check` walks every table of a large image
CONVERT_MEMORY = 2 * GiB  # convert runs a thread pool; 1 GiB is tight on many-core hosts
CONVERT_TIMEOUT = 6 * 3600.0
VMDK_TYPES = ("monolithicSparse", "streamOptimized")
BACKING_KEYS = ("backing-filename", "full-backing-filename", "backing-filename-format", "backing-image")
PROGRESS = re.compile(rb"\((\d{1,3}(?:\.\d+)?)/100%\)")


def safe_path(path: Path | str) -> str:
    text = os.fspath(path)
    if not os.path.isabs(text) or ":" in text:
        raise ValueError("qemu-img paths must be absolute and must not contain ':'")
    return text


def qemu_info(path: Path, driver: str) -> dict:
    """`qemu-img info` as JSON, refused unless it shows a self-contained, unencrypted `driver` image of size > 0."""
    name = safe_path(path)
    done = _run(["info", "-f", driver, "--output=json", "--force-share", name], INFO_LIMITS)
    if done.returncode != 0:
        raise FormatError(
            QEMU_FAILED,
            _("qemu-img could not open the file as %(driver)s: %(reason)s")
            % {"driver": driver, "reason": _reason(done.stderr, name)},
        )
    info = _json(done.stdout)
    _check_info(info, driver, name)
    return info


def qemu_check(path: Path, driver: str) -> dict | None:
    """`qemu-img check`: its JSON report, None for a format without checks, a refusal for any corruption."""
    name = safe_path(path)
    done = _run(["check", "-f", driver, "--output=json", "-U", name], CHECK_LIMITS)
    if done.returncode in (0, 3):  # 3: leaked clusters only, which waste space but lose nothing
        return _json(done.stdout)
    if done.returncode == 63:
        return None
    if done.returncode in (1, 2):
        raise FormatError(
            CORRUPT,
            _(
                "qemu-img check found the %(driver)s image corrupt or could not finish "
                "checking it (%(reason)s); the file is damaged or truncated."
            )
            % {"driver": driver, "reason": _reason(done.stderr, name)},
        )
    raise FormatError(
        QEMU_FAILED,
        _("qemu-img check stopped abnormally (status %(status)d), for example at a memory or CPU limit.")
        % {"status": done.returncode},
    )


def _check_info(info: dict, driver: str, name: str) -> None:
    if not isinstance(info, dict) or info.get("format") != driver:
        raise FormatError(QEMU_FAILED, _("qemu-img does not read the file as %(driver)s.") % {"driver": driver})
    if any(key in info for key in BACKING_KEYS):
        raise FormatError(BACKING_FILE, _("qemu-img reports a backing file; only self-contained images are accepted."))
    data = (info.get("format-specific") or {}).get("data") or {}
    if "data-file" in data:
        raise FormatError(
            DATA_FILE, _("qemu-img reports an external data file; only self-contained images are accepted.")
        )
    if info.get("encrypted") or data.get("encrypt"):
        raise FormatError(ENCRYPTED, _("qemu-img reports the image as encrypted; it cannot be imported."))
    if data.get("corrupt"):
        raise FormatError(CORRUPT, _("qemu-img reports the image as marked corrupt."))
    if driver == "vmdk":
        _check_vmdk_info(data, name)
    size = info.get("virtual-size")
    if type(size) is not int or size <= 0:
        raise FormatError(VIRTUAL_SIZE, _("qemu-img reports a disk size of zero or none."))


def _check_vmdk_info(data: dict, name: str) -> None:
    if data.get("create-type") not in VMDK_TYPES:
        raise FormatError(
            VMDK_LAYOUT,
            _("qemu-img reports VMDK type %(type)r; only %(allowed)s are accepted.")
            % {"type": str(data.get("create-type"))[:64], "allowed": " and ".join(VMDK_TYPES)},
        )
    extents = data.get("extents") or []
    if not extents or any(not isinstance(extent, dict) or extent.get("filename") != name for extent in extents):
        raise FormatError(VMDK_LAYOUT, _("qemu-img reports VMDK extents outside the file itself."))


def qemu_environment() -> dict:
    # Nothing of the worker's environment (database URLs, keys) reaches a process parsing hostile files.
    return {"LC_ALL": "C", "PATH": os.environ.get("PATH", os.defpath)}


def child_limits(memory: int, cpu: int | None):
    """A preexec_fn that caps the child (limits are never raised above the worker's own hard limits)."""
    wanted = [(resource.RLIMIT_AS, memory), (resource.RLIMIT_CORE, 0)] + ([(resource.RLIMIT_CPU, cpu)] if cpu else [])
    limits = []
    for which, value in wanted:
        hard = resource.getrlimit(which)[1]
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        limits.append((which, value))

    def apply() -> None:
        for which, value in limits:
            resource.setrlimit(which, (value, value))

    return apply


def _run(args: list[str], limits: Limits) -> subprocess.CompletedProcess:
    # preexec_fn only calls setrlimit with values computed beforehand (no locks, no logging), so it stays safe
    # beside the pipeline's hashing thread.
    try:
        return subprocess.run(
            [QEMU_IMG, *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=qemu_environment(),
            preexec_fn=child_limits(limits.memory, limits.cpu),
            timeout=limits.wall,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise FormatError(
            TIMED_OUT,
            _(
                "qemu-img %(command)s did not finish within %(seconds)d seconds; the image "
                "may be crafted to exhaust resources."
            )
            % {"command": args[0], "seconds": limits.wall},
        ) from None
    except OSError as error:
        logger.error("qemu-img could not be started: %s", error)
        raise FormatError(QEMU_FAILED, _("qemu-img could not be started on this server.")) from None


def run_convert(args: list[str], target: str, *, on_progress, timeout: float) -> None:
    """Run `qemu-img convert -p` with its progress followed; on any failure (or exception) remove `target`."""
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(
                [QEMU_IMG, "convert", "-p", "-U", *args],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=errors,
                env=qemu_environment(),
                preexec_fn=child_limits(CONVERT_MEMORY, None),
            )
        except OSError as error:
            logger.error("qemu-img could not be started: %s", error)
            raise FormatError(QEMU_FAILED, _("qemu-img could not be started on this server.")) from None
        finished = False
        try:
            finished = _follow(process, on_progress, deadline=time.monotonic() + timeout)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
            process.stdout.close()
            if not finished or process.returncode != 0:
                remove_quietly(target)
        if not finished:
            raise FormatError(
                TIMED_OUT, _("The conversion did not finish within %(seconds)d seconds.") % {"seconds": timeout}
            )
        if process.returncode != 0:
            errors.seek(0)
            raise FormatError(
                CONVERSION,
                _("qemu-img convert failed: %(reason)s") % {"reason": _reason(errors.read(4096), *args[-2:])},
            )


def _follow(process: subprocess.Popen, on_progress, *, deadline: float) -> bool:
    """Read `-p` progress ("(12.34/100%)", separated by CR) until qemu-img exits; False when the deadline passes."""
    pending, last = b"", None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                return False
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                break
            *lines, pending = re.split(rb"[\r\n]", pending + chunk)
            pending = pending[-256:]
            for line in lines:
                match = PROGRESS.search(line)
                if match and on_progress is not None and (fraction := min(float(match[1]) / 100, 1.0)) != last:
                    last = fraction
                    on_progress(fraction)
    try:
        process.wait(timeout=max(deadline - time.monotonic(), 0.001))
    except subprocess.TimeoutExpired:
        return False
    return True


def _json(output: bytes) -> dict:
    try:
        return json.loads(output)
    except ValueError:
        raise FormatError(QEMU_FAILED, _("qemu-img returned output that is not JSON.")) from None


def _reason(stderr: bytes, *names: str) -> str:
    """qemu-img's message for the tenant, without the server's paths."""
    text = stderr.decode("utf-8", "replace")
    for name in names:
        text = text.replace(name, "the image")
    return " ".join(text.replace("qemu-img: ", "").split())[:300] or _("no reason given")


def remove_quietly(target: str) -> None:
    try:
        os.unlink(target)
    except FileNotFoundError:
        pass
