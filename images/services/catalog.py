"""The public image catalog of each region, kept in step with `images.public_catalog`."""

import tempfile
import uuid
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from iam.models import Account, Project, Region
from images.choices import ImageStatus, ImageType, VirtualEnvType, Visibility
from images.models import Image
from images.public_catalog import PUBLIC_IMAGES, CatalogImage

# Stable ids: the same catalog entry has the same id in every installation and on every re-seed.
# Names, not OS version keys: two editions of one OS share a version key.
CATALOG_NAMESPACE = uuid.UUID("6f1c3a52-6c1e-4c55-9d59-2f0d1c6b8e01")
# A small generated disk per public image: real bytes in the chunk store, so export, copy and servers made
# from public images work like for any other image, without shipping operating systems.
CONTENT_SIZE = 1024 * 1024


def catalog_image_id(region_id: str, entry: CatalogImage) -> uuid.UUID:
    return uuid.uuid5(CATALOG_NAMESPACE, f"{region_id}/{entry.architecture}/{entry.name}")


def catalog_fields(entry: CatalogImage) -> dict:
    flags = {"kvm": True, "arm": entry.architecture == "arm"}
    if entry.bare_metal:
        flags["bare_metal"] = True
    return {
        "name": entry.name,
        "image_type": ImageType.GOLD,
        "visibility": Visibility.PUBLIC,
        "status": ImageStatus.ACTIVE,
        "disk_format": "raw",
        "os_type": entry.os_type,
        "os_version": entry.os_version,
        "os_bit": entry.os_bit,
        "platform": entry.platform,
        "architecture": entry.architecture,
        "hw_firmware_type": entry.firmware,
        "virtual_env_type": VirtualEnvType.FUSION_COMPUTE,
        "min_disk": entry.min_disk,
        "min_ram": entry.min_ram,
        "support_flags": flags,
        "features": list(entry.features),
        "support_ends": entry.support_ends,
        "offline": entry.offline,
        "multiqueue": "nic_multiqueue" in entry.features,
        "protected": True,
    }


@transaction.atomic
def sync_public_catalog(platform: Account, region: Region, *, with_content: bool = True) -> int:
    """Creates or updates the region's public images; returns how many entries the catalog has."""
    owner = Project.objects.get(account=platform, region=region, is_default=True)
    now = timezone.now()
    for entry in PUBLIC_IMAGES:
        fields = catalog_fields(entry)
        image, created = Image.objects.update_or_create(
            id=catalog_image_id(region.id, entry), defaults={**fields, "region": region, "owner": owner}
        )
        if created:
            Image.objects.filter(pk=image.pk).update(active_at=now)
        if with_content and image.manifest_id is None:
            store_generated_content(image, entry)
    return len(PUBLIC_IMAGES)


def generated_disk(entry: CatalogImage, path: Path) -> None:
    """A deterministic 1 MiB disk: a boot signature and a text block naming the OS; compresses to almost nothing."""
    label = f"IMS public image {entry.name} ({entry.architecture}, {entry.os_version})\n".encode()
    disk = bytearray(CONTENT_SIZE)
    text = (label * (64 * 1024 // len(label) + 1))[: 64 * 1024]
    disk[1024 : 1024 + len(text)] = text
    disk[510:512] = b"\x55\xaa"
    path.write_bytes(bytes(disk))


def store_generated_content(image: Image, entry: CatalogImage) -> None:
    from images.blobs.store import write_raw_disk

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "disk.raw"
        generated_disk(entry, path)
        result = write_raw_disk(image.region, path)
    Image.objects.filter(pk=image.pk).update(
        manifest=result.manifest,
        disk_format="raw",
        size=CONTENT_SIZE,
        virtual_size=CONTENT_SIZE,
        checksum=result.md5,
        os_hash_algo="sha256",
        os_hash_value=result.sha256,
    )
