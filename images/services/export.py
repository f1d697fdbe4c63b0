"""Exporting a private image into a bucket of its region: `export_image` (and its safe-mode twin) checks and
queues; `run_export` rebuilds the disk as a sparse raw file, converts it (or not, for a quick export), puts
it into the bucket with a `<key>.sha256` sidecar, and cleans its staging folder whatever happens.
"""

import io
import logging
import os
import shutil

from django.utils.translation import gettext as _

from core import text
from core.errors import ImsError, invalid
from iam.actors import system_actor
from iam.operations import operation
from images import rules, validation
from images.models import Image, Job
from images.pipeline import Reporter
from images.runners import runner
from images.selectors import get_own_image
from images.services import jobs
from images.services.imports import _lock_quota
from obs.models import Bucket

logger = logging.getLogger(__name__)
EXPORT_JOB = "exportImage"
FORMATS = ("qcow2", "vmdk", "vhd")
PROPRIETARY = ("zvhd", "zvhd2")


def _format(body: dict, quick: bool) -> str:
    file_format = body.get("file_format")
    if quick:
        if file_format not in (None, ""):
            raise invalid("file_format", _("must be left out for a quick export, which exports the raw disk as it is."))
        return "raw"
    if file_format in PROPRIETARY:
        raise ImsError(
            "IMG.0715",
            _(
                "ZVHD and ZVHD2 are proprietary formats without a public specification; "
                "export to QCOW2, VMDK or VHD instead."
            ),
        )
    return text.check_choice("file_format", file_format, set(FORMATS))


def _bucket_and_key(actor, value) -> tuple[str, str]:
    from obs.naming import parse_url

    bucket, key = parse_url(validation.check_bucket_url("bucket_url", value))
    if not Bucket.objects.filter(account=actor.account, region=actor.project.region, name=bucket).exists():
        raise ImsError(
            "IMG.0916",
            _("Bucket %(bucket)s does not exist in this region; export into a bucket of the image's region.")
            % {"bucket": bucket},
            404,
        )
    return bucket, key


def _export_image(actor, *, image: Image, body: dict) -> Job:
    if not isinstance(body, dict):
        raise invalid("body", _("must be a JSON object."))
    quick = body.get("is_quick_export", False)
    if not isinstance(quick, bool):
        raise invalid("is_quick_export", _("must be true or false."))
    file_format = _format(body, quick)
    bucket, key = _bucket_and_key(actor, body.get("bucket_url"))
    refusal = rules.export_refusal(image, quick=quick)
    if refusal is not None:
        raise refusal
    _lock_quota(actor, new_image=False)
    job = jobs.new_job(
        actor,
        EXPORT_JOB,
        image,
        image_id=str(image.pk),
        image_name=image.name,
        bucket_url=f"{bucket}:{key}",
        file_format=file_format,
        quick=quick,
    )
    jobs.enqueue(job)
    return job


export_image = operation("export_image", find=get_own_image)(_export_image)
export_image_in_safe_mode = operation("export_image_in_safe_mode", find=get_own_image)(_export_image)


@runner(EXPORT_JOB)
def run_export(job_id: str) -> None:
    job = Job.objects.select_related("image__manifest", "project__account").filter(pk=job_id).first()
    if job is None or not jobs.start(job, "rebuild"):
        return
    try:
        export_file(job)
    except ImsError as error:
        jobs.fail(job, error)
    except Exception:
        logger.exception("export job %s failed", job_id)
        jobs.fail(
            job,
            ImsError(
                "IMG.0899",
                _(
                    "The export failed because of an internal error; nothing was kept. "
                    "Please try again or contact the operator."
                ),
            ),
        )
    finally:
        shutil.rmtree(jobs.staging_dir(job), ignore_errors=True)


def export_file(job: Job) -> None:
    from images.blobs.store import read_raw_disk
    from images.formats.qemu import convert_from_raw

    image = job.image
    if image is None or image.manifest is None:
        raise ImsError("IMG.0802", _("The image was deleted while it was being exported."))
    file_format = job.entities["file_format"]
    if file_format == "raw":
        # A quick export streams the disk straight from the chunk store: no raw copy is written first.
        from images.blobs.store import iter_raw_disk

        size = image.manifest.virtual_size
        stored = upload(job, _Pieces(iter_raw_disk(image.manifest)), size)
    else:
        staging = jobs.staging_dir(job)
        staging.mkdir(parents=True, exist_ok=True)
        raw, output = staging / "disk.raw", staging / f"disk.{file_format}"
        jobs.report(job, phase="rebuild", done=0, total=image.manifest.virtual_size)
        read_raw_disk(image.manifest, raw)
        report = Reporter(job, "convert", 100)
        convert_from_raw(raw, output, file_format, on_progress=lambda fraction: report(int(fraction * 100)))
        raw.unlink()
        with open(output, "rb") as handle:
            stored = upload(job, handle, os.path.getsize(output))
    jobs.succeed(job, file_size=stored.size, file_sha256=stored.sha256)


def upload(job: Job, stream, size: int):
    """Puts the file (in parts when larger than one PUT takes) and its SHA-256 sidecar into the bucket."""
    from obs.limits import max_put_size
    from obs.services import put_object

    actor = system_actor(job.project)
    bucket, key = job.entities["bucket_url"].split(":", 1)
    report = Reporter(job, "upload", size)
    if size <= max_put_size():
        stored = put_object(actor, bucket=bucket, key=key, stream=stream, size=size)
    else:
        stored = _put_in_parts(actor, bucket, key, stream, size, report)
    report(size)
    sidecar = f"{stored.sha256}  {key.rsplit('/', 1)[-1]}\n".encode()
    put_object(
        actor,
        bucket=bucket,
        key=f"{key}.sha256",
        stream=io.BytesIO(sidecar),
        size=len(sidecar),
        content_type="text/plain",
    )
    return stored


def _put_in_parts(actor, bucket: str, key: str, handle, size: int, report):
    from obs.services import complete_upload, put_part, start_upload

    upload = start_upload(actor, bucket=bucket, key=key, size=size)
    done, number = 0, 1
    while done < size:
        length = min(upload.part_size, size - done)
        put_part(actor, upload_id=upload.pk, number=number, stream=_Window(handle, length), size=length)
        done, number = done + length, number + 1
        report(done)
    return complete_upload(actor, upload_id=upload.pk)


class _Pieces:
    """A readable stream over an iterator of byte pieces (the disk as the chunk store yields it)."""

    def __init__(self, pieces):
        self.pieces, self.buffer = iter(pieces), memoryview(b"")

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return bytes(self.buffer) + b"".join(self.pieces)
        while not self.buffer:
            piece = next(self.pieces, None)
            if piece is None:
                return b""
            self.buffer = memoryview(piece)
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return bytes(data)


class _Window:
    """At most `length` bytes of a file, read in place (a part of a multipart upload)."""

    def __init__(self, handle, length: int):
        self.handle, self.left = handle, length

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        size = self.left if size is None or size < 0 else min(size, self.left)
        data = self.handle.read(size)
        self.left -= len(data)
        return data
