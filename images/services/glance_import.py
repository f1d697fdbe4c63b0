"""Glance's interoperable image import with the glance-direct method: the file is staged first
(`PUT /v2/images/{id}/stage`: queued → uploading), then imported (`POST /v2/images/{id}/import`: uploading →
importing → active, or back to queued when it fails, as in Glance) by the same import job as a Glance upload,
which inspects it with the same rules.

A staged file waits in the image's own staging folder, not a job's: no job exists, and no task-quota slot is
held, while it waits. The folder goes when the import job takes the file, when the image is deleted, when a
stage or an import fails, and otherwise when the collector finds it beside an image that is no longer staged.
"""

import json
import os
import shutil

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.context import current_request_id
from core.errors import ImsError, invalid, storage_failure
from iam.actors import Actor
from iam.operations import operation
from images.choices import ImageStatus
from images.models import Image, Job, JobStatus
from images.selectors import get_own_image
from images.services import imports, jobs

IMPORT_METHODS = ("glance-direct",)
# Glance's other methods, each optional in Glance itself: fetching from the web, from another Glance, or copying
# between stores (one store here).
NOT_OFFERED = ("web-download", "glance-download", "copy-image")
IMPORT_JOB = "importImage"
# The one store of a region (its chunk store), named as Glance names a store.
STORE_ID = "default"
STAGED_STATES = (ImageStatus.UPLOADING, ImageStatus.IMPORTING)
DIGEST = "digest.json"
# Glance's bookkeeping properties of an import (reserved: clients cannot set them).
TASK_PROPERTY = "os_glance_import_task"
IMPORTING_PROPERTY = "os_glance_importing_to_stores"
FAILED_PROPERTY = "os_glance_failed_import"


def staged_root():
    return settings.VAR_DIR / "staged-images"


def staged_dir(image_id):
    return staged_root() / str(image_id)


def discard_staged(image_id) -> None:
    shutil.rmtree(staged_dir(image_id), ignore_errors=True)


def take_staged(job: Job) -> None:
    """Moves the image's staged file into the job's staging folder: from now on the job owns it (and its runner
    removes it however the job ends)."""
    target = jobs.staging_dir(job)
    target.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(staged_dir(job.image_id) / "upload", target / "upload")
    except FileNotFoundError:
        raise ImsError("IMG.0127", _("The staged file of this image is gone; stage the file again."), 409) from None
    discard_staged(job.image_id)


def import_info() -> dict:
    """`GET /v2/info/import`: the methods offered (and, as a hint, those Glance has that are not)."""
    return {
        "import-methods": {
            "description": "Import methods available.",
            "type": "array",
            "value": list(IMPORT_METHODS),
            "not_offered": list(NOT_OFFERED),
        }
    }


def stores_info() -> dict:
    return {
        "stores": [
            {"id": STORE_ID, "description": "The image store of this region (its chunk store).", "default": True}
        ]
    }


def _not_queued(image: Image) -> ImsError:
    return ImsError(
        "IMG.0121",
        _(
            "Only a queued image (created and still waiting for its file) can have a file staged; this one is "
            "%(status)s."
        )
        % {"status": image.status},
        409,
    )


@operation("glance_stage_image_data", atomic=False, find=get_own_image)
def glance_stage_image_data(actor: Actor, *, image: Image, stream, content_length: int | None) -> Image:
    """Receives the body (never whole in memory) into the image's staging folder, hashed on the way in. Only a
    body that arrived whole, of its declared length and within the size limit, is kept: else the folder goes,
    the image is queued again and the refusal says why. Not one transaction: the bytes may take minutes."""
    limit = imports.normal_import_limit()
    if image.status != ImageStatus.QUEUED:
        raise _not_queued(image)
    if content_length is not None and content_length > limit:
        raise ImsError("IMG.0712", _("The file is larger than %(limit)d GB.") % {"limit": limit // 1024**3}, 413)
    # Claimed with a conditional update: of two concurrent stages only one finds the image queued.
    if not Image.objects.filter(pk=image.pk, status=ImageStatus.QUEUED).update(
        status=ImageStatus.UPLOADING, updated_at=timezone.now()
    ):
        raise _not_queued(Image.objects.get(pk=image.pk))
    folder = staged_dir(image.pk)
    discard_staged(image.pk)
    try:
        digest = imports.receive_file(stream, folder / "upload", limit=limit, declared=content_length)
        partial = folder / f"{DIGEST}.part"
        partial.write_text(json.dumps(digest))
        os.replace(partial, folder / DIGEST)  # written last: an import finds the digest only of a whole file
    except BaseException as error:
        discard_staged(image.pk)
        requeued = Image.objects.filter(pk=image.pk, status=ImageStatus.UPLOADING).update(status=ImageStatus.QUEUED)
        refusal = error if isinstance(error, ImsError) else storage_failure(error)
        if refusal is None and not requeued and isinstance(error, Exception):
            # Deleted while its bytes arrived: the deletion took the folder being written, hence the error.
            refusal = _not_queued(Image.objects.filter(pk=image.pk).first() or image)
        if refusal is None:
            raise
        raise refusal from (None if refusal is error else error)
    image.refresh_from_db()
    if image.status != ImageStatus.UPLOADING:  # deleted while its bytes arrived
        discard_staged(image.pk)
        raise _not_queued(image)
    return image


def staged_digest(image: Image) -> dict | None:
    try:
        return json.loads((staged_dir(image.pk) / DIGEST).read_text())
    except (OSError, ValueError):
        return None


def _check_request(method: str, stores: list[str] | None) -> None:
    if method not in IMPORT_METHODS:
        message = (
            _("Import method %(method)s is not offered here; the methods offered: %(offered)s.")
            if method in NOT_OFFERED
            else _("Unknown import method %(method)s; the methods offered: %(offered)s.")
        )
        raise invalid("method", message % {"method": method, "offered": ", ".join(IMPORT_METHODS)})
    unknown = [store for store in stores or [] if store != STORE_ID]
    if unknown:
        raise ImsError(
            "IMG.0128",
            _("Unknown store %(stores)s; this region has one store, %(store)s.")
            % {"stores": ", ".join(map(str, unknown)), "store": STORE_ID},
        )


@operation("glance_import_image", find=get_own_image, summary=lambda kwargs: {"method": kwargs.get("method")})
def glance_import_image(
    actor: Actor,
    *,
    image: Image,
    method: str,
    stores: list[str] | None = None,
    all_stores: bool | None = None,
    all_stores_must_succeed: bool | None = None,
) -> Job:
    """Starts the import of the staged file: the image is importing, and the job that makes it exists (the
    caller runs it). `stores`/`all_stores` choose among stores: with one store, every choice means it."""
    _check_request(method, stores)
    locked = Image.objects.select_for_update().get(pk=image.pk)
    digest = staged_digest(locked) if locked.status == ImageStatus.UPLOADING else None
    if digest is None:
        raise ImsError(
            "IMG.0127",
            _(
                "Only an image whose file is staged (PUT /v2/images/{id}/stage, status uploading) can be imported "
                "with glance-direct; this one is %(status)s."
            )
            % {"status": locked.status},
            409,
        )
    imports._lock_quota(actor, new_image=False)
    job = jobs.new_job(
        actor,
        IMPORT_JOB,
        locked,
        declared_format=locked.disk_format,
        staged=True,
        glance_direct=True,
        expected_sha256="",
        min_disk=locked.min_disk,
        request_id=current_request_id(),
        import_req={"method": {"name": method}, "stores": [STORE_ID]},
        **digest,
    )
    locked.status = ImageStatus.IMPORTING
    properties = {k: v for k, v in locked.extra_properties.items() if k != FAILED_PROPERTY}
    locked.extra_properties = {**properties, TASK_PROPERTY: job.pk, IMPORTING_PROPERTY: STORE_ID}
    locked.save(update_fields=["status", "extra_properties", "updated_at"])
    return job


def settle_import(job: Job) -> None:
    """After the import job ended: Glance's bookkeeping properties tell how (the task lock dropped, the store
    failed when it failed), and nothing staged is left behind."""
    job.refresh_from_db()
    with transaction.atomic():
        image = Image.objects.select_for_update().filter(pk=job.image_id).first()
        if image is not None:
            properties = {
                k: v for k, v in image.extra_properties.items() if k not in (TASK_PROPERTY, IMPORTING_PROPERTY)
            }
            fields = ["extra_properties"]
            if job.status == JobStatus.FAIL:
                properties[FAILED_PROPERTY] = STORE_ID
                if image.status == ImageStatus.KILLED:
                    # As in Glance, a failed import puts the image back to queued: its file may be staged again.
                    image.status = ImageStatus.QUEUED
                    fields += ["status", "updated_at"]
            image.extra_properties = properties
            image.save(update_fields=fields)
    if job.status == JobStatus.FAIL:
        discard_staged(job.image_id)


def import_tasks(image: Image) -> list[Job]:
    return list(Job.objects.filter(image=image, job_type=IMPORT_JOB).order_by("created_at"))
