"""The narrow interface between the compute services and whatever runs servers and stores disks.

Services speak only to `provider()`: today the local stand-in (`local.LocalProvider`), whose disks are chunk-store
manifests and whose servers are records; a real cloud backend would implement the same methods with Nova
(servers), Cinder (disks, snapshots, backups) and Glance (image data) calls — the README maps them one by one.
"""

from functools import cache

from compute.providers.base import ComputeProvider


@cache
def provider() -> ComputeProvider:
    from compute.providers.local import LocalProvider

    return LocalProvider()


__all__ = ["ComputeProvider", "provider"]
