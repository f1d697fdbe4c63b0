"""Images made from what another service holds (servers, disks, backups), through a registry that service fills.

Images sit below compute in the layer stack: they cannot ask for a server. Compute's AppConfig registers one
handler per source kind; `create_image` (instance_id, volume_id) and `create_whole_image` (instance_id,
backup_id) hand the request over, already authorized and traced by their operation. The handler makes the
image rows here (`image_from_manifest`), so an image's fields are set in one place whatever its origin.
"""

from collections.abc import Callable

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ImsError
from iam.models import Project
from images.choices import ImageStatus, ImageType, VirtualEnvType, Visibility
from images.models import Image, ImageTag, Job
from images.selectors import private_images_used
from images.services import jobs

INSTANCE, VOLUME, WHOLE_INSTANCE, WHOLE_BACKUP = "instance", "volume", "whole_instance", "whole_backup"
_HANDLERS: dict[str, Callable[..., Job]] = {}


def register_source(kind: str, handler: Callable[..., Job]) -> None:
    _HANDLERS[kind] = handler


def make_from(kind: str, actor, **request) -> Job:
    handler = _HANDLERS.get(kind)
    if handler is None:
        raise ImsError(
            "IMG.0110",
            _("This installation has no server, disk or backup service; create the image from an image file."),
            409,
        )
    return handler(actor, **request)


def image_from_manifest(
    actor,
    *,
    name: str,
    manifest,
    min_disk: int,
    virtual_env_type: str = VirtualEnvType.FUSION_COMPUTE,
    description: str = "",
    tags: dict[str, str] | None = None,
    root_origin: str,
    data_origin: str,
    facts: dict | None = None,
) -> Image:
    """An active private image whose disk is `manifest` (already the image's own copy); `facts` carries the OS,
    architecture and memory fields of the machine it came from. The quota of private images is checked here."""
    _check_image_quota(actor)
    now = timezone.now()
    image = Image.objects.create(
        name=name,
        description=description,
        region=actor.project.region,
        owner=actor.project,
        image_type=ImageType.PRIVATE,
        visibility=Visibility.PRIVATE,
        status=ImageStatus.ACTIVE,
        disk_format="zvhd2",
        min_disk=min_disk,
        virtual_env_type=virtual_env_type,
        manifest=manifest,
        size=manifest.stored_bytes,
        virtual_size=manifest.virtual_size,
        root_origin=root_origin,
        data_origin=data_origin,
        active_at=now,
        **(facts or {}),
    )
    ImageTag.objects.bulk_create([ImageTag(image=image, key=k, value=v) for k, v in (tags or {}).items()])
    return image


def _check_image_quota(actor) -> None:
    """The private image quota, with the project row locked (as an import checks it): these images need no
    background task, so the parallel task quota does not apply."""
    Project.objects.select_for_update().filter(pk=actor.project.pk).first()
    if private_images_used(actor.project) >= settings.IMS_PRIVATE_IMAGE_QUOTA:
        raise ImsError(
            "IMG.0301",
            _("The private image quota of this region (%(n)d) is used up; delete images or ask for a higher quota.")
            % {"n": settings.IMS_PRIVATE_IMAGE_QUOTA},
        )


def finished_job(actor, job_type: str, image: Image | None, **entities) -> Job:
    """The job of work done within the request (manifest copies: no bytes move), already SUCCESS, so the job API
    and the console follow it as they follow any other."""
    job = jobs.new_job(actor, job_type, image, **entities)
    jobs.start(job, "done")
    jobs.succeed(job, **({"image_id": str(image.pk), "image_name": image.name} if image else {}))
    job.refresh_from_db()
    return job
