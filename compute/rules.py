"""The product's rules on servers, disks and images used for them: pure checks answering None or the refusal."""

from django.utils.translation import gettext as _

from compute.flavors import Flavor
from compute.models import ServerStatus
from core.errors import ImsError
from images.choices import ImageStatus, VirtualEnvType
from images.rules import is_whole_machine

MAX_IMAGE_DISK_GB = 1024  # system and data disk images; bigger disks need a whole-machine image
DISK_RANGE = (10, 32768)
SYSTEM_DISK_RANGE = (1, 1024)
MEMORY_LIMIT_32_BIT = 4096
MAX_DATA_DISKS = 23
SERVER_IMAGE_KINDS = (VirtualEnvType.FUSION_COMPUTE, VirtualEnvType.IRONIC)


def _usable(image) -> ImsError | None:
    if image.status != ImageStatus.ACTIVE or image.manifest_id is None:
        return ImsError("Ecs.0029", _("Image %(name)s is not in the Normal state.") % {"name": image.name}, 409)
    if image.offline:
        return ImsError(
            "Ecs.0030", _("Image %(name)s is offline: it cannot create new servers.") % {"name": image.name}
        )
    return None


def server_image_refusal(image, flavor: Flavor, system_disk_gb: int) -> ImsError | None:
    """May a server of `flavor` with a system disk of `system_disk_gb` be created from `image`?"""
    if refusal := _usable(image):
        return refusal
    if image.virtual_env_type not in (*SERVER_IMAGE_KINDS, VirtualEnvType.ISO_IMAGE):
        return ImsError("Ecs.0031", _("A data disk image creates disks, not servers."))
    if image.architecture != flavor.architecture:
        return ImsError(
            "Ecs.0032",
            _("Image %(name)s is for %(image_arch)s; flavor %(flavor)s is %(flavor_arch)s.")
            % {
                "name": image.name,
                "image_arch": image.architecture,
                "flavor": flavor.id,
                "flavor_arch": flavor.architecture,
            },
        )
    if flavor.ram < image.min_ram or (image.max_ram and flavor.ram > image.max_ram):
        return ImsError(
            "Ecs.0033",
            _("Flavor %(flavor)s has %(ram)d MB of memory; the image needs %(low)d to %(high)s MB.")
            % {"flavor": flavor.id, "ram": flavor.ram, "low": image.min_ram, "high": image.max_ram or "∞"},
        )
    if image.os_bit == 32 and flavor.ram > MEMORY_LIMIT_32_BIT:
        return ImsError("Ecs.0034", _("A 32-bit image cannot create servers with more than 4 GB of memory."))
    if system_disk_gb < image.min_disk:
        return ImsError(
            "Ecs.0035",
            _("The system disk (%(size)d GB) is smaller than the image's minimum (%(min)d GB).")
            % {"size": system_disk_gb, "min": image.min_disk},
        )
    return None


def disk_image_refusal(image, size_gb: int) -> ImsError | None:
    if refusal := _usable(image):
        return refusal
    if image.virtual_env_type != VirtualEnvType.DATA_IMAGE:
        return ImsError("EVS.0031", _("Only a data disk image creates a disk; use a system disk image for servers."))
    if size_gb < image.min_disk:
        return ImsError(
            "EVS.0032",
            _("The disk (%(size)d GB) is smaller than the image's disk (%(min)d GB).")
            % {"size": size_gb, "min": image.min_disk},
        )
    return None


def imaging_refusal(server) -> ImsError | None:
    """May an image (system disk or whole-machine) be taken of `server` now?"""
    if server.frozen:
        return ImsError("Ecs.0040", _("Server %(name)s is frozen: it cannot be imaged.") % {"name": server.name}, 409)
    if server.status not in (ServerStatus.ACTIVE, ServerStatus.SHUTOFF):
        return ImsError(
            "Ecs.0041",
            _("Only a running or stopped server can be imaged; %(name)s is %(status)s.")
            % {"name": server.name, "status": server.status},
            409,
        )
    return None


def disk_image_size_refusal(disk) -> ImsError | None:
    if disk.size > MAX_IMAGE_DISK_GB:
        return ImsError(
            "IMG.0132",
            _(
                "Disk %(name)s is %(size)d GB; system and data disk images hold at most 1 TB: make a whole-machine "
                "image instead."
            )
            % {"name": disk.name, "size": disk.size},
        )
    return None


def is_whole_image(image) -> bool:
    return is_whole_machine(image)
