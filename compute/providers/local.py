"""The local stand-in: disks are manifests of the region's chunk store, and no guest runs.

Cloning is the chunk store's in-region manifest copy: the new manifest names the same chunks, so a server from a
2 GiB image writes no chunk bytes, and an image of that server's disk writes none either. A disk that changes
gets a new manifest: chunks are never modified in place, so whatever else names them keeps its content.
"""

import os

from iam.models import Region
from images.blobs.models import Manifest
from images.blobs.store import copy_manifest, delete_manifest, write_raw_disk


class LocalProvider:
    name = "local"

    def clone_disk(self, manifest: Manifest) -> Manifest:
        copy, _sent = copy_manifest(manifest, target_region=manifest.region)
        return copy

    def blank_disk(self, region: Region, size_bytes: int) -> Manifest:
        return Manifest.objects.create(region=region, virtual_size=size_bytes)

    def write_disk(self, region: Region, raw_path, size_bytes: int) -> tuple[Manifest, int]:
        with open(raw_path, "r+b") as raw:
            if os.fstat(raw.fileno()).st_size < size_bytes:
                raw.truncate(size_bytes)  # a hole: the rest of the disk reads as zeros and stores nothing
        result = write_raw_disk(region, raw_path)
        return result.manifest, result.stored_new_bytes

    def release_disk(self, manifest: Manifest) -> None:
        delete_manifest(manifest)

    def power_on(self, server) -> None:
        """No guest to boot: the record's status is all there is."""

    def power_off(self, server) -> None:
        """No guest to stop."""
