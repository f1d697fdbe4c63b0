"""Creating private images from image files: the request is checked and queued here; `images.pipeline` runs it.

One function per operation of the catalogue (`create_image`, `create_data_image`, `import_image_quick`,
`register_image`, `glance_create_image_metadata`, `glance_upload_image_file`); the safe-mode twins of the
official API are the same functions under their own catalogue names.
"""

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core import text, units
from core.errors import ImsError, invalid
from core.units import GiB
from iam.models import Project
from iam.operations import operation
from images import validation
from images.choices import Architecture, FirmwareType, ImageStatus, ImageType, VirtualEnvType, Visibility
from images.models import Image, ImageTag, Job
from images.public_catalog import OTHER_OS_VERSIONS, PUBLIC_IMAGES
from images.selectors import get_image, get_own_image
from images.services import jobs

FAST_IMPORT_LIMIT = 1024 * GiB


def normal_import_limit() -> int:
    """The largest file a normal import accepts: `IMS_IMAGE_SIZE_CAP`, read at call time."""
    return settings.IMS_IMAGE_SIZE_CAP


PROPRIETARY = ("zvhd", "zvhd2")
GLANCE_DISK_FORMATS = {"vhd", "zvhd", "zvhd2", "raw", "qcow2", "vmdk", "vhdx", "qed", "vdi", "qcow", "iso"}


@dataclass
class ImportRequest:
    """What the caller asked for, checked against the product's rules."""

    name: str
    image_url: str = ""
    description: str = ""
    min_disk: int = 40
    os_version: str = ""
    platform: str = "Other"
    os_type: str = "Linux"
    os_bit: int = 64
    architecture: str = Architecture.X86
    firmware: str = FirmwareType.BIOS
    virtual_env_type: str = VirtualEnvType.FUSION_COMPUTE
    min_ram: int = 0
    max_ram: int | None = None
    tags: dict = field(default_factory=dict)
    expected_sha256: str = ""
    declared_format: str | None = None
    fast: bool = False


def os_version_facts(os_version: str, *, os_type_hint: str = "Linux") -> tuple[str, str, int]:
    """(platform, os_type, os_bit) of a version the OS version list offers; unknown versions are refused."""
    for entry in PUBLIC_IMAGES:
        if os_version in (entry.os_version, entry.name):
            return entry.platform, entry.os_type, entry.os_bit
    for other in OTHER_OS_VERSIONS:
        if os_version == other.os_version:
            return other.platform, other.os_type, other.os_bit
    raise invalid(
        "os_version",
        _(
            "%(value)s is not in the OS version list (GET /v1/cloudimages/os_version); "
            "use Other Linux(64 bit) or Other Windows(64 bit) for other systems."
        )
        % {"value": os_version},
    )


def _common(body: dict, *, min_disk_range=(40, 1024), data_image=False) -> ImportRequest:
    if not isinstance(body, dict):
        raise invalid("body", _("must be a JSON object."))
    request = ImportRequest(name=text.check_name(body.get("name")))
    request.description = text.check_description(body.get("description"))
    request.min_disk = text.check_int("min_disk", body.get("min_disk"), *min_disk_range, default=min_disk_range[0])
    request.architecture = text.check_choice(
        "architecture", body.get("architecture"), set(Architecture.values), default=Architecture.X86
    )
    request.firmware = text.check_choice(
        "hw_firmware_type", body.get("hw_firmware_type"), set(FirmwareType.values), default=FirmwareType.BIOS
    )
    if request.architecture == Architecture.ARM:
        request.firmware = FirmwareType.UEFI  # Kunpeng servers boot only with UEFI
    request.min_ram = text.check_int("min_ram", body.get("min_ram"), 0, 1024 * 1024, default=0)
    if body.get("max_ram") not in (None, ""):
        request.max_ram = text.check_int("max_ram", body.get("max_ram"), 0, 1024 * 1024)
    request.tags = text.check_tags(body.get("image_tags"), body.get("tags"))
    request.expected_sha256 = validation.check_sha256("sha256", body.get("sha256"))
    if body.get("cmk_id"):
        raise ImsError(
            "IMG.0120",
            _(
                "Encrypted images need the key management service, which this "
                "installation does not offer yet; leave cmk_id out."
            ),
        )
    if body.get("image_url") is not None:
        request.image_url = validation.check_bucket_url("image_url", body.get("image_url"))
    os_type_default = body.get("os_type") if body.get("os_type") in ("Linux", "Windows") else "Linux"
    if data_image:
        request.os_type = text.check_choice("os_type", body.get("os_type"), {"Linux", "Windows"}, default="Linux")
        request.virtual_env_type = VirtualEnvType.DATA_IMAGE
    elif body.get("os_version"):
        request.os_version = body["os_version"]
        request.platform, request.os_type, request.os_bit = os_version_facts(body["os_version"])
    else:
        request.os_version = f"Other {os_type_default}(64 bit)"
        request.platform, request.os_type, request.os_bit = "Other", os_type_default, 64
    return request


def _lock_quota(actor, *, new_image: bool) -> None:
    """Checks both quotas with the project row locked, so concurrent requests cannot both pass the limit."""
    Project.objects.select_for_update().filter(pk=actor.project.pk).first()
    if new_image:
        used = (
            Image.objects.filter(owner=actor.project, image_type=ImageType.PRIVATE)
            .exclude(status__in=[ImageStatus.KILLED, ImageStatus.DELETED])
            .count()
        )
        if used >= settings.IMS_PRIVATE_IMAGE_QUOTA:
            raise ImsError(
                "IMG.0301",
                _("The private image quota of this region (%(n)d) is used up; delete images or ask for a higher quota.")
                % {"n": settings.IMS_PRIVATE_IMAGE_QUOTA},
            )
    running = Job.objects.filter(project=actor.project, status__in=jobs.ACTIVE_STATES).count()
    if running >= settings.IMS_PARALLEL_TASK_QUOTA:
        raise ImsError(
            "IMG.0302",
            _("%(n)d image tasks are already running in this region; wait for some to finish.")
            % {"n": settings.IMS_PARALLEL_TASK_QUOTA},
        )


def _check_source_object(actor, request: ImportRequest, *, limit: int) -> None:
    from obs.services import open_object_for_reading

    key = request.image_url.rsplit(":", 1)[-1].lower()
    if key.endswith(PROPRIETARY):
        raise ImsError(
            "IMG.0715",
            _(
                "ZVHD and ZVHD2 are proprietary formats without a public specification; "
                "convert the file to QCOW2, VHD or RAW with qemu-img and import that."
            ),
        )
    stream, stored = open_object_for_reading(actor, actor.project.region_id, request.image_url)
    stream.close()
    if stored.size > limit:
        raise ImsError(
            "IMG.0712",
            _("The file is %(size)s GB; this kind of import accepts up to %(limit)d GB.")
            % {"size": units.gib_ceil(stored.size), "limit": limit // GiB},
        )


def _new_image(actor, request: ImportRequest, **fields) -> Image:
    image = Image.objects.create(
        name=request.name,
        description=request.description,
        region=actor.project.region,
        owner=actor.project,
        image_type=ImageType.PRIVATE,
        visibility=Visibility.PRIVATE,
        status=ImageStatus.SAVING,
        min_disk=request.min_disk,
        min_ram=request.min_ram,
        max_ram=request.max_ram,
        os_type=request.os_type,
        os_version=request.os_version,
        os_bit=request.os_bit,
        platform=request.platform,
        architecture=request.architecture,
        hw_firmware_type=request.firmware,
        virtual_env_type=request.virtual_env_type,
        root_origin="file",
        data_origin=f"file,{request.image_url}" if request.image_url else "file",
        **fields,
    )
    ImageTag.objects.bulk_create([ImageTag(image=image, key=k, value=v) for k, v in request.tags.items()])
    return image


def _queue_import(actor, request: ImportRequest, job_type: str, image: Image | None = None, **entities) -> Job:
    _lock_quota(actor, new_image=image is None)
    if image is None:
        image = _new_image(actor, request)
    job = jobs.new_job(
        actor,
        job_type,
        image,
        image_url=request.image_url,
        expected_sha256=request.expected_sha256,
        declared_format=request.declared_format,
        fast=request.fast,
        min_disk=request.min_disk,
        **entities,
    )
    jobs.enqueue(job)
    return job


def _create_image(actor, *, body: dict) -> Job:
    if body.get("instance_id") or body.get("volume_id"):
        raise ImsError(
            "IMG.0110",
            _(
                "Creating an image from a server or a disk is not available yet; create it "
                "from an image file (image_url)."
            ),
        )
    if not body.get("image_url"):
        raise invalid("image_url", _("is required: the bucket:key of the image file."))
    if body.get("type") == "IsoImage":
        request = _common(body, min_disk_range=(1, 1024))
        request.virtual_env_type = VirtualEnvType.ISO_IMAGE
        request.declared_format = "iso"
        _check_source_object(actor, request, limit=normal_import_limit())
        return _queue_import(actor, request, "createIsoImage")
    request = _common(body)
    if body.get("type") in ("BMS", "Ironic"):
        request.virtual_env_type = VirtualEnvType.IRONIC
    elif body.get("type") not in (None, "", "ECS", "FusionCompute"):
        raise invalid("type", _("must be ECS, BMS or IsoImage."))
    _check_source_object(actor, request, limit=normal_import_limit())
    return _queue_import(actor, request, "createImageByFile")


create_image = operation("create_image")(_create_image)
create_image_in_safe_mode = operation("create_image_in_safe_mode")(_create_image)


def _create_data_image(actor, *, body: dict) -> Job:
    request = _common(body, min_disk_range=(40, 2048), data_image=True)
    if not body.get("image_url"):
        raise invalid("image_url", _("is required: the bucket:key of the image file."))
    _check_source_object(actor, request, limit=normal_import_limit())
    return _queue_import(actor, request, "createDataImageByFile")


create_data_image = operation("create_data_image")(_create_data_image)
create_data_image_in_safe_mode = operation("create_data_image_in_safe_mode")(_create_data_image)


@operation("create_whole_image", summary=lambda kwargs: {"name": (kwargs.get("body") or {}).get("name")})
def create_whole_image(actor, *, body: dict) -> Job:
    """A whole-machine image is taken from a cloud server or its backup; this service manages images only, so
    the request is checked like the product checks it and then refused with what to do instead."""
    text.check_name(body.get("name"))
    if not (body.get("instance_id") or body.get("backup_id")):
        raise invalid("instance_id", _("instance_id or backup_id is required."))
    raise ImsError(
        "IMG.0131",
        _(
            "Whole-machine images are made from a cloud server or a server backup, and this installation has no "
            "server or backup service. Import the system disk and each data disk as images instead."
        ),
        409,
    )


def _import_image_quick(actor, *, body: dict) -> Job:
    data = isinstance(body, dict) and body.get("type") == "DataImage"
    request = _common(body, min_disk_range=(1, 2048 if data else 1024), data_image=data)
    if not data and not body.get("os_version"):
        raise invalid("os_version", _("is required for a fast import."))
    if not body.get("image_url"):
        raise invalid("image_url", _("is required: the bucket:key of the image file."))
    request.fast, request.declared_format = True, "raw"
    _check_source_object(actor, request, limit=FAST_IMPORT_LIMIT)
    return _queue_import(actor, request, "importImageQuick")


import_image_quick = operation("import_image_quick")(_import_image_quick)
import_image_quick_in_safe_mode = operation("import_image_quick_in_safe_mode")(_import_image_quick)


@operation("glance_create_image_metadata")
def glance_create_image_metadata(actor, *, body: dict) -> Image:
    """A queued image waiting for its file (Glance upload or register_image)."""
    if not isinstance(body, dict):
        raise invalid("body", _("must be a JSON object."))
    name = body.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 255 or text.CONTROL_CHARACTERS.search(name):
        raise invalid("name", _("1 to 255 characters, without control characters."))
    if body.get("visibility", "private") != "private":
        raise invalid("visibility", _("only private images can be created."))
    disk_format = text.check_choice("disk_format", body.get("disk_format"), GLANCE_DISK_FORMATS, default="vhd")
    if disk_format in PROPRIETARY:
        raise ImsError(
            "IMG.0715",
            _(
                "ZVHD and ZVHD2 are proprietary formats without a public specification; "
                "upload QCOW2, VHD or RAW instead."
            ),
        )
    container_format = text.check_choice("container_format", body.get("container_format"), {"bare"}, default="bare")
    os_version = body.get("__os_version") or "Other Linux(64 bit)"
    platform, os_type, os_bit = os_version_facts(os_version)
    tags = body.get("tags") or []
    if (
        not isinstance(tags, list)
        or len(tags) > text.MAX_TAGS
        or not all(isinstance(t, str) and 1 <= len(t) <= 128 for t in tags)
    ):
        raise invalid("tags", _("a list of at most %(n)d strings of 1 to 128 characters.") % {"n": text.MAX_TAGS})
    _lock_quota(actor, new_image=True)
    image = Image.objects.create(
        name=name,
        region=actor.project.region,
        owner=actor.project,
        image_type=ImageType.PRIVATE,
        visibility=Visibility.PRIVATE,
        status=ImageStatus.QUEUED,
        disk_format=disk_format,
        container_format=container_format,
        os_version=os_version,
        platform=platform,
        os_type=os_type,
        os_bit=os_bit,
        min_disk=text.check_int("min_disk", body.get("min_disk"), 0, 1024, default=0),
        min_ram=text.check_int("min_ram", body.get("min_ram"), 0, 1024 * 1024, default=0),
        protected=validation.check_bool("protected", body.get("protected")),
        root_origin="file",
    )
    ImageTag.objects.bulk_create([ImageTag(image=image, key=tag, value="") for tag in dict.fromkeys(tags)])
    return image


def _queued_image(image: Image) -> None:
    if image.status != ImageStatus.QUEUED:
        raise ImsError(
            "IMG.0121",
            _(
                "Only a queued image (created with POST /v2/images and still waiting for its "
                "file) can receive a file; this one is %(status)s."
            )
            % {"status": image.status},
            409,
        )


@operation("register_image", find=get_own_image)
def register_image(actor, *, image: Image, image_url) -> Job:
    _queued_image(image)
    request = ImportRequest(
        name=image.name, image_url=validation.check_bucket_url("image_url", image_url), min_disk=image.min_disk or 1
    )
    _check_source_object(actor, request, limit=normal_import_limit())
    # Claimed with a conditional update: of two concurrent registrations only one finds the image queued.
    if not Image.objects.filter(pk=image.pk, status=ImageStatus.QUEUED).update(
        status=ImageStatus.SAVING, data_origin=f"file,{image_url}"
    ):
        _queued_image(Image.objects.get(pk=image.pk))
    return _queue_import(actor, request, "registerImage", image=image)


@operation("glance_upload_image_file", atomic=False, find=get_own_image)
def glance_upload_image_file(actor, *, image: Image, stream, content_length: int | None) -> Job:
    """Streams the body into the job's staging folder (never whole in memory), then queues the import.

    Not one transaction: the database must not stay locked while gigabytes arrive.
    """
    _queued_image(image)
    if content_length is not None and content_length > normal_import_limit():
        raise ImsError(
            "IMG.0712", _("The file is larger than %(limit)d GB.") % {"limit": normal_import_limit() // GiB}, 413
        )
    with transaction.atomic():
        _lock_quota(actor, new_image=False)
        # Claiming the image first means a second upload to the same image is refused at once.
        if not Image.objects.filter(pk=image.pk, status=ImageStatus.QUEUED).update(status=ImageStatus.SAVING):
            _queued_image(Image.objects.get(pk=image.pk))
        job = jobs.new_job(
            actor,
            "uploadImage",
            image,
            declared_format=image.disk_format,
            staged=True,
            expected_sha256="",
            min_disk=image.min_disk,
        )
    received = receive_upload(job, stream, limit=normal_import_limit())
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(entities={**job.entities, **received})
        jobs.enqueue(job)
    return job


def receive_upload(job: Job, stream, *, limit: int) -> dict:
    """Writes the body to staging in 1 MiB pieces, hashing as it arrives so the import need not read it again."""
    target = jobs.staging_dir(job)
    target.mkdir(parents=True, exist_ok=True)
    received, md5, sha256 = 0, hashlib.md5(), hashlib.sha256()
    try:
        with open(target / "upload", "xb") as handle:
            while piece := stream.read(1024 * 1024):
                received += len(piece)
                if received > limit:
                    raise ImsError(
                        "IMG.0712", _("The file is larger than %(limit)d GB.") % {"limit": limit // GiB}, 413
                    )
                handle.write(piece)
                md5.update(piece)
                sha256.update(piece)
    except BaseException:
        jobs.fail(job, ImsError("IMG.0122", _("The upload did not complete.")))
        raise
    if received == 0:
        jobs.fail(job, ImsError("IMG.0713", _("The uploaded file is empty.")))
        raise ImsError("IMG.0713", _("The uploaded file is empty."))
    return {"file_size": received, "file_md5": md5.hexdigest(), "file_sha256": sha256.hexdigest()}


@operation("glance_download_image_file")
def glance_download_image_file(actor, *, image_id):
    """The image's disk as a download streams it, with the image whose checksums describe exactly those bytes."""
    from images.blobs.store import iter_raw_disk

    image = get_image(actor, image_id)
    if image.status != ImageStatus.ACTIVE or image.manifest_id is None:
        raise ImsError(
            "IMG.0124",
            _("The image has no data to download (status %(status)s).") % {"status": image.status},
            409 if image.status != ImageStatus.ACTIVE else 204,
        )
    return image, iter_raw_disk(image.manifest)
