"""Disks (EVS): blank or from a data disk image, written from a bucket object, deleted."""

import tempfile

from django.conf import settings
from django.utils.translation import gettext as _

from compute import rules
from compute.flavors import zones_of
from compute.models import Disk, DiskStatus
from compute.providers import provider
from compute.selectors import disks, get_disk
from compute.services.common import GiB, blank, check_image_key, clone, key_fields, new_disk
from core.errors import ImsError, invalid
from iam.actors import Actor
from iam.operations import operation
from images.selectors import get_image


def _summary(kwargs) -> dict:
    return {"name": kwargs.get("name"), "size": kwargs.get("size"), "image_id": kwargs.get("image_id") or ""}


@operation("create_volume", target="none", summary=_summary)
def create_volume(
    actor: Actor, *, name: str, size: int, image_id: str = "", availability_zone: str = "", description: str = ""
) -> Disk:
    """A blank disk of `size` GB, or one holding data disk image `image_id` (no data written either way)."""
    low, high = rules.DISK_RANGE
    if not isinstance(size, int) or not low <= size <= high:
        raise invalid("size", _("must be %(low)d to %(high)d GB.") % {"low": low, "high": high})
    zones = zones_of(actor.project.region_id)
    if availability_zone and availability_zone not in zones:
        raise invalid("availability_zone", _("must be one of %(zones)s.") % {"zones": ", ".join(zones)})
    image = get_image(actor, image_id) if image_id else None
    if image is not None and (refusal := rules.disk_image_refusal(image, size)):
        raise refusal
    check_image_key(actor, image, purpose="createVolume")
    return new_disk(
        actor,
        name=name,
        size=size,
        manifest=clone(image.manifest) if image else blank(actor, size),
        zone=availability_zone or zones[0],
        image=image,
        image_ref=str(image.pk) if image else "",
        **key_fields(image),
    )


@operation("list_volumes", target="none")
def list_volumes(actor: Actor, *, name: str = "") -> list[Disk]:
    found = disks(actor)
    return list(found.filter(name__icontains=name) if name else found)


@operation("show_volume", target="disk", find=get_disk)
def show_volume(actor: Actor, *, disk: Disk) -> Disk:
    return disk


@operation("delete_volume", target="disk", find=get_disk)
def delete_volume(actor: Actor, *, disk: Disk) -> Disk:
    """Deletes an available disk; its chunks stay while an image, a backup or another disk names them."""
    if disk.server_id is not None or disk.status != DiskStatus.AVAILABLE:
        raise ImsError(
            "EVS.0210", _("Disk %(name)s is attached to a server: detach it first.") % {"name": disk.name}, 409
        )
    manifest = disk.manifest
    disk.status = DiskStatus.DELETED
    disk.delete()
    provider().release_disk(manifest)
    return disk


@operation("write_volume", target="disk", find=get_disk, atomic=False)
def write_volume(actor: Actor, *, disk: Disk, object_url: str) -> Disk:
    """Writes the object `object_url` (bucket:key, raw bytes) from the start of the disk; the rest of the disk
    reads as zeros. How a "guest" changes a disk here: the ISO flow's installation, or new content for a test.

    Not one transaction: the bytes are stored first, then the disk switches to its new manifest at once."""
    from django.db import transaction

    from obs.services import open_object_for_reading

    if disk.encrypted:
        raise ImsError("EVS.0220", _("Encrypted disks cannot be written from an object yet."), 409)
    stream, stored = open_object_for_reading(actor, actor.project.region_id, object_url)
    capacity = disk.size * GiB
    try:
        if stored.size > capacity:
            raise ImsError(
                "EVS.0221",
                _("The object (%(size)d bytes) is larger than the disk (%(gb)d GB).")
                % {"size": stored.size, "gb": disk.size},
            )
        staging = settings.VAR_DIR / "staging"
        staging.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=staging, prefix="disk-write-") as raw:
            while piece := stream.read(4 * 1024 * 1024):
                raw.write(piece)
            raw.flush()
            manifest, _written = provider().write_disk(actor.project.region, raw.name, max(stored.size, 1))
    finally:
        stream.close()
    with transaction.atomic():
        old = Disk.objects.select_for_update().get(pk=disk.pk).manifest
        disk.manifest = manifest
        disk.save(update_fields=["manifest", "updated_at"])
        provider().release_disk(old)
    return disk


__all__ = ["create_volume", "delete_volume", "list_volumes", "show_volume", "write_volume"]
