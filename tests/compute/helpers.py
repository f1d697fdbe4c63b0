"""Images with real content in the chunk store, and servers made from them, for the compute tests."""

import hashlib
import os

from compute import services
from compute.network import default_subnet_id, default_vpc_id
from images.blobs.store import iter_raw_disk, write_raw_disk
from tests import factories

MiB = 1024 * 1024


def content_image(project, tmp_path, *, name: str = "web-base", seed: int = 1, size: int = 6 * MiB, **fields):
    """An active image whose disk holds `size` bytes of seeded random data (with a hole in the middle)."""
    raw = tmp_path / f"{name}-{seed}.raw"
    with open(raw, "wb") as handle:
        handle.truncate(size)
        handle.write(os.urandom(0) + hashlib.sha256(str(seed).encode()).digest() * (MiB // 32))
        handle.seek(size - MiB)
        handle.write(hashlib.sha256(str(seed + 1).encode()).digest() * (MiB // 32))
    result = write_raw_disk(project.region, raw)
    fields.setdefault("min_disk", 40)
    return factories.make_image(
        project, name=name, manifest=result.manifest, virtual_size=size, size=result.manifest.stored_bytes, **fields
    )


def disk_sha256(manifest) -> str:
    digest = hashlib.sha256()
    for piece in iter_raw_disk(manifest):
        digest.update(piece)
    return digest.hexdigest()


def make_server(actor, image, *, name: str = "web-1", flavor: str = "s6.large.2", data_volumes=(), **extra):
    request = services.ServerRequest(
        name=name,
        flavor_ref=flavor,
        image_ref=str(image.pk),
        data_volumes=[services.DataVolume(**volume) for volume in data_volumes],
        vpcid=default_vpc_id(actor.project),
        subnet_ids=[default_subnet_id(actor.project)],
        **extra,
    )
    job = services.create_post_paid_servers(actor, request=request)
    return services.show_server(actor, server_id=job.entities["server_ids"][0])
