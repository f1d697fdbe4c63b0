"""What the compute services share: disk devices, the job of work done at once, and the clone of a disk."""

import string

from compute.models import Disk, GiB
from compute.providers import provider
from images.services.sources import finished_job
from kms.services import open_image_data_key

__all__ = ["GiB", "device_name", "finished_job", "new_disk"]


def device_name(boot_index: int) -> str:
    return f"/dev/vd{string.ascii_lowercase[boot_index]}"


def new_disk(actor, *, name: str, size: int, manifest, zone: str, **fields) -> Disk:
    return Disk.objects.create(
        name=name,
        project=actor.project,
        region=actor.project.region,
        availability_zone=zone,
        size=size,
        manifest=manifest,
        **fields,
    )


def check_image_key(actor, image, *, purpose: str) -> None:
    """A disk is made from an encrypted image only while its key can be used (refused naming the key and its
    state); the use is traced."""
    if image is not None and image.cmk_id:
        open_image_data_key(actor, image, purpose=purpose)


def key_fields(image) -> dict:
    """What a disk made from `image` keeps of its encryption (nothing for a plain image or a blank disk)."""
    if image is None:
        return {"cmk_id": "", "wrapped_data_key": ""}
    return {"cmk_id": image.cmk_id, "wrapped_data_key": image.wrapped_data_key}


def clone(manifest):
    return provider().clone_disk(manifest)


def blank(actor, size_gb: int):
    return provider().blank_disk(actor.project.region, size_gb * GiB)
