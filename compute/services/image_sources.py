"""Images of servers, disks and backups: the handlers compute registers in `images.services.sources`.

Each runs inside the IMS operation that called it (`create_image`, `create_whole_image`: authorized, one
transaction, traced) and reaches the server, disk or backup as the actor may. Every image gets its own manifest
copy of the disk: no data is written, and deleting the server, disk or backup later never changes the image.
"""

from django.utils.translation import gettext as _

from compute import rules
from compute.models import Backup, Disk, Server, WholeImageDisk
from compute.selectors import get_backup, get_disk, get_server
from compute.services.backups import snapshot
from compute.services.common import check_image_key, clone, finished_job
from core.errors import ImsError
from images.choices import VirtualEnvType
from images.services import sources


def _facts(machine, *, min_ram: int = 0, max_ram: int | None = None) -> dict:
    """What an image says of the machine it came from (a server, or the server a backup was taken of)."""
    return {
        "product_code": _market_product(machine),
        "os_type": machine.os_type,
        "os_version": machine.os_version,
        "platform": machine.platform,
        "os_bit": machine.os_bit,
        "architecture": machine.architecture,
        "hw_firmware_type": machine.boot_mode,
        "min_ram": min_ram or 0,
        "max_ram": max_ram,
    }


def _market_product(machine) -> str:
    """The product code of the market image the machine was created from (or of a copy or an image of one): an
    image of it stays bound by the market, never exported nor published again (`images.rules`)."""
    server = machine.server if isinstance(machine, Backup) else machine
    image = server.image if server is not None else None
    return image.product_code if image is not None else ""


def _imageable(server: Server) -> None:
    if refusal := rules.imaging_refusal(server):
        raise refusal


def _disk_image(actor, disk: Disk, *, name: str, description: str, tags: dict, facts: dict | None, origin: str):
    if refusal := rules.disk_image_size_refusal(disk):
        raise refusal
    system = facts is not None
    image = sources.image_from_manifest(
        actor,
        name=name,
        manifest=clone(disk.manifest),
        min_disk=disk.size,
        virtual_env_type=VirtualEnvType.FUSION_COMPUTE if system else VirtualEnvType.DATA_IMAGE,
        description=description,
        tags=tags,
        root_origin=origin.split(",")[0],
        data_origin=origin,
        facts=facts,
    )
    if disk.encrypted:
        # The image of an encrypted disk shares its sealed chunks, so it keeps the disk's key and data key; it is
        # made only while that key can be used (the operation's transaction undoes the image otherwise).
        image.cmk_id, image.wrapped_data_key = disk.cmk_id, disk.wrapped_data_key
        image.save(update_fields=["cmk_id", "wrapped_data_key"])
        check_image_key(actor, image, purpose="createImage")
    return image


def image_of_instance(
    actor,
    *,
    instance_id: str,
    data_images: list[dict],
    name: str,
    description: str = "",
    tags: dict | None = None,
    min_ram: int = 0,
    max_ram: int | None = None,
):
    server = get_server(actor, instance_id)
    _imageable(server)
    attached = {str(disk.pk): disk for disk in server.data_disks}
    for entry in data_images:
        if str(entry["volume_id"]) not in attached:
            raise ImsError(
                "IMG.0134",
                _("Disk %(id)s is not a data disk of server %(name)s.")
                % {"id": entry["volume_id"], "name": server.name},
            )
    system = server.system_disk
    image = _disk_image(
        actor,
        system,
        name=name,
        description=description,
        tags=tags or {},
        facts=_facts(server, min_ram=min_ram, max_ram=max_ram),
        origin=f"instance,{server.pk}",
    )
    results = [{"image_id": str(image.pk), "project_id": actor.project.pk, "status": "SUCCESS"}]
    for entry in data_images:
        data = _disk_image(
            actor,
            attached[str(entry["volume_id"])],
            name=entry["name"],
            description=entry.get("description") or "",
            tags=entry.get("tags") or {},
            facts=None,
            origin=f"volume,{entry['volume_id']}",
        )
        results.append({"image_id": str(data.pk), "project_id": actor.project.pk, "status": "SUCCESS"})
    return finished_job(actor, "createImageByInstance", image, results=results)


def image_of_volume(actor, *, volume_id: str, name: str, description: str = "", tags: dict | None = None):
    """A disk's image: a system disk image of a server's system disk (the ISO flow's last step), else a data
    disk image."""
    disk = get_disk(actor, volume_id)
    if disk.server is not None:
        _imageable(disk.server)
    facts = _facts(disk.server) if disk.is_system and disk.server is not None else None
    image = _disk_image(
        actor, disk, name=name, description=description, tags=tags or {}, facts=facts, origin=f"volume,{disk.pk}"
    )
    return finished_job(actor, "createImageByVolume", image)


def _whole_image(
    actor, backup: Backup, *, origin: str, name: str, description: str, tags: dict, min_ram: int, max_ram: int | None
):
    disks = list(backup.disks.select_related("manifest"))
    system = next((disk for disk in disks if disk.boot_index == 0), None)
    if system is None:
        raise ImsError("IMG.0135", _("The backup holds no system disk."), 409)
    image = sources.image_from_manifest(
        actor,
        name=name,
        manifest=clone(system.manifest),
        min_disk=system.size,
        description=description,
        tags=tags,
        root_origin=origin.split(",")[0],
        data_origin=origin,
        facts=_facts(backup, min_ram=min_ram, max_ram=max_ram),
    )
    image.backup_id = str(backup.pk)
    image.save(update_fields=["backup_id"])
    WholeImageDisk.objects.bulk_create(
        [
            WholeImageDisk(
                image=image,
                manifest=clone(disk.manifest),
                boot_index=disk.boot_index,
                size=disk.size,
                device=disk.device,
            )
            for disk in disks
            if disk.boot_index != 0
        ]
    )
    return finished_job(actor, "createWholeImage", image, backup_id=str(backup.pk))


def whole_image_of_instance(
    actor,
    *,
    instance_id: str,
    name: str,
    description: str = "",
    tags: dict | None = None,
    min_ram: int = 0,
    max_ram: int | None = None,
):
    """As the product does: a backup of the server in the project's vault, then the image of that backup."""
    server = get_server(actor, instance_id)
    _imageable(server)
    backup = snapshot(
        actor, server, name=f"{name}-backup", description=_("Made for whole-machine image %(name)s.") % {"name": name}
    )
    return _whole_image(
        actor,
        backup,
        origin=f"instance,{server.pk}",
        name=name,
        description=description,
        tags=tags or {},
        min_ram=min_ram,
        max_ram=max_ram,
    )


def whole_image_of_backup(
    actor,
    *,
    backup_id: str,
    vault_id: str,
    name: str,
    description: str = "",
    tags: dict | None = None,
    min_ram: int = 0,
    max_ram: int | None = None,
):
    backup = get_backup(actor, backup_id)
    if str(backup.vault_id) != str(vault_id):
        raise ImsError(
            "IMG.0136", _("Backup %(id)s is not in vault %(vault)s.") % {"id": backup_id, "vault": vault_id}, 404
        )
    return _whole_image(
        actor,
        backup,
        origin=f"CBR,{backup.pk}",
        name=name,
        description=description,
        tags=tags or {},
        min_ram=min_ram,
        max_ram=max_ram,
    )


def register() -> None:
    sources.register_source(sources.INSTANCE, image_of_instance)
    sources.register_source(sources.VOLUME, image_of_volume)
    sources.register_source(sources.WHOLE_INSTANCE, whole_image_of_instance)
    sources.register_source(sources.WHOLE_BACKUP, whole_image_of_backup)
