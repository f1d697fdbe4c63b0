"""Copy within a region, copy across regions and export of an imported 2 GiB image.

    python bench/copy_and_export.py [--size-gib 2] [--format qcow2]

Runs on its own like bench/import_pipeline.py (a temporary VAR_DIR, a fresh SQLite database, local storage).
It imports a raw disk (half random data, half zeros) through the import pipeline, then measures with the jobs
run in this process as a worker runs them: the copy within the region (goal < 0.5 s whatever the size); the
copy to another region of that image and of a near-identical second image (a few MiB changed), with the
bytes each sent (goal: the second sends < 5% of the first); and the export to a bucket against
`qemu-img convert` of the same raw disk alone (goal: within 1.3x). Three rounds alternate the export,
`qemu-img convert` alone, qemu-img reading the chunk store over NBD (what VMDK and VHD exports do) and, for
qcow2, the image made here from the chunk store and written to a file (the export's conversion without the
hashing and storing); medians are compared, with the load average.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from import_pipeline import MIB, drop_cache, half_random_disk, setup_django, timed


def import_raw(actor, raw: Path, name: str):
    from images.jobs.imports import run_import
    from images.models import Job
    from images.services import imports
    from obs.services import put_object

    with open(raw, "rb") as handle:
        put_object(actor, bucket="bench", key=raw.name, stream=handle, size=raw.stat().st_size)
    # A data disk: the generated disk holds no OS, which a system disk import refuses.
    job = imports.create_data_image(
        actor,
        name=name,
        image_url=f"bench:{raw.name}",
        min_disk=max(40, -(-raw.stat().st_size // 1024**3)),
    )
    run_import(job.id)
    job = Job.objects.select_related("image").get(pk=job.pk)
    assert job.status == "SUCCESS", job.fail_reason
    return job.image


def run_job(job):
    from images.jobs import run
    from images.models import Job

    seconds = timed(lambda: run(job.id))
    job = Job.objects.get(pk=job.pk)
    assert job.status == "SUCCESS", job.fail_reason
    return seconds, job


def near_identical(raw: Path, target: Path) -> None:
    """The same disk with 8 MiB rewritten: two chunks differ."""
    subprocess.run(["cp", "--sparse=always", str(raw), str(target)], check=True)
    with open(target, "r+b") as handle:
        handle.seek(256 * MIB)
        handle.write(os.urandom(8 * MIB))


def run(work: Path, size: int, fmt: str) -> None:
    setup_django(work / "var")
    from iam import seeding as iam
    from iam.actors import system_actor
    from images.services import copy, export
    from obs.services import create_bucket

    iam.ensure_regions()
    iam.ensure_system_policies()
    account = iam.ensure_account("bench")
    actor = system_actor(account.projects.get(region_id="cn-north-4"))
    create_bucket(actor, name="bench")
    raw, second_raw = work / "disk.raw", work / "disk2.raw"
    half_random_disk(raw, size)
    near_identical(raw, second_raw)
    first = import_raw(actor, raw, "bench-1")
    second = import_raw(actor, second_raw, "bench-2")
    in_region, _ = run_job(copy.copy_image_in_region(actor, image=first, name="bench-copy"))
    cross = {"region": "cn-east-3", "project_name": "cn-east-3"}
    far_1, job_1 = run_job(copy.copy_image_cross_region(actor, image=first, **cross, name="far-1"))
    far_2, job_2 = run_job(copy.copy_image_cross_region(actor, image=second, **cross, name="far-2"))
    moved_1, moved_2 = job_1.entities["bytes_moved"], job_2.entities["bytes_moved"]
    quick_s, _ = run_job(export.export_image(actor, image=first, bucket_url="bench:out.raw", is_quick_export=True))
    driver = {"vhd": "vpc"}.get(fmt, fmt)
    options = {"vmdk": ["-o", "subformat=streamOptimized"], "vhd": ["-o", "subformat=dynamic,force_size=on"]}
    alone_args = ["qemu-img", "convert", "-f", "raw", "-O", driver, *options.get(fmt, [])]

    def alone():
        drop_cache(raw)
        return timed(lambda: subprocess.run([*alone_args, str(raw), str(work / f"alone.{fmt}")], check=True))

    # The conversion phase alone, alternated with qemu-img on the raw file: a qcow2 made here from the stored
    # chunks, mapped then written (what a qcow2 export does, there hashed and stored as it is made), and qemu-img
    # reading the chunk store over NBD (what the other formats do).
    from images.blobs.nbd_server import ManifestNbdServer
    from images.blobs.store import iter_stored_chunks
    from images.formats.conversion import convert_from_nbd
    from images.formats.qcow2_writer import Qcow2Layout, cluster_mask

    def over_nbd():
        def convert():
            with ManifestNbdServer(first.manifest) as server:
                convert_from_nbd(server.socket_path, size, work / f"nbd.{fmt}", fmt)

        return timed(convert)

    def written_here():
        def write():
            masks = [(offset, cluster_mask(data)) for offset, data in iter_stored_chunks(first.manifest)]
            layout = Qcow2Layout(size, masks)
            with open(work / "own.qcow2", "wb") as handle:
                for part in layout.image(iter_stored_chunks(first.manifest)):
                    handle.write(part)

        return timed(write)

    exports = iter(range(100))

    def export_job():
        key = f"bench:out-{next(exports)}.{fmt}"
        return run_job(export.export_image(actor, image=first, bucket_url=key, file_format=fmt))[0]

    ways = {"alone": alone, "export": export_job, "nbd": over_nbd}
    if fmt == "qcow2":
        ways["own"] = written_here
    rounds = {name: [] for name in ways}
    for _round in range(3):
        for name, func in ways.items():
            # Each starts with no write-back pending from the one before: here a backlog of dirty pages slows the
            # next gigabyte written two to three times.
            os.sync()
            rounds[name].append(func())
    # What the object store itself costs: the MD5 and SHA-256 of the exported file, read from the page cache.
    from obs.services import open_object
    from obs.streams import hash_all

    def hashing():
        stream, _ = open_object(actor, bucket="bench", key=f"out-0.{fmt}")
        with stream:
            return timed(lambda: hash_all(stream))

    hash_s = statistics.median(hashing() for _round in range(3))
    medians = {name: statistics.median(times) for name, times in rounds.items()}
    convert, export_s = medians["alone"], medians["export"]
    each = {name: ", ".join(f"{t:.2f}" for t in times) for name, times in rounds.items()}
    mb = size / 1e6
    print(f"copy and export, {size / 1024**3:.1f} GiB image (half random, half zeros), one run")
    print(f"load average {os.getloadavg()[0]:.2f} (1 min; 2 cores)")
    print(f"{'measure':52} {'value':>12}")
    print(f"{'copy within the region (s)':52} {in_region:12.3f}   (goal < 0.5)")
    print(f"{'copy across regions, first image (s)':52} {far_1:12.2f}   ({moved_1 / 1e6:.1f} MB sent)")
    print(
        f"{'copy across regions, near-identical image (s)':52} {far_2:12.2f}   ({moved_2 / 1e6:.1f} MB sent, "
        f"{100 * moved_2 / max(moved_1, 1):.2f}% of the first; goal < 5%)"
    )
    print(f"{f'export to {fmt} (MB/s of the virtual disk)':52} {mb / export_s:12.0f}   ({each['export']} s)")
    print(f"{f'qemu-img convert raw -> {fmt} alone (MB/s)':52} {mb / convert:12.0f}   ({convert:.2f} s)")
    print(f"{'ratio export / convert alone (medians, alternated)':52} {export_s / convert:12.2f}   (goal <= 1.3)")
    print(f"{'  qemu-img convert alone (s)':52} {convert:12.2f}   ({each['alone']}; alternated)")
    print(f"{'  qemu-img over NBD from the chunk store (s)':52} {medians['nbd']:12.2f}   ({each['nbd']})")
    if "own" in medians:
        print(f"{'  qcow2 made here from the chunk store (s)':52} {medians['own']:12.2f}   ({each['own']})")
        print(f"{'  ratio made here / convert alone':52} {medians['own'] / convert:12.2f}")
    print(f"{'  ratio over NBD / convert alone':52} {medians['nbd'] / convert:12.2f}")
    print(f"{'  MD5 + SHA-256 of the exported file alone (s)':52} {hash_s:12.2f}   (the object store's floor)")
    print(f"{'quick export, raw (MB/s)':52} {mb / quick_s:12.0f}   ({quick_s:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-gib", type=float, default=2.0)
    parser.add_argument("--format", default="qcow2", choices=["qcow2", "vmdk", "vhd"])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ims-bench-copy-"))
    try:
        run(work, int(args.size_gib * 1024) * MIB, args.format)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
