"""What encryption costs: storing a disk (the import's store step) and copying one, with and without a data key.

    python bench/encryption.py [--size-gib 1] [--rounds 2]

Runs on its own like bench/chunk_store.py (a temporary VAR_DIR, a fresh SQLite database, local chunk folders), on
the same half-random, half-zero sparse disk. Each round measures, the file evicted from the page cache first:

- import: write_raw_disk of the file, plain, then sealed under a new data key (each into an empty chunk space);
- copy: every chunk of a stored disk read back and stored again into a region that lacks it, as a copy that
  re-encodes does: plain to plain (the same pipeline without a key), then sealed to sealed under another key
  (re-keying; encrypting or decrypting costs one side of it).

It prints the median throughput of each and the ratio keyed / plain (the goal: at most 1.10, a 10% cost) and
checks that every copy holds the same disk.
"""

import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chunk_store import MIB, make_disk, median, prepare_environment, timed


def one_round(disk: Path, region, far_region) -> dict:
    from images.blobs.gc import collect_garbage
    from images.blobs.store import ManifestSource, delete_manifest, write_disk, write_raw_disk

    times, results = {}, {}
    source_key, target_key = secrets.token_bytes(32), secrets.token_bytes(32)

    def store(name, function):
        times[name] = timed(lambda: results.__setitem__(name, function()), disk)

    store("import, plain", lambda: write_raw_disk(region, disk))
    store("import, sealed", lambda: write_raw_disk(region, disk, key=source_key))
    plain, sealed = results["import, plain"].manifest, results["import, sealed"].manifest
    store("copy, plain to plain", lambda: write_disk(far_region, ManifestSource(plain, None)))
    store(
        "copy, sealed to sealed (re-key)",
        lambda: write_disk(far_region, ManifestSource(sealed, source_key), key=target_key),
    )
    sums = {result.sha256 for result in results.values()}
    assert len(sums) == 1, "every copy holds the same disk"
    for result in results.values():
        delete_manifest(result.manifest)
    collect_garbage(grace=timedelta(0))
    return times


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-gib", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=2, help="measured rounds, after one warm-up round")
    args = parser.parse_args()
    var_dir = prepare_environment(keep=False)
    from iam.seeding import ensure_regions

    region, far_region = ensure_regions()[:2]
    size = int(args.size_gib * 1024) * MIB
    disk = var_dir / "disk.raw"
    make_disk(disk, size)
    rounds = [one_round(disk, region, far_region) for _ in range(args.rounds + 1)][1:]
    names = list(rounds[0])
    wall = {name: median([r[name][0] for r in rounds]) for name in names}
    cpu = {name: median([r[name][1] for r in rounds]) for name in names}
    print(f"disk: {size / 2**30:.2f} GiB virtual; median of {args.rounds} rounds; {os.cpu_count()} CPUs")
    print(f"{'pass':34} {'wall seconds':>12} {'MB/s (virtual)':>15} {'CPU seconds':>12}")
    for name in names:
        print(f"{name:34} {wall[name]:12.2f} {size / 1e6 / wall[name]:15.0f} {cpu[name]:12.2f}")
    for kind, plain, keyed in (
        ("import", "import, plain", "import, sealed"),
        ("copy", "copy, plain to plain", "copy, sealed to sealed (re-key)"),
    ):
        ratio = wall[keyed] / wall[plain]
        verdict = "within" if ratio <= 1.10 else "OVER"
        print(
            f"{kind}: keyed / plain wall time {ratio:.3f} ({verdict} the 10% goal); CPU {cpu[keyed] / cpu[plain]:.3f}"
        )


if __name__ == "__main__":
    main()
