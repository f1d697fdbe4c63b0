"""The export job: makes the disk into a qcow2 from the chunk store as it is stored, or converts it as qemu-img
reads it over NBD (VMDK, VHD), or streams it as it is (a quick export); puts it into the bucket with a
`<key>.sha256` sidecar. The runner base removes its staging folder whatever happens."""

import contextlib
import io
import os
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ImsError
from iam.actors import system_actor
from images.formats.errors import FormatError
from images.jobs.base import Reporter, Runner
from images.models import Job
from images.services import jobs
from images.services.export import EXPORT_JOB
from kms.services import open_image_data_key


class ExportRunner(Runner):
    job_types = (EXPORT_JOB,)
    first_phase = "convert"
    related = ("image__manifest", "project__account")
    internal_error = gettext_lazy(
        "The export failed because of an internal error; nothing was kept. Please try again or contact the operator."
    )

    def run(self) -> None:
        export_file(self.job)


def export_file(job: Job) -> None:
    image = job.image
    if image is None or image.manifest is None:
        raise ImsError("IMG.0802", _("The image was deleted while it was being exported."))
    file_format = job.entities["file_format"]
    # An encrypted image is opened now (refused if its key was disabled since the request); its chunks are
    # decrypted in memory as they are read, and only the converted file is written to the staging folder.
    key = open_image_data_key(system_actor(job.project), image, purpose=job.job_type)
    if file_format == "raw":
        # A quick export streams the disk straight from the chunk store: no raw copy is written first.
        from images.blobs.store import iter_raw_disk

        size = image.manifest.virtual_size
        stored = upload(job, _Pieces(iter_raw_disk(image.manifest, key=key)), size, cmk_id=image.cmk_id)
    elif file_format == "qcow2":
        stream, size = qcow2_image(job, image.manifest, key=key)
        stored = upload(job, stream, size, cmk_id=image.cmk_id)
    else:
        output = convert(job, image.manifest, file_format, key=key)
        stored = upload(job, output, os.path.getsize(output), cmk_id=image.cmk_id)
    jobs.succeed(job, file_size=stored.size, file_sha256=stored.sha256)


def qcow2_image(job: Job, manifest, *, key: bytes | None):
    """The disk as a qcow2 stream made here from the chunk store, and its size: a first pass over the stored
    chunks maps the clusters that hold data, then the image is made from a second one, in order, and goes to the
    bucket as it is made. Nothing is staged and no qemu-img reads the disk over NBD (what the other formats do)."""
    from images.blobs.store import iter_stored_chunks
    from images.formats.qcow2_writer import Qcow2Layout, cluster_mask

    report = Reporter(job, "convert", max(manifest.data_bytes, 1))
    masks, done = [], 0
    for offset, data in iter_stored_chunks(manifest, key=key):
        masks.append((offset, cluster_mask(data)))
        done += len(data)
        report(min(done, manifest.data_bytes))
    layout = Qcow2Layout(manifest.virtual_size, masks)
    return _Pieces(layout.image(iter_stored_chunks(manifest, key=key))), layout.size


def convert(job: Job, manifest, file_format: str, *, key: bytes | None):
    """The disk converted to `file_format` in the staging folder. qemu-img reads it over NBD from the chunk
    store: no raw copy of the disk is written first, and zeros are never stored nor read."""
    from images.blobs.nbd_server import ManifestNbdServer
    from images.formats.conversion import convert_from_nbd

    staging = jobs.staging_dir(job)
    staging.mkdir(parents=True, exist_ok=True)
    output = staging / f"disk.{file_format}"
    report = Reporter(job, "convert", 100)
    with ManifestNbdServer(manifest, key=key) as server:
        try:
            convert_from_nbd(
                server.socket_path,
                manifest.virtual_size,
                output,
                file_format,
                on_progress=lambda fraction: report(int(fraction * 100)),
            )
        except FormatError:
            if server.error is not None:
                raise server.error from None  # a chunk that could not be read, not a conversion fault
            raise
    return output


def upload(job: Job, source, size: int, *, cmk_id: str = ""):
    """Puts the disk (`source`: the converted file's path, or a stream) and its SHA-256 sidecar into the bucket,
    in parts when larger than one PUT takes. The converted file is handed over: local object storage moves it
    into place once hashed instead of writing it a second time. The export of an encrypted image is encrypted
    at rest under the image's key (`cmk_id`), as SSE-KMS does: never written in the clear, and sealed by the
    object storage in one stream whatever its size."""
    from obs.limits import max_put_size
    from obs.services import put_object

    actor = system_actor(job.project)
    bucket, key = job.entities["bucket_url"].split(":", 1)
    report = Reporter(job, "upload", size)
    is_file = isinstance(source, Path)
    if cmk_id or size <= max_put_size():
        body = {"file_path": source} if is_file else {"stream": source}
        stored = put_object(actor, bucket=bucket, key=key, size=size, cmk_id=cmk_id, **body)
    else:
        with open(source, "rb") if is_file else contextlib.nullcontext(source) as stream:
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
    from obs.services import abort_upload, complete_upload, put_part, start_upload

    upload = start_upload(actor, bucket=bucket, key=key, size=size)
    try:
        done, number = 0, 1
        while done < size:
            length = min(upload.part_size, size - done)
            put_part(actor, upload_id=upload.pk, number=number, stream=_Window(handle, length), size=length)
            done, number = done + length, number + 1
            report(done)
        return complete_upload(actor, upload_id=upload.pk)
    except BaseException:
        # A failed export leaves no partial bytes: the parts already stored go with the unfinished upload (unless
        # it got as far as completing, when the object is whole).
        with contextlib.suppress(ImsError):
            abort_upload(actor, upload_id=upload.pk)
        raise


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
