"""Copying a private image: within its region (no bytes written) or to the account's project in another region
(only the chunks that region lacks travel).

`copy_image_in_region` (and its safe-mode twin) and `copy_image_cross_region` check and queue; the runners
below build the new image's manifest and activate it. The job names the source image (which it locks: one
copy task at a time per image, a database constraint); its entities name the new image.
"""

import dataclasses
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import text
from core.errors import ImsError, invalid
from iam.actors import project_in_region
from iam.models import Account, Region
from iam.operations import operation
from images import rules
from images.choices import ImageStatus, ImageType, Visibility
from images.models import Image, Job
from images.runners import runner
from images.selectors import get_own_image
from images.services import jobs
from images.services.imports import _lock_quota

logger = logging.getLogger(__name__)
COPY_FAMILY = "copy"
IN_REGION_JOB = "copyImageInRegion"
CROSS_REGION_JOB = "copyImageCrossRegion"
# What a copy keeps of its source: the disk's description, not its identity, sharing or tags.
COPIED_FIELDS = (
    "disk_format",
    "container_format",
    "size",
    "virtual_size",
    "min_disk",
    "min_ram",
    "max_ram",
    "os_type",
    "os_version",
    "os_bit",
    "platform",
    "architecture",
    "hw_firmware_type",
    "virtual_env_type",
    "support_flags",
    "features",
    "multiqueue",
    "checksum",
    "os_hash_algo",
    "os_hash_value",
    "root_origin",
    "data_origin",
    "product_code",
    "file_format",
    "file_size",
    "file_md5",
    "file_sha256",
)


def _body(body) -> dict:
    if not isinstance(body, dict):
        raise invalid("body", _("must be a JSON object."))
    return body


def _refuse(refusal: ImsError | None) -> None:
    if refusal is not None:
        raise refusal


def _new_copy(source: Image, *, project, name: str, description: str, enterprise_project_id: str = "0") -> Image:
    fields = {field: getattr(source, field) for field in COPIED_FIELDS}
    return Image.objects.create(
        **fields,
        name=name,
        description=description,
        region=project.region,
        owner=project,
        image_type=ImageType.PRIVATE,
        visibility=Visibility.PRIVATE,
        status=ImageStatus.SAVING,
        original_image_id=str(source.pk),
        enterprise_project_id=enterprise_project_id,
    )


def _check_enterprise_project(value) -> str:
    if value in (None, ""):
        return "0"
    if not isinstance(value, str) or len(value) > 36:
        raise invalid("enterprise_project_id", _("at most 36 characters."))
    return value


def _copy_image_in_region(actor, *, image: Image, body: dict) -> Job:
    body = _body(body)
    name = text.check_name(body.get("name"))
    description = text.check_description(body.get("description"))
    if body.get("cmk_id"):
        raise ImsError(
            "IMG.0120",
            _(
                "Encrypted images need the key management service, which this installation "
                "does not offer yet; leave cmk_id out."
            ),
        )
    enterprise_project_id = _check_enterprise_project(body.get("enterprise_project_id"))
    _refuse(rules.copy_in_region_refusal(image))
    _lock_quota(actor, new_image=True)
    copy = _new_copy(
        image, project=actor.project, name=name, description=description, enterprise_project_id=enterprise_project_id
    )
    job = jobs.new_job(
        actor,
        IN_REGION_JOB,
        image,
        image_id=str(copy.pk),
        image_name=copy.name,
        source_image_id=str(image.pk),
        bytes_moved=0,
    )
    jobs.enqueue(job)
    return job


copy_image_in_region = operation("copy_image_in_region", find=get_own_image)(_copy_image_in_region)
copy_image_in_region_in_safe_mode = operation("copy_image_in_region_in_safe_mode", find=get_own_image)(
    _copy_image_in_region
)


def _target_project(actor, body: dict):
    region_id = body.get("region")
    if not isinstance(region_id, str) or not Region.objects.filter(pk=region_id).exists():
        raise invalid("region", _("the id of a region, e.g. cn-east-3."))
    if region_id == actor.project.region_id:
        raise ImsError(
            "IMG.0906", _("The destination region is the image's own region; copy within the region instead.")
        )
    project_name = body.get("project_name")
    if project_name not in (None, "") and project_name != region_id:
        raise invalid(
            "project_name",
            _("the account's project in the destination region, named after it (%(region)s).") % {"region": region_id},
        )
    project = project_in_region(actor.account, region_id)
    if project is None:
        raise ImsError("IMG.0907", _("The account has no project in region %(region)s.") % {"region": region_id})
    return project


def _check_tenant_copies(actor) -> None:
    Account.objects.select_for_update().filter(pk=actor.account.pk).first()
    running = Job.objects.filter(
        project__account=actor.account, job_type=CROSS_REGION_JOB, status__in=jobs.ACTIVE_STATES
    ).count()
    if running >= rules.CROSS_REGION_COPIES_PER_TENANT:
        raise ImsError(
            "IMG.0908",
            _("%(n)d copies to other regions are already running for this account; wait for one to finish.")
            % {"n": running},
            409,
        )


def _lock_image_for_copy(actor, image: Image, **entities) -> Job:
    busy = ImsError("IMG.0909", _("Another copy task of this image is still running; wait for it to finish."), 409)
    if Job.objects.filter(image=image, family=COPY_FAMILY, status__in=jobs.ACTIVE_STATES).exists():
        raise busy
    try:
        with transaction.atomic():
            job = jobs.new_job(actor, CROSS_REGION_JOB, image, **entities)
            Job.objects.filter(pk=job.pk).update(family=COPY_FAMILY)
    except IntegrityError:
        raise busy from None
    return job


@operation("copy_image_cross_region", find=get_own_image)
def copy_image_cross_region(actor, *, image: Image, body: dict) -> Job:
    """`agency_name` is required as the official API requires it; any non-empty name is accepted, because
    here the service itself moves the chunks and needs no delegated rights in the destination."""
    body = _body(body)
    name = text.check_name(body.get("name"))
    description = text.check_description(body.get("description"))
    if not isinstance(body.get("agency_name"), str) or not body["agency_name"].strip():
        raise invalid("agency_name", _("is required: the name of the IMS agency."))
    target = _target_project(actor, body)
    _refuse(rules.copy_cross_region_refusal(image))
    _check_tenant_copies(actor)
    _lock_quota(actor, new_image=False)
    _lock_quota(dataclasses.replace(actor, project=target, _cache={}), new_image=True)
    copy = _new_copy(
        image, project=target, name=name, description=description, enterprise_project_id=image.enterprise_project_id
    )
    job = _lock_image_for_copy(
        actor,
        image,
        image_id=str(copy.pk),
        image_name=copy.name,
        source_image_id=str(image.pk),
        region=target.region_id,
        project_id=target.pk,
        bytes_moved=0,
    )
    jobs.enqueue(job)
    return job


def _fail(job: Job, error: ImsError) -> None:
    Image.objects.filter(pk=job.entities.get("image_id"), status=ImageStatus.SAVING).update(
        status=ImageStatus.KILLED, manifest=None
    )
    jobs.fail(job, error)


@runner(IN_REGION_JOB, CROSS_REGION_JOB)
def run_copy(job_id: str) -> None:
    job = Job.objects.select_related("image", "project").filter(pk=job_id).first()
    if job is None or not jobs.start(job, "copy"):
        return
    try:
        copy_disk(job)
    except ImsError as error:
        _fail(job, error)
    except Exception:
        logger.exception("copy job %s failed", job_id)
        _fail(
            job,
            ImsError(
                "IMG.0899",
                _(
                    "The copy failed because of an internal error; nothing was kept. "
                    "Please try again or contact the operator."
                ),
            ),
        )


def copy_disk(job: Job) -> None:
    from images.blobs.store import copy_manifest

    source = job.image
    copy = Image.objects.select_related("region").filter(pk=job.entities["image_id"]).first()
    if source is None or source.manifest is None or source.status != ImageStatus.ACTIVE:
        raise ImsError("IMG.0802", _("The source image was deleted or changed while it was being copied."))
    if copy is None:
        raise ImsError("IMG.0802", _("The new image was deleted while it was being copied."))
    jobs.report(job, phase="copy", done=0, total=source.manifest.data_bytes)
    manifest, moved = copy_manifest(source.manifest, target_region=copy.region)
    with transaction.atomic():
        updated = Image.objects.filter(pk=copy.pk, status=ImageStatus.SAVING).update(
            status=ImageStatus.ACTIVE, manifest=manifest, active_at=timezone.now(), updated_at=timezone.now()
        )
        if not updated:
            raise ImsError("IMG.0802", _("The new image was deleted while it was being copied."))
        jobs.succeed(job, bytes_moved=moved)
