"""Copying a private image: within its region (no bytes written) or to the account's project in another region
(only the chunks that region lacks travel).

`copy_image_in_region` (and its safe-mode twin) and `copy_image_cross_region` check and queue; the copy runner
(`images.jobs.copy`) builds the new image's manifest and activates it. The job names the source image (which it
locks: one copy task at a time per image, a database constraint); its entities name the new image.
"""

import dataclasses

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import ImsError, invalid
from iam.actors import Actor, project_in_region
from iam.models import Account, Region
from iam.operations import operation
from images import rules
from images.choices import ImageStatus, ImageType, Visibility
from images.models import ACTIVE_JOB_STATES, Image, Job
from images.selectors import get_copyable_image, get_own_image
from images.services import jobs
from images.services.imports import _lock_quota, encrypt_new_image
from kms import services as kms

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


def _copy_image_in_region(
    actor: Actor,
    *,
    image: Image,
    name: str,
    description: str = "",
    enterprise_project_id: str = "0",
    cmk_id: str | None = None,
) -> Job:
    """`cmk_id` encrypts the copy with that key (re-keys an encrypted image); without it the copy is not encrypted
    (an encrypted source is decrypted). The source's own key is never changed."""
    _refuse(rules.copy_in_region_refusal(image))
    key = kms.key_for_new_image(actor, cmk_id) if cmk_id else None
    _lock_quota(actor, new_image=True)
    copy = _new_copy(
        image, project=actor.project, name=name, description=description, enterprise_project_id=enterprise_project_id
    )
    if key is not None and str(key.pk) == image.cmk_id:
        # The same key keeps the same data key: the copy names the source's sealed chunks, as a plain copy does.
        Image.objects.filter(pk=copy.pk).update(cmk_id=image.cmk_id, wrapped_data_key=image.wrapped_data_key)
    elif key is not None:
        encrypt_new_image(actor, copy, key, purpose=IN_REGION_JOB)
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


# Market images too: copying in the region is the one copy the market allows.
copy_image_in_region = operation("copy_image_in_region", find=get_copyable_image)(_copy_image_in_region)
copy_image_in_region_in_safe_mode = operation("copy_image_in_region_in_safe_mode", find=get_copyable_image)(
    _copy_image_in_region
)


def _target_project(actor: Actor, region_id: str, project_name: str | None):
    if not isinstance(region_id, str) or not Region.objects.filter(pk=region_id).exists():
        raise invalid("region", _("the id of a region, e.g. cn-east-3."))
    if region_id == actor.project.region_id:
        raise ImsError(
            "IMG.0906", _("The destination region is the image's own region; copy within the region instead.")
        )
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
        project__account=actor.account, job_type=CROSS_REGION_JOB, status__in=ACTIVE_JOB_STATES
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
    if Job.objects.filter(image=image, family=COPY_FAMILY, status__in=ACTIVE_JOB_STATES).exists():
        raise busy
    try:
        with transaction.atomic():
            job = jobs.new_job(actor, CROSS_REGION_JOB, image, **entities)
            Job.objects.filter(pk=job.pk).update(family=COPY_FAMILY)
    except IntegrityError:
        raise busy from None
    return job


@operation("copy_image_cross_region", find=get_own_image)
def copy_image_cross_region(
    actor: Actor, *, image: Image, name: str, region: str, description: str = "", project_name: str | None = None
) -> Job:
    """Into the account's project in `region`; `project_name`, when given, must name that project (the
    project of a region is named after it)."""
    target = _target_project(actor, region, project_name)
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
