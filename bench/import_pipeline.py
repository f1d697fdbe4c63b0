"""End-to-end import of a generated 2 GiB image, against this machine's floor for the same work.

    python bench/import_pipeline.py [--size-gib 2] [--format qcow2]

Runs on its own: a temporary VAR_DIR with a fresh SQLite database and local storage. It writes a raw disk,
half random data and half zeros, converts it to the source format with qemu-img, puts it into a bucket, and
then measures in one run: the floor, the import job (fetch, inspect, decode, chunk, hash, store) run in this
process as a worker runs it, and the floor again. The floor is the longest of three passes run at the same
time on the machine's cores: `qemu-img convert` of the file to raw, and md5 and sha256 of the virtual disk
(what the import must hash: the disk a download serves, zeros included; its holes fed from a zero buffer, as
the import does, so the passes do the least work possible). It prints the import's ratio to
the floor (goal <= 1.3), the load average, the peak RSS of this process (the worker) and of its children,
and the stored bytes after importing the same image a second time.
"""

import argparse
import hashlib
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024


def setup_django(var_dir: Path) -> None:
    os.environ.update(VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="console.settings", LOG_LEVEL="ERROR")
    for name in ("DATABASE_URL", "STORAGE_BACKEND", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def half_random_disk(path: Path, size: int) -> None:
    """Alternating 64 MiB of random data and 64 MiB of zeros (half of them a hole)."""
    with open(path, "wb") as handle:
        handle.truncate(size)
        for offset in range(0, size, 128 * MIB):
            handle.seek(offset)
            for _ in range(64):
                handle.write(os.urandom(MIB))
            handle.write(bytes(32 * MIB))


def drop_cache(path: Path) -> None:
    with open(path, "rb") as handle:
        os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


def timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def hash_pass(path: Path, algorithm: str) -> None:
    """The file's digest at the least cost: its data read in 4 MiB pieces, its holes fed from a zero buffer."""
    digest, buffer, zeros = hashlib.new(algorithm), bytearray(4 * MIB), bytes(4 * MIB)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as handle:
        size, position = os.fstat(handle.fileno()).st_size, 0
        while position < size:
            try:
                data = os.lseek(handle.fileno(), position, os.SEEK_DATA)
            except OSError:
                data = size  # only a hole is left
            while position < data:
                step = min(len(zeros), data - position)
                digest.update(zeros[:step] if step < len(zeros) else zeros)
                position += step
            if position >= size:
                break
            end = os.lseek(handle.fileno(), position, os.SEEK_HOLE)
            handle.seek(position)
            while position < end and (count := handle.readinto(view[: min(len(buffer), end - position)])):
                digest.update(view[:count])
                position += count


def floor(source: Path, fmt: str, raw: Path, out: Path) -> dict[str, float]:
    """Seconds of each pass, the three run at once (hashlib releases the GIL; qemu-img is another process)."""
    for path in (source, raw):
        drop_cache(path)
    convert = ["qemu-img", "convert", "-f", {"vhd": "vpc"}.get(fmt, fmt), "-O", "raw", str(source), str(out)]
    passes = {
        "convert": lambda: subprocess.run(convert, check=True),
        "md5": lambda: hash_pass(raw, "md5"),
        "sha256": lambda: hash_pass(raw, "sha256"),
    }
    seconds = {}

    def run_one(name):
        seconds[name] = timed(passes[name])

    threads = [threading.Thread(target=run_one, args=(name,)) for name in passes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.unlink(missing_ok=True)
    seconds["floor"] = max(seconds.values())
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-gib", type=float, default=2.0)
    parser.add_argument("--format", default="qcow2", choices=["qcow2", "vmdk", "vhdx", "raw"])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ims-bench-import-"))
    try:
        run(work, int(args.size_gib * 1024) * MIB, args.format)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(work: Path, size: int, fmt: str) -> None:
    setup_django(work / "var")
    from iam import seeding as iam
    from iam.actors import system_actor
    from images.blobs.models import Chunk
    from images.jobs.imports import run_import
    from images.models import Job
    from images.services import imports
    from obs.services import create_bucket, put_object

    iam.ensure_regions()
    iam.ensure_system_policies()
    account = iam.ensure_account("bench")
    actor = system_actor(account.projects.get(region_id="cn-north-4"))
    raw = work / "disk.raw"
    half_random_disk(raw, size)
    source = raw if fmt == "raw" else work / f"disk.{fmt}"
    if fmt != "raw":
        subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", fmt, str(raw), str(source)], check=True)
    create_bucket(actor, name="bench")
    with open(source, "rb") as handle:
        put_object(actor, bucket="bench", key=source.name, stream=handle, size=source.stat().st_size)

    def import_once() -> float:
        # A data disk: the generated disk holds no OS, which a system disk import refuses.
        job = imports.create_data_image(
            actor, name="bench", image_url=f"bench:{source.name}", min_disk=max(40, -(-size // 1024**3))
        )
        drop_cache(source)
        seconds = timed(lambda: run_import(job.id))
        job.refresh_from_db()
        assert job.status == "SUCCESS", job.fail_reason
        return seconds

    load_before = os.getloadavg()
    floors = [floor(source, fmt, raw, work / "alone.raw")]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    first = import_once()
    worker_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    floors.append(floor(source, fmt, raw, work / "alone.raw"))
    stored_once = sum(Chunk.objects.values_list("stored_size", flat=True))
    second = import_once()
    stored_twice = sum(Chunk.objects.values_list("stored_size", flat=True))
    children_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    load_after = os.getloadavg()
    mb = size / 1e6
    jobs = Job.objects.count()
    passes = {name: statistics.mean(f[name] for f in floors) for name in floors[0]}
    print(f"import pipeline, {size / 1024**3:.1f} GiB {fmt} (half random, half zeros), one run, {jobs} jobs")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min; 2 cores)")
    print(f"{'measure':48} {'value':>12}")
    print(f"{'import, first (MB/s of the virtual disk)':48} {mb / first:12.0f}   ({first:.2f} s)")
    print(f"{'import, same image again (MB/s)':48} {mb / second:12.0f}   ({second:.2f} s)")
    for name, label in (("convert", "qemu-img convert to raw"), ("md5", "md5 of the disk"), ("sha256", "sha256")):
        each = ", ".join(f"{f[name]:.2f}" for f in floors)
        print(f"{f'  floor pass: {label} (MB/s)':48} {mb / passes[name]:12.0f}   ({each} s, in parallel)")
    each = ", ".join(f"{f['floor']:.2f}" for f in floors)
    print(f"{'floor, the longest pass (MB/s)':48} {mb / passes['floor']:12.0f}   ({each} s, before and after)")
    print(f"{'ratio import / floor':48} {first / passes['floor']:12.2f}   (goal <= 1.3)")
    before = f"before the import {rss_before / 1024:.0f}; goal < 200"
    print(f"{'peak RSS, worker process (MB)':48} {worker_rss / 1024:12.0f}   ({before})")
    print(f"{'peak RSS, qemu-img children (MB)':48} {children_rss / 1024:12.0f}")
    print(f"{'stored bytes after one import (MB)':48} {stored_once / 1e6:12.1f}")
    print(
        f"{'stored bytes after the second import (MB)':48} {stored_twice / 1e6:12.1f}   "
        f"(+{100 * (stored_twice - stored_once) / max(stored_once, 1):.2f}%; goal < 1%)"
    )


if __name__ == "__main__":
    main()
