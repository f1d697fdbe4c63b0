"""The import job, phase by phase: fetch → inspect → store (decode, chunk, hash) → done.

Runs in a worker (`images.tasks.run_job`); every phase reports progress to the Job. Any refusal or fault
goes through the runner base's one failure path, which leaves the job FAIL, the image in the error state and
nothing on disk.
"""

import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import units
from core.errors import ImsError
from iam.actors import system_actor
from images.choices import ImageStatus, VirtualEnvType
from images.jobs.base import Reporter, Runner
from images.models import Image, Job
from images.services import glance_import, jobs
from images.services.glance_import import IMPORT_JOB
from images.services.imports import FAST_IMPORT_LIMIT
from kms.services import open_image_data_key

logger = logging.getLogger(__name__)
READ_SIZE = 4 * 1024 * 1024
PHASES = ("fetch", "inspect", "store")


class FileHasher(threading.Thread):
    """MD5 and SHA-256 of a file, read beside the conversion; each hash on its own thread (hashlib releases the
    GIL), so the file's MD5, the slowest, never waits for its SHA-256.

    Whatever stops it is kept in `error`: hashes of part of the file must never be recorded as the file's."""

    def __init__(self, path: Path):
        super().__init__(daemon=True)
        self.path, self.md5, self.sha256, self.error = path, hashlib.md5(), hashlib.sha256(), None

    def join(self, timeout: float | None = None) -> None:
        """Raises, in the caller's thread, whatever stopped the hashing; an unreadable file is left in `error`
        for the caller, which tells the user (IMG.0711)."""
        super().join(timeout)
        if not self.is_alive() and self.error is not None and not isinstance(self.error, OSError):
            raise self.error

    def run(self):
        from concurrent.futures import ThreadPoolExecutor

        try:
            with open(self.path, "rb") as handle, ThreadPoolExecutor(1, "import-file-md5") as helper:
                pending = None
                while piece := handle.read(READ_SIZE):
                    if pending is not None:
                        pending.result()
                    pending = helper.submit(self.md5.update, piece)
                    self.sha256.update(piece)
                if pending is not None:
                    pending.result()
        except Exception as error:  # a thread's exception is otherwise lost: join() raises it in the caller
            self.error = error


class ImportRunner(Runner):
    job_types = (
        "createImageByFile",
        "createDataImageByFile",
        "createIsoImage",
        "importImageQuick",
        "registerImage",
        "uploadImage",
        IMPORT_JOB,
    )
    first_phase = "fetch"
    related = ("image__region", "project__region", "project__account")
    internal_error = gettext_lazy(
        "The import failed because of an internal error; nothing was kept. Please try again or contact the operator."
    )

    def run(self) -> None:
        import_file(self.job)


def run_import(job_id: str) -> None:
    """Runs import job `job_id` in this process (tests and benchmarks; the worker goes through `images.tasks`)."""
    ImportRunner.handle(job_id)


def run_glance_import_now(job: Job) -> None:
    """Runs a glance-direct import in this request (the image is active, or its import failed, when the POST
    answers; the outcome is the job's, which Glance shows as the image's task)."""
    try:
        run_import(job.id)
    finally:
        glance_import.settle_import(job)


@dataclass
class Source:
    """The uploaded file as a local path, with its hashes when they were computed as it arrived."""

    path: Path
    md5: str = ""
    sha256: str = ""


def fetch(job: Job) -> Source:
    """A private, unchangeable copy of the uploaded file in the job's staging folder, hashed on the way in.

    Everything after this reads only that copy: the tenant may replace the bucket object at any moment, and
    the file that was inspected must be the file that is decoded (else a checked file could be swapped for
    one naming a host file as its backing file)."""
    staging = jobs.staging_dir(job)
    staging.mkdir(parents=True, exist_ok=True)
    if job.entities.get("staged"):
        if job.entities.get("glance_direct"):
            glance_import.take_staged(job)
        return Source(staging / "upload", job.entities.get("file_md5", ""), job.entities.get("file_sha256", ""))
    from obs.services import local_path_or_none, open_object_for_reading

    target = staging / "source"
    stream, stored = open_object_for_reading(
        system_actor(job.project), job.project.region_id, job.entities["image_url"]
    )
    with stream:
        local = local_path_or_none(stored)
        if local is not None and _linked(local, target):
            # Objects are only ever replaced by renaming a new file into place, so the linked inode never
            # changes; its hashes are computed again below, as the bucket's record may describe another version.
            return Source(target)
        report, done = Reporter(job, "fetch", stored.size), 0
        md5, sha256 = hashlib.md5(), hashlib.sha256()
        with open(target, "xb") as handle:
            while piece := stream.read(READ_SIZE):
                handle.write(piece)
                md5.update(piece)
                sha256.update(piece)
                done += len(piece)
                report(done)
    return Source(target, md5.hexdigest(), sha256.hexdigest())


def _linked(source: Path, target: Path) -> bool:
    try:
        os.link(source, target)
        return True
    except OSError:
        return False  # another file system: copy it instead


def check_disk_size(job: Job, virtual_size: int) -> None:
    needed = units.gib_ceil(virtual_size)
    if job.entities.get("min_disk") and needed > job.entities["min_disk"]:
        raise ImsError(
            "IMG.0723",
            _(
                "The disk in the file is %(need)d GB, larger than the %(have)d GB given as "
                "the minimum (target) disk; give at least %(need)d GB."
            )
            % {"need": needed, "have": job.entities["min_disk"]},
        )


def store_disk(job: Job, source: Path, inspection):
    """Chunks and hashes the virtual disk: read straight from a raw file, or decoded by qemu-nbd as it is read
    (no temporary raw copy: no second write of the whole disk, and hashing starts at once). What the disk holds
    is examined first, through the same reader: (store result, Contents)."""
    from images.blobs.store import write_disk, write_raw_disk
    from images.formats.nbd import NbdDisk, check_plain_disk
    from images.formats.os_detection import Disk
    from images.jobs.import_contents import examine

    report = Reporter(job, "store", inspection.virtual_size)
    # An encrypted image's chunks are sealed with its data key as they are stored: no plaintext copy is written.
    key = open_image_data_key(system_actor(job.project), job.image, purpose=job.job_type)
    if inspection.format in ("raw", "iso"):
        with Disk.of_file(source) as disk:
            contents = examine(job, disk)
        return write_raw_disk(job.project.region, source, on_progress=report, key=key), contents
    with NbdDisk(source, inspection.qemu_driver, jobs.staging_dir(job)) as disk:
        check_plain_disk(disk, jobs.staging_dir(job), expected_size=inspection.virtual_size)
        contents = examine(job, Disk.of_nbd(disk))
        return write_disk(job.project.region, disk, on_progress=report, key=key), contents


def run_upload_now(job: Job) -> None:
    """Runs a Glance upload's import in this request, so the image is active when the PUT answers; a refusal is
    raised as the error the job failed with (the image is then killed, never active)."""
    run_import(job.id)
    job.refresh_from_db()
    if job.status == "FAIL":
        status = 500 if job.error_code == "IMG.0899" else 400
        raise ImsError(job.error_code, job.fail_reason, status)


@dataclass(frozen=True)
class StoredUpload:
    """A raw upload the request stored as it arrived (`services.imports.receive_and_store`)."""

    manifest: object
    md5: str
    sha256: str


def import_file(job: Job) -> None:
    """Imports the job's file; a manifest the upload already stored is removed if the import does not finish."""
    stored = job.entities.get("stored_manifest")
    if stored is None:
        return _import_file(job)
    from images.blobs.models import Manifest
    from images.blobs.store import delete_manifest

    try:
        return _import_file(job)
    except BaseException:
        manifest = Manifest.objects.filter(pk=stored).first()
        if manifest is not None and not Image.objects.filter(manifest=manifest).exists():
            delete_manifest(manifest)
        raise


def _stored_upload(job: Job, source: Path, inspection):
    """What is left of a raw upload stored as it arrived: examine its contents. (StoredUpload, Contents)"""
    from images.blobs.models import Manifest
    from images.blobs.store import ManifestReads
    from images.formats.os_detection import Disk
    from images.jobs.import_contents import examine

    manifest = Manifest.objects.get(pk=job.entities["stored_manifest"])
    if manifest.virtual_size != inspection.virtual_size:
        raise ImsError("IMG.0711", _("The file could not be read to the end."))
    if job.entities.get("staged_whole", True):
        disk = Disk.of_file(source)
    else:  # the staged copy holds only the head and the tail: the disk is read from its chunks
        disk = Disk(ManifestReads(manifest).read, manifest.virtual_size)
    with disk:
        contents = examine(job, disk)
    return StoredUpload(manifest, job.entities["disk_md5"], job.entities["disk_sha256"]), contents


def _import_file(job: Job) -> None:
    from images.formats.inspector import inspect_image_file

    fetched = fetch(job)
    source = fetched.path
    jobs.report(job, phase="inspect", percent=0.0)
    limit = settings.IMS_IMAGE_SIZE_CAP if not job.entities.get("fast") else FAST_IMPORT_LIMIT
    inspection = inspect_image_file(
        source, declared_format=job.entities.get("declared_format"), max_file_size=limit, max_virtual_size=limit
    )
    if job.entities.get("fast") and inspection.format != "raw":
        raise ImsError(
            "IMG.0724",
            _(
                "Fast import takes RAW files only; this file is %(format)s. Use a normal "
                "import, or convert it to RAW first."
            )
            % {"format": inspection.format.upper()},
        )
    if job.image.virtual_env_type == VirtualEnvType.ISO_IMAGE and inspection.format != "iso":
        raise ImsError(
            "IMG.0703",
            _("An ISO image needs an ISO file; this file is %(format)s.") % {"format": inspection.format.upper()},
        )
    check_disk_size(job, inspection.virtual_size)
    plain = inspection.format in ("raw", "iso")  # the file is the disk: its hashes are the disk's hashes
    if plain and job.entities.get("stored_manifest"):
        result, contents = _stored_upload(job, source, inspection)
        finish(job, inspection, result, contents, file_md5=result.md5, file_sha256=result.sha256)
        return
    hasher = None
    if not plain and not (fetched.md5 and fetched.sha256):
        hasher = FileHasher(source)
        hasher.start()
    result, contents = store_disk(job, source, inspection)
    if hasher is not None:
        file_md5, file_sha256 = _joined(hasher)
    elif plain:
        file_md5, file_sha256 = result.md5, result.sha256
    else:
        file_md5, file_sha256 = fetched.md5, fetched.sha256
    expected = job.entities.get("expected_sha256")
    if expected and expected != file_sha256:
        raise ImsError(
            "IMG.0720",
            _(
                "The file's SHA-256 is %(actual)s, not the expected %(expected)s; the file "
                "changed or is not the one meant."
            )
            % {"actual": file_sha256, "expected": expected},
        )
    finish(job, inspection, result, contents, file_md5=file_md5, file_sha256=file_sha256)


def _joined(hasher: FileHasher) -> tuple[str, str]:
    hasher.join()
    if hasher.error:
        raise ImsError("IMG.0711", _("The file could not be read to the end."))
    return hasher.md5.hexdigest(), hasher.sha256.hexdigest()


def finish(job: Job, inspection, result, contents, *, file_md5: str, file_sha256: str) -> None:
    """The image becomes active with what a download returns (the raw virtual disk, and its checksums), and with
    the OS found on the disk when none was given."""
    served_format = "iso" if inspection.format == "iso" else "raw"
    with transaction.atomic():
        made = Image.objects.filter(pk=job.image_id, status__in=[ImageStatus.SAVING, ImageStatus.IMPORTING])
        updated = made.update(
            status=ImageStatus.ACTIVE,
            manifest=result.manifest,
            disk_format=served_format,
            size=inspection.virtual_size,
            virtual_size=inspection.virtual_size,
            checksum=result.md5,
            os_hash_algo="sha256",
            os_hash_value=result.sha256,
            file_format=inspection.format,
            file_size=inspection.file_size,
            file_md5=file_md5,
            file_sha256=file_sha256,
            min_disk=max(job.image.min_disk, units.gib_ceil(inspection.virtual_size)),
            active_at=timezone.now(),
            updated_at=timezone.now(),
            **contents.image_fields,
        )
        if not updated:
            raise ImsError("IMG.0802", _("The image was deleted while it was being imported."))
        jobs.succeed(job, image_id=str(job.image_id), image_name=job.image.name, **contents.entities)
