"""Creating private images from image files: the product's rules (quotas, the source object, the image's state)
are enforced and the import queued here; `images.jobs.imports` runs it. The services take typed keyword arguments:
the API's input serializers (`images.api.inputs.imports`) and the console's form parse what the caller sent.

One function per operation of the catalogue (`create_image`, `create_data_image`, `import_image_quick`,
`register_image`, `glance_create_image_metadata`, `glance_upload_image_file`); the safe-mode twins of the
official API are the same functions under their own catalogue names.
"""

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core import units
from core.errors import ImsError, invalid, storage_failure
from core.units import GiB
from iam.actors import Actor
from iam.authz import is_cloud_admin
from iam.models import Project
from iam.operations import operation
from images.choices import Architecture, FirmwareType, ImageStatus, ImageType, VirtualEnvType, Visibility
from images.models import ACTIVE_JOB_STATES, Image, ImageTag, Job
from images.public_catalog import OTHER_OS_VERSIONS, PUBLIC_IMAGES
from images.rules import download_refusal
from images.selectors import get_image, get_own_image, private_images_used
from images.services import jobs, sources
from images.services.ownership import glance_owner, quota_actor
from kms import services as kms

FAST_IMPORT_LIMIT = 1024 * GiB


def normal_import_limit() -> int:
    """The largest file a normal import accepts: `IMS_IMAGE_SIZE_CAP`, read at call time."""
    return settings.IMS_IMAGE_SIZE_CAP


PROPRIETARY = ("zvhd", "zvhd2")
GLANCE_DISK_FORMATS = {"vhd", "zvhd", "zvhd2", "raw", "qcow2", "vmdk", "vhdx", "qed", "vdi", "qcow", "iso"}
# Glance's container formats: a label of how the disk was packed; the upload stores the disk as it comes.
GLANCE_CONTAINER_FORMATS = {"bare", "ovf", "ova", "aki", "ari", "ami", "docker", "compressed"}


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
    cmk_id: str = ""  # a KMS key: the image is encrypted with a data key of its own under it


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


def _import_request(
    *,
    architecture: str,
    hw_firmware_type: str,
    tags: dict[str, str] | None,
    sha256: str,
    cmk_id: str | None,
    **fields,
) -> ImportRequest:
    """The request of a file import, once the product's rules on its options hold."""
    if architecture == Architecture.ARM:
        hw_firmware_type = FirmwareType.UEFI  # Kunpeng servers boot only with UEFI
    return ImportRequest(
        architecture=architecture,
        firmware=hw_firmware_type,
        tags=dict(tags or {}),
        expected_sha256=sha256,
        cmk_id=cmk_id or "",
        **fields,
    )


def _describe_os(request: ImportRequest, os_version: str | None, os_type: str) -> None:
    """A system disk names its OS from the OS version list; without a version it is "Other" of its OS type."""
    if os_version:
        request.os_version = os_version
        request.platform, request.os_type, request.os_bit = os_version_facts(os_version)
    else:
        request.os_version = f"Other {os_type}(64 bit)"
        request.platform, request.os_type, request.os_bit = "Other", os_type, 64


def _lock_quota(actor: Actor, *, new_image: bool) -> None:
    """Checks both quotas with the project row locked, so concurrent requests cannot both pass the limit."""
    Project.objects.select_for_update().filter(pk=actor.project.pk).first()
    if new_image and private_images_used(actor.project) >= settings.IMS_PRIVATE_IMAGE_QUOTA:
        raise ImsError(
            "IMG.0301",
            _("The private image quota of this region (%(n)d) is used up; delete images or ask for a higher quota.")
            % {"n": settings.IMS_PRIVATE_IMAGE_QUOTA},
        )
    running = Job.objects.filter(project=actor.project, status__in=ACTIVE_JOB_STATES).count()
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


def encrypt_new_image(actor, image: Image, key, *, purpose: str) -> None:
    """Gives a new image its own data key under KMS key `key`; its chunks will be sealed with it."""
    image.cmk_id = str(key.pk)
    image.wrapped_data_key = kms.new_image_data_key(actor, key, image_id=image.pk, purpose=purpose)
    image.save(update_fields=["cmk_id", "wrapped_data_key"])


def _queue_import(actor, request: ImportRequest, job_type: str, image: Image | None = None, **entities) -> Job:
    _lock_quota(actor, new_image=image is None)
    if image is None:
        key = kms.key_for_new_image(actor, request.cmk_id) if request.cmk_id else None
        # An ISO is one from the start: a registration that fails must not leave an image that says VHD.
        image = _new_image(actor, request, **({"disk_format": "iso"} if request.declared_format == "iso" else {}))
        if key is not None:
            encrypt_new_image(actor, image, key, purpose=job_type)
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


def _create_image(
    actor: Actor,
    *,
    name: str,
    image_url: str = "",
    min_disk: int = 40,
    description: str = "",
    os_version: str | None = None,
    os_type: str = "Linux",
    virtual_env_type: str = VirtualEnvType.FUSION_COMPUTE,
    architecture: str = Architecture.X86,
    hw_firmware_type: str = FirmwareType.BIOS,
    min_ram: int = 0,
    max_ram: int | None = None,
    tags: dict[str, str] | None = None,
    sha256: str = "",
    cmk_id: str | None = None,
    instance_id: str = "",
    volume_id: str = "",
    data_images: list[dict] | None = None,
) -> Job:
    """A system disk image from the file `image_url` (bucket:key), for ECS (FusionCompute) or BMS (Ironic), or
    an ISO image (`virtual_env_type` IsoImage). `sha256` is the file's expected checksum, "" for none.

    With `instance_id`: the server's system disk image (and `data_images`: [{volume_id, name, description, tags}]
    its data disk images in the same request); with `volume_id`: an image of that disk. Both come from the
    registered source (`images.services.sources`)."""
    if instance_id or volume_id:
        if image_url:
            raise invalid("image_url", _("give image_url, instance_id or volume_id: one source only."))
        if cmk_id:
            # The image of a disk is encrypted exactly when the disk is (the disk's key): nothing to choose.
            raise invalid("cmk_id", _("an image of a server or a disk keeps its disks' encryption; leave it out."))
        common = {"name": name, "description": description, "tags": dict(tags or {})}
        if instance_id:
            memory = {"min_ram": min_ram, "max_ram": max_ram}
            return sources.make_from(
                sources.INSTANCE, actor, instance_id=instance_id, data_images=data_images or [], **common, **memory
            )
        return sources.make_from(sources.VOLUME, actor, volume_id=volume_id, **common)
    request = _import_request(
        name=name,
        image_url=image_url,
        min_disk=min_disk,
        description=description,
        architecture=architecture,
        hw_firmware_type=hw_firmware_type,
        min_ram=min_ram,
        max_ram=max_ram,
        tags=tags,
        sha256=sha256,
        cmk_id=cmk_id,
        virtual_env_type=virtual_env_type,
    )
    _describe_os(request, os_version, os_type)
    iso = virtual_env_type == VirtualEnvType.ISO_IMAGE
    if iso:
        request.declared_format = "iso"
        if request.cmk_id:
            raise ImsError("IMG.0125", _("ISO images cannot be encrypted; leave cmk_id out."))
    _check_source_object(actor, request, limit=normal_import_limit())
    return _queue_import(actor, request, "createIsoImage" if iso else "createImageByFile")


create_image = operation("create_image")(_create_image)
create_image_in_safe_mode = operation("create_image_in_safe_mode")(_create_image)


def _create_data_image(
    actor: Actor,
    *,
    name: str,
    image_url: str,
    min_disk: int,
    description: str = "",
    os_type: str = "Linux",
    architecture: str = Architecture.X86,
    hw_firmware_type: str = FirmwareType.BIOS,
    min_ram: int = 0,
    max_ram: int | None = None,
    tags: dict[str, str] | None = None,
    sha256: str = "",
    cmk_id: str | None = None,
) -> Job:
    request = _import_request(
        name=name,
        image_url=image_url,
        min_disk=min_disk,
        description=description,
        architecture=architecture,
        hw_firmware_type=hw_firmware_type,
        min_ram=min_ram,
        max_ram=max_ram,
        tags=tags,
        sha256=sha256,
        cmk_id=cmk_id,
        os_type=os_type,
        virtual_env_type=VirtualEnvType.DATA_IMAGE,
    )
    _check_source_object(actor, request, limit=normal_import_limit())
    return _queue_import(actor, request, "createDataImageByFile")


create_data_image = operation("create_data_image")(_create_data_image)
create_data_image_in_safe_mode = operation("create_data_image_in_safe_mode")(_create_data_image)


@operation("create_whole_image", summary=lambda kwargs: {"name": kwargs.get("name")})
def create_whole_image(
    actor: Actor,
    *,
    name: str,
    instance_id: str | None = None,
    backup_id: str | None = None,
    whole_image_type: str = "",
    vault_id: str = "",
    description: str = "",
    tags: dict[str, str] | None = None,
    min_ram: int = 0,
    max_ram: int | None = None,
) -> Job:
    """A whole-machine image of a cloud server (`instance_id`) or of a CBR server backup (`backup_id`, with
    `whole_image_type` CBR and its `vault_id`), made by the registered source (`images.services.sources`)."""
    if not (instance_id or backup_id):
        raise invalid("instance_id", _("instance_id or backup_id is required."))
    if instance_id and backup_id:
        raise invalid("backup_id", _("give instance_id or backup_id, not both."))
    common = {"name": name, "description": description, "tags": dict(tags or {}), "min_ram": min_ram}
    if instance_id:
        return sources.make_from(sources.WHOLE_INSTANCE, actor, instance_id=instance_id, max_ram=max_ram, **common)
    if whole_image_type != "CBR":
        raise ImsError(
            "IMG.0133",
            _("Only CBR backups can make whole-machine images here: set whole_image_type to CBR (CSBS is retired)."),
        )
    if not vault_id:
        raise invalid("vault_id", _("is required for a CBR backup: the vault holding the backup."))
    return sources.make_from(
        sources.WHOLE_BACKUP, actor, backup_id=backup_id, vault_id=vault_id, max_ram=max_ram, **common
    )


def _import_image_quick(
    actor: Actor,
    *,
    name: str,
    image_url: str,
    min_disk: int,
    description: str = "",
    os_version: str | None = None,
    os_type: str = "Linux",
    virtual_env_type: str = VirtualEnvType.FUSION_COMPUTE,
    architecture: str = Architecture.X86,
    hw_firmware_type: str = FirmwareType.BIOS,
    min_ram: int = 0,
    max_ram: int | None = None,
    tags: dict[str, str] | None = None,
    sha256: str = "",
    cmk_id: str | None = None,
) -> Job:
    """A RAW file imported as it is (up to 1 TB): a system disk image, or a data disk image when
    `virtual_env_type` is DataImage."""
    request = _import_request(
        name=name,
        image_url=image_url,
        min_disk=min_disk,
        description=description,
        architecture=architecture,
        hw_firmware_type=hw_firmware_type,
        min_ram=min_ram,
        max_ram=max_ram,
        tags=tags,
        sha256=sha256,
        cmk_id=cmk_id,
        fast=True,
        declared_format="raw",
    )
    if virtual_env_type == VirtualEnvType.DATA_IMAGE:
        request.os_type, request.virtual_env_type = os_type, VirtualEnvType.DATA_IMAGE
    else:
        _describe_os(request, os_version, os_type)
    _check_source_object(actor, request, limit=FAST_IMPORT_LIMIT)
    return _queue_import(actor, request, "importImageQuick")


import_image_quick = operation("import_image_quick")(_import_image_quick)
import_image_quick_in_safe_mode = operation("import_image_quick_in_safe_mode")(_import_image_quick)


@operation("glance_create_image_metadata")
def glance_create_image_metadata(
    actor: Actor,
    *,
    name: str = "",
    disk_format: str = "vhd",
    container_format: str = "bare",
    os_version: str = "Other Linux(64 bit)",
    min_disk: int = 0,
    min_ram: int = 0,
    protected: bool = False,
    tags: list[str] | None = None,
    visibility: str = Visibility.PRIVATE,
    os_hidden: bool = False,
    extra_properties: dict[str, str] | None = None,
    owner: str | None = None,
) -> Image:
    """A queued image waiting for its file (Glance upload or register_image)."""
    ownership = glance_owner(actor, visibility, owner)
    if disk_format in PROPRIETARY:
        raise ImsError(
            "IMG.0715",
            _(
                "ZVHD and ZVHD2 are proprietary formats without a public specification; "
                "upload QCOW2, VHD or RAW instead."
            ),
        )
    platform, os_type, os_bit = os_version_facts(os_version)
    _lock_quota(quota_actor(actor, ownership.project), new_image=True)
    image = Image.objects.create(
        name=name,
        region=ownership.project.region,
        owner=ownership.project,
        external_owner=ownership.external_owner,
        image_type=ImageType.PRIVATE,
        visibility=visibility,
        os_hidden=os_hidden,
        extra_properties=extra_properties or {},
        status=ImageStatus.QUEUED,
        disk_format=disk_format,
        container_format=container_format,
        os_version=os_version,
        platform=platform,
        os_type=os_type,
        os_bit=os_bit,
        min_disk=min_disk,
        min_ram=min_ram,
        protected=protected,
        root_origin="file",
    )
    ImageTag.objects.bulk_create([ImageTag(image=image, key=tag, value="") for tag in dict.fromkeys(tags or [])])
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
def register_image(actor: Actor, *, image: Image, image_url: str) -> Job:
    _queued_image(image)
    request = ImportRequest(name=image.name, image_url=image_url, min_disk=image.min_disk or 1)
    _check_source_object(actor, request, limit=normal_import_limit())
    # Claimed with a conditional update: of two concurrent registrations only one finds the image queued.
    if not Image.objects.filter(pk=image.pk, status=ImageStatus.QUEUED).update(
        status=ImageStatus.SAVING, data_origin=f"file,{image_url}"
    ):
        _queued_image(Image.objects.get(pk=image.pk))
    return _queue_import(actor, request, "registerImage", image=image)


# Disk formats whose file is the disk: their chunks are stored as the bytes arrive. The inspection still decides
# (a declared format must be the detected one), so a file that is something else is refused, never stored as raw.
STREAMED_FORMATS = ("raw", "iso")
BODY_PIECE = 1024 * 1024


@operation("glance_upload_image_file", atomic=False, find=get_own_image)
def glance_upload_image_file(
    actor, *, image: Image, stream, content_length: int | None, synchronous: bool = False
) -> Job:
    """Receives the body (never whole in memory) into the job that makes the image. `synchronous`: the caller runs
    that job before it answers (Glance's contract: the image is active, or refused, when the PUT answers); else
    the job is queued for a worker.

    A raw disk is chunked, hashed and stored as its bytes arrive, so that after the last byte only its inspection
    is left; other files are staged and hashed on the way in, then decoded by the job.
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
    streamed = image.disk_format in STREAMED_FORMATS and not image.cmk_id
    receive = receive_and_store if streamed else receive_upload
    received = receive(job, stream, limit=normal_import_limit(), declared=content_length)
    job.entities = {**job.entities, **received}
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(entities=job.entities)
        if not synchronous:
            jobs.enqueue(job)
    return job


def _incomplete(message: str) -> ImsError:
    return ImsError("IMG.0122", message)


def _read_piece(stream, size: int = BODY_PIECE) -> bytes:
    """One piece of the body; a connection cut mid-body (a WSGI server's own error) is the client's fault."""
    try:
        return stream.read(size)
    except Exception as error:  # each WSGI server has its own errors for a cut-off body
        raise _incomplete(_("The upload was cut off before its end; the image is still waiting for its file.")) from (
            error
        )


def _too_large(limit: int) -> ImsError:
    return ImsError("IMG.0712", _("The file is larger than %(limit)d GB.") % {"limit": limit // GiB}, 413)


def _check_length(received: int, declared: int | None) -> None:
    if declared is not None and received != declared:
        raise _incomplete(
            _(
                "The upload sent %(received)d bytes but its Content-Length declared %(declared)d; the image is "
                "still waiting for its file."
            )
            % {"received": received, "declared": declared}
        )
    if received == 0:
        raise ImsError("IMG.0713", _("The uploaded file is empty."))


def _refuse_upload(job: Job, error: BaseException) -> None:
    """A body not kept: the job fails and the image is queued again, as Glance leaves it, ready for a new upload.
    Raises the refusal."""
    refusal = error if isinstance(error, ImsError) else storage_failure(error)
    refusal = refusal or _incomplete(_("The upload did not complete."))
    # One commit: a client that sees the job failed finds the image already waiting for a new upload.
    with transaction.atomic():
        Image.objects.filter(pk=job.image_id, status=ImageStatus.SAVING).update(status=ImageStatus.QUEUED)
        jobs.fail(job, refusal, keep_image=True)
    if isinstance(error, ImsError) or not isinstance(error, Exception):
        raise error
    raise refusal from error


def receive_upload(job: Job, stream, *, limit: int, declared: int | None = None) -> dict:
    """Writes the body to staging in 1 MiB pieces, hashing as it arrives (MD5 on a second thread beside SHA-256:
    hashlib releases the GIL) so the import need not read it again.

    Only a body of exactly the declared length is kept."""
    try:
        return receive_file(stream, jobs.staging_dir(job) / "upload", limit=limit, declared=declared)
    except BaseException as error:
        _refuse_upload(job, error)


def receive_file(stream, path, *, limit: int, declared: int | None = None) -> dict:
    """Writes the body to the new file `path`, refusing it (by raising) when it is longer than `limit`, empty or
    not of its declared length; the file is left for the caller to remove then. Its size and hashes."""
    received, md5, sha256 = 0, hashlib.md5(), hashlib.sha256()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as handle, ThreadPoolExecutor(1, "upload-md5") as md5_thread:
        while piece := _read_piece(stream):
            received += len(piece)
            if received > limit:
                raise _too_large(limit)
            hashed = md5_thread.submit(md5.update, piece)
            sha256.update(piece)
            handle.write(piece)
            hashed.result()
    _check_length(received, declared)
    return {"file_size": received, "file_md5": md5.hexdigest(), "file_sha256": sha256.hexdigest()}


def receive_and_store(job: Job, stream, *, limit: int, declared: int | None = None) -> dict:
    """Stores the body as a raw disk while it arrives (chunks digested, compressed and stored, MD5 and SHA-256 of
    the whole on threads of their own), staging the bytes the inspection reads (`BodySource`). The disk is kept
    only if the file, once whole, inspects as the raw disk (or ISO) it was declared to be; otherwise the file is
    staged whole again from the chunks and the job inspects it as any other file, and refuses it with the reason."""
    from images.blobs.body_source import BodySource
    from images.blobs.objects import chunks_are_local
    from images.blobs.store import delete_manifest, read_raw_disk, write_disk

    def check(received: int, ended: bool) -> None:
        if received > limit:
            raise _too_large(limit)
        if ended:
            _check_length(received, declared)

    path = jobs.staging_dir(job) / "upload"
    region = job.project.region
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb+") as copy:
            read = partial(_read_piece, stream)
            source = BodySource(read, copy.fileno(), check, whole=not chunks_are_local(region.pk))
            result = write_disk(region, source)
        if not _inspects_as_streamed(path, job, limit):
            try:
                if not source.whole:  # the whole file again, for the job that tells why it is refused
                    read_raw_disk(result.manifest, path)
            finally:
                delete_manifest(result.manifest)
            return {"file_size": source.size}
    except BaseException as error:
        _refuse_upload(job, error)
    received = {"file_size": source.size, "file_md5": result.md5, "file_sha256": result.sha256}
    stored = {"stored_manifest": str(result.manifest.pk), "disk_md5": result.md5, "disk_sha256": result.sha256}
    return {**received, **stored, "staged_whole": source.whole}


def _inspects_as_streamed(path, job: Job, limit: int) -> bool:
    from images.formats.inspector import inspect_image_file

    try:
        inspection = inspect_image_file(
            path, declared_format=job.entities["declared_format"], max_file_size=limit, max_virtual_size=limit
        )
    except Exception:
        return False
    return inspection.format in STREAMED_FORMATS


@operation("glance_download_image_file")
def glance_download_image_file(actor, *, image_id):
    """The image's disk as a download streams it, with the image whose checksums describe exactly those bytes;
    (image, None) for an image still waiting for its file."""
    from images.blobs.store import iter_raw_disk

    image = get_image(actor, image_id)
    refusal = download_refusal(image, cloud_admin=is_cloud_admin(actor))
    if refusal is not None:
        raise refusal
    if image.status == ImageStatus.QUEUED:
        return image, None  # Glance answers an image still waiting for its file with 204 No Content
    if image.status != ImageStatus.ACTIVE or image.manifest_id is None:
        raise ImsError(
            "IMG.0124",
            _("The image has no data to download (status %(status)s).") % {"status": image.status},
            409 if image.status != ImageStatus.ACTIVE else 204,
        )
    # An encrypted image is opened for the download (refused while its key is disabled), never written in clear.
    data_key = kms.open_image_data_key(actor, image, purpose="download")
    return image, iter_raw_disk(image.manifest, key=data_key)
