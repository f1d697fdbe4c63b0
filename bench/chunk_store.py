"""How fast a raw disk goes into the chunk store, against a plain SHA-256 pass over the same file.

    python bench/chunk_store.py [--size-gib 2] [--rounds 3] [--keep]

Runs on its own: a temporary VAR_DIR with a fresh SQLite database (migrated first) and local chunk folders.
It generates a sparse raw file, half random data and half zeros (in every 128 MiB: 64 MiB random, 32 MiB
of written zeros, 32 MiB of hole). Each round then runs these passes, each after evicting the file from
the page cache:

- a plain SHA-256 pass over the file (4 MiB reads); the same pass reading only the data areas (holes are
  hashed as zeros without being read, as the import does); an MD5 pass, holes not read (the import also
  hashes the whole disk with MD5, the slowest hash here, on a core of its own: its floor);
- `qemu-img convert -O raw` of the file, when qemu-img is installed (the import pipeline's goal is within
  1.3x of that conversion plus one SHA-256 pass);
- write_raw_disk (MB/s of the virtual size), first into an empty region, then the same disk again;
- read_raw_disk, rebuilding the sparse raw file (the export side);
- collect_garbage after deleting both manifests, so the next round starts from an empty store.

A first round warms the machine up and is not counted; the table shows the median of the other rounds.
It also prints the process's peak RSS and the stored bytes after writing the disk twice (deduplication).
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
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
BLOCK = 128 * MIB


def prepare_environment(keep: bool) -> Path:
    var_dir = Path(tempfile.mkdtemp(prefix="ims-bench-chunks-"))
    os.environ["VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "console.settings"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    for name in ("DATABASE_URL", "STORAGE_BACKEND"):
        os.environ.pop(name, None)  # always the embedded defaults: a fresh SQLite file, local folders
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not keep:
        import atexit

        atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
    return var_dir


def make_disk(path: Path, size: int) -> None:
    with open(path, "wb") as disk:
        disk.truncate(size)
        for start in range(0, size, BLOCK):
            disk.seek(start)
            for _ in range(min(BLOCK // 2, size - start) // (4 * MIB)):
                disk.write(os.urandom(4 * MIB))
            for _ in range(min(BLOCK // 4, max(size - start - BLOCK // 2, 0)) // (4 * MIB)):
                disk.write(bytes(4 * MIB))
        os.fsync(disk.fileno())


def evict(path: Path) -> None:
    with open(path, "rb") as handle:
        os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(function, path: Path) -> tuple[float, float]:
    """Wall and CPU seconds (all threads, and child processes) of `function`, the file evicted first."""
    evict(path)
    wall, cpu = time.perf_counter(), cpu_seconds()
    function()
    return time.perf_counter() - wall, cpu_seconds() - cpu


def hash_pass(path: Path, algorithm: str, *, skip_holes: bool = False) -> str:
    """One pass of `algorithm` over the file; with `skip_holes`, holes are hashed as zeros without being read."""
    from images.blobs.disk_reader import ZERO, chunk_spans

    digest, buffer = hashlib.new(algorithm), bytearray(4 * MIB)
    with open(path, "rb", buffering=0) as handle:
        if not skip_holes:
            while count := handle.readinto(buffer):
                digest.update(memoryview(buffer)[:count])
            return digest.hexdigest()
        for index, length, has_data in chunk_spans(handle.fileno(), os.fstat(handle.fileno()).st_size):
            if has_data:
                os.preadv(handle.fileno(), [memoryview(buffer)[:length]], index * 4 * MIB)
            digest.update(memoryview(buffer if has_data else ZERO)[:length])
    return digest.hexdigest()


def qemu_convert(path: Path, target: Path) -> None:
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "raw", str(path), str(target)], check=True)


def median(values: list[float]) -> float:
    return statistics.median(values)


def one_round(disk: Path, region) -> dict:
    """Every pass once; then the two manifests are deleted and collected, so the next round starts empty."""
    from images.blobs.gc import collect_garbage
    from images.blobs.store import delete_manifest, read_raw_disk, write_raw_disk

    times, results = {}, []
    times["sha256 pass"] = timed(lambda: hash_pass(disk, "sha256"), disk)
    times["sha256 pass, holes not read"] = timed(lambda: hash_pass(disk, "sha256", skip_holes=True), disk)
    times["md5 pass, holes not read"] = timed(lambda: hash_pass(disk, "md5", skip_holes=True), disk)
    if shutil.which("qemu-img"):
        converted = disk.with_suffix(".converted")
        times["qemu-img convert -O raw"] = timed(lambda: qemu_convert(disk, converted), disk)
        converted.unlink()
    times["write_raw_disk, new chunks"] = timed(lambda: results.append(write_raw_disk(region, disk)), disk)
    times["write_raw_disk, same disk again"] = timed(lambda: results.append(write_raw_disk(region, disk)), disk)
    rebuilt = disk.with_suffix(".rebuilt")
    times["read_raw_disk (sparse rebuild)"] = timed(lambda: read_raw_disk(results[0].manifest, rebuilt), disk)
    rebuilt.unlink()
    stored = stored_bytes(region)
    for result in results:
        delete_manifest(result.manifest)
    times["collect_garbage (all chunks)"] = timed(lambda: collect_garbage(grace=timedelta(0)), disk)
    return {"times": times, "results": results, "stored": stored}


def stored_bytes(region) -> int:
    from django.db.models import Sum

    from images.blobs.models import Chunk

    return Chunk.objects.filter(region=region).aggregate(total=Sum("stored_size"))["total"] or 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-gib", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds, after one warm-up round")
    parser.add_argument("--keep", action="store_true", help="keep the temporary VAR_DIR")
    args = parser.parse_args()
    var_dir = prepare_environment(args.keep)
    from iam.seeding import ensure_regions

    region = ensure_regions()[0]
    size = int(args.size_gib * 1024) * MIB
    disk = var_dir / "disk.raw"
    make_disk(disk, size)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # The first round warms up the machine (page cache, allocator, lazy imports) and is not counted.
    rounds = [one_round(disk, region) for _ in range(args.rounds + 1)][1:]
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    first, second = rounds[0]["results"]
    assert first.sha256 == second.sha256 == hash_pass(disk, "sha256")
    assert second.stored_new_bytes == 0
    names = list(rounds[0]["times"])
    wall = {name: [r["times"][name][0] for r in rounds] for name in names}
    cpu = {name: [r["times"][name][1] for r in rounds] for name in names}
    mb = size / 1e6
    print(
        f"disk: {size / 2**30:.2f} GiB virtual, {first.data_bytes / 2**30:.2f} GiB in non-zero chunks; "
        f"median of {args.rounds} rounds (min-max); {os.cpu_count()} CPUs"
    )
    print(f"{'pass':34} {'wall seconds':>18} {'MB/s (virtual)':>15} {'CPU seconds':>12}")
    for name in names:
        spread = f"{median(wall[name]):.2f} ({min(wall[name]):.2f}-{max(wall[name]):.2f})"
        print(f"{name:34} {spread:>18} {mb / median(wall[name]):15.0f} {median(cpu[name]):12.2f}")
    write, sha = wall["write_raw_disk, new chunks"], wall["sha256 pass"]
    ratios = [w / s for w, s in zip(write, sha, strict=False)]
    print(
        f"ratio write_raw_disk (new) / sha256 pass, same round: {median(ratios):.2f} "
        f"({min(ratios):.2f}-{max(ratios):.2f})"
    )
    if "qemu-img convert -O raw" in wall:
        ratios = [w / (q + s) for w, q, s in zip(write, wall["qemu-img convert -O raw"], sha, strict=False)]
        print(
            f"ratio write_raw_disk (new) / (qemu-img convert + sha256 pass): {median(ratios):.2f} "
            f"({min(ratios):.2f}-{max(ratios):.2f})"
        )
    ratios = [w / s for w, s in zip(write, wall["sha256 pass, holes not read"], strict=False)]
    print(
        f"ratio write_raw_disk (new) / sha256 pass with holes not read: {median(ratios):.2f} "
        f"({min(ratios):.2f}-{max(ratios):.2f})"
    )
    floor = [m / w for m, w in zip(wall["md5 pass, holes not read"], write, strict=False)]
    print(
        f"md5 pass (holes not read) / write_raw_disk (new): {median(floor):.2f} "
        "(the import cannot be faster than its whole-disk md5)"
    )
    print(f"peak RSS: {peak_rss / 1024:.0f} MB (after Django setup and migrate: {rss_before / 1024:.0f} MB)")
    stored = rounds[0]["stored"]
    print(
        f"stored after writing the disk twice: {stored / 1e6:.0f} MB for {2 * size / 1e6:.0f} MB of virtual disk "
        f"and {2 * first.data_bytes / 1e6:.0f} MB of non-zero chunks (dedup ratio "
        f"{2 * first.data_bytes / stored:.2f}x); second write stored {second.stored_new_bytes} new bytes"
    )


if __name__ == "__main__":
    main()
