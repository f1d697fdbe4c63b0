"""What the compute services share: disk devices, the job of work done at once, and the clone of a disk."""

import string

from compute.models import Disk, GiB
from compute.providers import provider
from images.services.sources import finished_job

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


def clone(manifest):
    return provider().clone_disk(manifest)


def blank(actor, size_gb: int):
    return provider().blank_disk(actor.project.region, size_gb * GiB)
