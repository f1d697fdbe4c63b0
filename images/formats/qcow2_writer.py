"""A qcow2 (version 3) made straight from a raw disk's stored pieces: the export's own writer, so no qemu-img
process reads the disk back over NBD and no file is staged.

The disk is read twice. The first pass only finds which 64 KiB clusters hold a non-zero byte (`cluster_mask`
of each piece). From that map the whole layout is known before the first byte is produced, so the second pass
gives the image in order, once: the header, the L1 table, the refcount table and blocks, the L2 tables, then
the data clusters in the disk's order (qemu docs/interop/qcow2.txt allows the metadata anywhere). It can be
hashed and stored as it is made. A piece the caller does not give, and any all-zero cluster inside one, is left
unallocated and reads as zeros.
"""

import struct
from collections.abc import Iterable, Iterator

CLUSTER_BITS = 16  # 64 KiB, qemu's default
CLUSTER = 1 << CLUSTER_BITS
L2_ENTRIES = CLUSTER // 8
REFCOUNT_ORDER = 4  # 16-bit refcounts, qemu's default
REFCOUNTS_PER_BLOCK = CLUSTER * 8 >> REFCOUNT_ORDER
COPIED = 1 << 63  # "refcount is exactly one": qemu-img check wants it on every entry of an image with no snapshot
HEADER = struct.Struct(">4sIQIIQIIQQIIQQQQII")
HEADER_LENGTH = HEADER.size  # 104: version 3 with no optional field
ZERO_CLUSTER = bytes(CLUSTER)


class PieceChanged(Exception):
    """A piece read in the second pass differs from the first: the layout no longer matches the disk."""


def cluster_mask(data: bytes) -> int:
    """Bit i is set when cluster i of the piece holds a non-zero byte."""
    mask = 0
    for number, start in enumerate(range(0, len(data), CLUSTER)):
        length = min(CLUSTER, len(data) - start)
        # startswith compares in place (memcmp); comparing memoryviews goes byte by byte, 80 times slower.
        if not data.startswith(ZERO_CLUSTER if length == CLUSTER else bytes(length), start):
            mask |= 1 << number
    return mask


class Qcow2Layout:
    """Where everything goes in the image of a `virtual_size` disk whose non-zero clusters `masks` gives, as
    (offset in the disk, `cluster_mask`) of each piece in ascending order; pieces start on cluster boundaries.
    Only the pieces' masks are kept: the tables are made one cluster at a time as the image is given."""

    def __init__(self, virtual_size: int, masks: Iterable[tuple[int, int]]):
        self.disk_size = -(-virtual_size // 512) * 512  # qemu shows a raw disk rounded up to whole sectors
        self.masks = [(offset, mask) for offset, mask in masks if mask]
        disk_clusters = -(-self.disk_size // CLUSTER)
        l1_indexes, end = set(), 0
        for offset, mask in self.masks:
            first = offset // CLUSTER
            if offset % CLUSTER or first < end or first + mask.bit_length() > disk_clusters:
                raise ValueError("pieces must start on cluster boundaries, in order, and lie inside the disk")
            end = first + mask.bit_length()
            l1_indexes.update(range(first // L2_ENTRIES, (first + mask.bit_length() - 1) // L2_ENTRIES + 1))
        self.data_clusters = sum(mask.bit_count() for _offset, mask in self.masks)
        self.l1_size = -(-disk_clusters // L2_ENTRIES)
        self.l1_clusters = max(1, -(-self.l1_size * 8 // CLUSTER))
        self.l1_indexes = sorted(l1_indexes)  # a piece spanning two L2 tables may leave one empty: harmless
        before = 1 + self.l1_clusters + len(self.l1_indexes) + self.data_clusters
        self.table_clusters, self.block_count = _refcount_sizes(before)
        self.table_offset = (1 + self.l1_clusters) * CLUSTER
        self.first_block = self.table_offset + self.table_clusters * CLUSTER
        self.first_l2 = self.first_block + self.block_count * CLUSTER
        self.first_data = self.first_l2 + len(self.l1_indexes) * CLUSTER
        self.size = self.first_data + self.data_clusters * CLUSTER

    def image(self, pieces: Iterable[tuple[int, bytes]]) -> Iterator[bytes | memoryview]:
        """The image, in order, from the same pieces read again (zero pieces may be left out)."""
        yield from self._metadata()
        planned = dict(self.masks)
        for offset, data in pieces:
            mask = cluster_mask(data)
            if planned.pop(offset, 0) != mask:
                raise PieceChanged(f"the piece at {offset} changed between the two passes")
            yield from _clusters(memoryview(data), mask)
        if planned:
            raise PieceChanged(f"the piece at {min(planned)} was not given again")

    def _metadata(self) -> Iterator[bytes]:
        header = HEADER.pack(
            b"QFI\xfb", 3, 0, 0, CLUSTER_BITS, self.disk_size, 0, self.l1_size, CLUSTER, self.table_offset,
            self.table_clusters, 0, 0, 0, 0, 0, REFCOUNT_ORDER, HEADER_LENGTH,
        )  # fmt: skip
        yield header + bytes(CLUSTER - len(header))  # zeros after it end its (empty) list of extensions
        l1 = bytearray(self.l1_clusters * CLUSTER)
        for number, l1_index in enumerate(self.l1_indexes):
            struct.pack_into(">Q", l1, l1_index * 8, (self.first_l2 + number * CLUSTER) | COPIED)
        yield bytes(l1)
        table = bytearray(self.table_clusters * CLUSTER)
        for number in range(self.block_count):
            struct.pack_into(">Q", table, number * 8, self.first_block + number * CLUSTER)
        yield bytes(table)
        used = self.size // CLUSTER  # every cluster is used once
        for number in range(self.block_count):
            counted = min(REFCOUNTS_PER_BLOCK, used - number * REFCOUNTS_PER_BLOCK)
            yield b"\x00\x01" * counted + bytes(CLUSTER - 2 * counted)
        yield from self._l2_tables()

    def _l2_tables(self) -> Iterator[bytes]:
        tables = iter(self.l1_indexes)
        current, table = next(tables, None), bytearray(CLUSTER)
        data_offset = self.first_data
        for offset, mask in self.masks:
            first = offset // CLUSTER
            for bit in range(mask.bit_length()):
                if not mask >> bit & 1:
                    continue
                l1_index, l2_index = divmod(first + bit, L2_ENTRIES)
                while l1_index != current:
                    yield bytes(table)
                    current, table = next(tables), bytearray(CLUSTER)
                struct.pack_into(">Q", table, l2_index * 8, data_offset | COPIED)
                data_offset += CLUSTER
        if current is not None:
            yield bytes(table)
        yield from (bytes(CLUSTER) for _unused in tables)


def _clusters(data: memoryview, mask: int) -> Iterator[bytes | memoryview]:
    """The non-zero clusters of a piece, consecutive ones in one run; a short last cluster padded with zeros."""
    number = 0
    while mask >> number:
        if not mask >> number & 1:
            number += 1
            continue
        first = number
        while mask >> number & 1:
            number += 1
        run = data[first * CLUSTER : number * CLUSTER]
        yield run
        if len(run) % CLUSTER:
            yield ZERO_CLUSTER[len(run) % CLUSTER :]


def _refcount_sizes(clusters_before: int) -> tuple[int, int]:
    """(refcount table clusters, refcount blocks) for a file of `clusters_before` clusters plus both of them:
    the blocks count themselves and the table, so the sizes are found by growing them until they fit."""
    table_clusters = block_count = 1
    while True:
        total = clusters_before + table_clusters + block_count
        blocks = -(-total // REFCOUNTS_PER_BLOCK)
        tables = -(-blocks * 8 // CLUSTER)
        if (blocks, tables) == (block_count, table_clusters):
            return table_clusters, block_count
        block_count, table_clusters = max(blocks, block_count), max(tables, table_clusters)
