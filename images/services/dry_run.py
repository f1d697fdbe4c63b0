"""The wizard's dry run: what an import of this file would find, before anything is queued."""

import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import ImsError
from iam import catalogue
from iam.actors import Actor
from iam.authz import authorize_all
from images.selectors import show_image_quota

HEAD_BYTES = 4 * 1024 * 1024
TAIL_BYTES = 64 * 1024
DRY_RUN_DETECTION_SECONDS = 20.0  # inside a web request: the import itself allows longer
DRY_RUN_COPY_LIMIT = 256 * 1024 * 1024  # a remote RAW file up to this size is fetched whole to be examined


@dataclass
class DryRun:
    url: str
    file_size: int = 0
    format: str = ""
    virtual_size: int = 0
    safe: bool = False
    verdict: str = ""
    error_code: str = ""
    images_used: int = 0
    images_quota: int = 0
    # What is inside (issue 16): only for a RAW or ISO file, which is the disk itself (a remote one up to
    # DRY_RUN_COPY_LIMIT); other formats are decoded by qemu only after the import's full inspection, so they
    # are examined on import.
    contents_checked: bool = False
    detected_os: str = ""
    detected_os_version: str = ""
    detected_architecture: str = ""
    detected_boot_mode: str = ""
    iso_label: str = ""


def check_image_file(
    actor: Actor, *, url: str, operation: str = "create_image", declared_format: str | None = None
) -> DryRun:
    """Inspects the object's headers (format, disk size, header safety checks): quick and bounded, so it can
    run inside a web request; the import runs every check, qemu-img's included, on the whole file.

    `operation` is the import the caller means to submit: the dry run needs the permission that submission
    needs (a system disk import `ims:serverImages:create`, a data disk import `ims:dataImages:create`)."""
    from images.formats.inspector import inspect_headers
    from obs.services import local_path_or_none, open_object_for_reading

    authorize_all(actor, catalogue.operation(operation).actions)
    result = DryRun(url=url)
    quota = show_image_quota(actor)[0]
    result.images_used, result.images_quota = quota.used, quota.quota
    stream, stored = open_object_for_reading(actor, actor.project.region_id, url)
    result.file_size = stored.size
    try:
        with tempfile.TemporaryDirectory(dir=_scratch()) as folder:
            local = local_path_or_none(stored)
            sample = local if local is not None else _sampled_copy(stream, stored.size, Path(folder) / "sample")
            result.format, result.virtual_size, _size = inspect_headers(sample, declared_format=declared_format)
            if result.format in ("raw", "iso") and (local is not None or stored.size <= DRY_RUN_COPY_LIMIT):
                _examine(result, local or _whole_copy(actor, url, Path(folder) / "whole"))
    except ImsError as refusal:
        result.verdict, result.error_code = refusal.message, refusal.code
        return result
    finally:
        stream.close()
    result.safe = True
    result.verdict = _("The headers passed the safety checks; the import runs every check again on the whole file.")
    return result


def _examine(result: DryRun, path: Path) -> None:
    """The OS, architecture and boot mode the import would find, for the wizard to pre-fill."""
    from images.formats.os_detection import Disk, detect_os, iso_volume
    from images.formats.os_facts import place_in_catalog

    result.contents_checked = True
    with Disk.of_file(path) as disk:
        if result.format == "iso":
            result.iso_label = iso_volume(disk)[1]
            return
        findings = detect_os(disk, seconds=DRY_RUN_DETECTION_SECONDS)
    placed = place_in_catalog(findings)
    if placed is not None:
        result.detected_os = findings.product_name or placed.os_version
        result.detected_os_version = placed.os_version
        result.detected_architecture = placed.architecture
        result.detected_boot_mode = placed.firmware


def _whole_copy(actor: Actor, url: str, target: Path) -> Path:
    import shutil

    from obs.services import open_object_for_reading

    stream, _stored = open_object_for_reading(actor, actor.project.region_id, url)
    with stream, open(target, "wb") as handle:
        shutil.copyfileobj(stream, handle, 4 * 1024 * 1024)
    return target


def _scratch() -> str:
    folder = settings.VAR_DIR / "staging"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder)


def _sampled_copy(stream, size: int, target: Path) -> Path:
    """A sparse file of the object's size holding only its first and last bytes: enough for every header."""
    with open(target, "wb") as handle:
        handle.truncate(size)
        handle.write(stream.read(min(size, HEAD_BYTES)))
        tail_start = max(HEAD_BYTES, size - TAIL_BYTES)
        seekable = getattr(stream, "seekable", lambda: False)()  # S3 bodies are not: no tail for them
        if tail_start < size and seekable:
            stream.seek(tail_start)
            handle.seek(tail_start)
            handle.write(stream.read(size - tail_start))
    return target
