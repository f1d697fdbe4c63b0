"""Local compute: a server from a 2 GiB image, and an image of that server, each timed with the chunk bytes they
write (the goal: < 0.5 s each and no chunk bytes written, as both are copy-on-write manifest copies).

    python bench/compute.py [--size-gib 2] [--rounds 5] [--keep]

Runs on its own: a temporary VAR_DIR with a fresh SQLite database (migrated first) and local chunk folders.
It stores a 2 GiB disk of random data once (512 chunks of 4 MiB, nothing deduplicated), makes it an image,
then times each round: create_post_paid_servers from the image, then create_image with the server's
instance_id. "Chunk bytes written" is the growth of the region's stored chunk bytes during the call.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024


def prepare_environment(keep: bool) -> Path:
    var_dir = Path(tempfile.mkdtemp(prefix="ims-bench-compute-"))
    os.environ["VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "console.settings"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    for name in ("DATABASE_URL", "STORAGE_BACKEND"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not keep:
        import atexit

        atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
    return var_dir


def stored_bytes() -> int:
    from django.db.models import Sum

    from images.blobs.models import Chunk

    return Chunk.objects.aggregate(total=Sum("stored_size"))["total"] or 0


def source_image(actor, var_dir: Path, size: int):
    from images.blobs.store import write_raw_disk
    from images.models import Image

    raw = var_dir / "source.raw"
    with open(raw, "wb") as handle:
        for _ in range(size // (4 * MIB)):
            handle.write(os.urandom(4 * MIB))
    result = write_raw_disk(actor.project.region, raw)
    raw.unlink()
    return Image.objects.create(
        name="bench-source",
        region=actor.project.region,
        owner=actor.project,
        status="active",
        manifest=result.manifest,
        virtual_size=size,
        size=result.manifest.stored_bytes,
        min_disk=40,
        os_version="Ubuntu 22.04 server 64bit",
        platform="Ubuntu",
    )


def timed(call):
    before, start = stored_bytes(), time.perf_counter()
    result = call()
    return result, time.perf_counter() - start, stored_bytes() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-gib", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()
    var_dir = prepare_environment(options.keep)

    from compute import services
    from compute.network import default_subnet_id, default_vpc_id
    from iam import seeding
    from iam.actors import system_actor
    from iam.models import Project
    from images.services import imports

    seeding.ensure_regions()
    seeding.ensure_system_policies()
    account = seeding.ensure_account("bench")
    actor = system_actor(Project.objects.get(account=account, region_id="cn-north-4", is_default=True))
    size = int(options.size_gib * 1024) * MIB
    image = source_image(actor, var_dir, size)
    rows = []
    for number in range(options.rounds):
        request = services.ServerRequest(
            name=f"bench-{number}",
            flavor_ref="s6.large.2",
            image_ref=str(image.pk),
            vpcid=default_vpc_id(actor.project),
            subnet_ids=[default_subnet_id(actor.project)],
        )
        job, server_seconds, server_bytes = timed(lambda r=request: services.create_post_paid_servers(actor, request=r))
        server_id = job.entities["server_ids"][0]
        _made, image_seconds, image_bytes = timed(
            lambda s=server_id, n=number: imports.create_image(actor, name=f"bench-image-{n}", instance_id=s)
        )
        rows.append((server_seconds, server_bytes, image_seconds, image_bytes))
    print(f"image: {size / MIB / 1024:.1f} GiB, {image.manifest.entries.count()} chunks; {options.rounds} rounds")
    print(f"{'operation':<28}{'median s':>10}{'max s':>10}{'chunk bytes written':>22}")
    for label, seconds, written in (
        ("server from image", [r[0] for r in rows], [r[1] for r in rows]),
        ("image from server", [r[2] for r in rows], [r[3] for r in rows]),
    ):
        print(f"{label:<28}{statistics.median(seconds):>10.3f}{max(seconds):>10.3f}{max(written):>22}")


if __name__ == "__main__":
    main()
