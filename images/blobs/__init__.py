"""The chunk store: disks as manifests of 4 MiB, zstd-compressed, content-addressed chunks per region.

`store` writes, reads and copies disks; `gc` removes the chunks no manifest names any more.
"""
