"""What a compute backend must do for the services: disks (clone, blank, write, snapshot, release) and power."""

from typing import Protocol

from iam.models import Region
from images.blobs.models import Manifest


class ComputeProvider(Protocol):
    name: str

    def clone_disk(self, manifest: Manifest) -> Manifest:
        """A new disk with `manifest`'s content, copy-on-write: no data is written (Cinder: volume from image or
        snapshot)."""

    def blank_disk(self, region: Region, size_bytes: int) -> Manifest:
        """An empty disk of `size_bytes` (Cinder: create volume)."""

    def write_disk(self, region: Region, raw_path, size_bytes: int) -> tuple[Manifest, int]:
        """A disk whose content is the raw file at `raw_path`, zero-extended to `size_bytes`; and the chunk bytes
        the store had to write (what a guest writing its disk would be)."""

    def release_disk(self, manifest: Manifest) -> None:
        """The disk is gone; its chunks stay while an image or another disk names them."""

    def power_on(self, server) -> None: ...

    def power_off(self, server) -> None: ...
