"""The export's own qcow2 writer: qemu-img is the judge of what it makes (check, compare, map), beside what
`qemu-img convert` makes of the same disk."""

import json
import os
import subprocess
from pathlib import Path

import pytest

from images.formats import qcow2_writer
from images.formats.inspector import inspect_image_file
from images.formats.qcow2_writer import CLUSTER, REFCOUNTS_PER_BLOCK, PieceChanged, Qcow2Layout, cluster_mask
from tests.images.formats.conftest import needs_qemu_img

pytestmark = needs_qemu_img

MIB = 1024**2
CHUNK = 4 * MIB


def qemu_img(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["qemu-img", *args], capture_output=True, text=True, check=False)


def mixed_chunk() -> bytes:
    """Random clusters with zero clusters between them, and a cluster that is zero but for its last byte."""
    data = bytearray(os.urandom(CHUNK))
    data[CLUSTER : 3 * CLUSTER] = bytes(2 * CLUSTER)
    data[10 * CLUSTER : 11 * CLUSTER] = bytes(CLUSTER - 1) + b"\x01"
    data[-CLUSTER:] = bytes(CLUSTER)
    return bytes(data)


def write_image(path: Path, size: int, pieces: dict[int, bytes]) -> Qcow2Layout:
    """The qcow2 made from the pieces, as the export makes it: mapped in a first pass, given in a second."""
    layout = Qcow2Layout(size, [(offset, cluster_mask(data)) for offset, data in sorted(pieces.items())])
    with open(path, "wb") as handle:
        for part in layout.image(sorted(pieces.items())):
            handle.write(part)
    assert path.stat().st_size == layout.size
    return layout


def write_both(tmp_path: Path, size: int, pieces: dict[int, bytes]) -> tuple[Path, Path]:
    """The raw disk the pieces make, and the qcow2 made from them."""
    raw, image = tmp_path / "disk.raw", tmp_path / "disk.qcow2"
    with open(raw, "wb") as handle:
        handle.truncate(size)
        for offset, data in pieces.items():
            handle.seek(offset)
            handle.write(data)
    write_image(image, size, pieces)
    return raw, image


def assert_sound(image: Path) -> None:
    check = qemu_img("check", "--output=json", "-f", "qcow2", str(image))
    assert check.returncode == 0, check.stdout + check.stderr
    report = json.loads(check.stdout)
    assert report.get("corruptions", 0) == 0 and report.get("leaks", 0) == 0
    assert report.get("check-errors", 0) == 0


def test_the_written_image_holds_the_disk_and_passes_qemu_img_check(tmp_path):
    # Two L2 tables (each maps 512 MiB), a piece that is all zeros, a short last cluster.
    size = 600 * MIB + 3 * CLUSTER + 4096
    tail = os.urandom(2 * CLUSTER + 4096)
    pieces = {0: mixed_chunk(), 8 * MIB: bytes(CHUNK), 516 * MIB: mixed_chunk(), 600 * MIB + CLUSTER: tail}
    raw, image = write_both(tmp_path, size, pieces)

    assert_sound(image)
    compare = qemu_img("compare", "-f", "raw", "-F", "qcow2", str(raw), str(image))
    assert compare.returncode == 0, compare.stdout + compare.stderr
    info = json.loads(qemu_img("info", "--output=json", "-f", "qcow2", str(image)).stdout)
    assert info["virtual-size"] == size
    assert info["format-specific"]["data"]["compat"] == "1.1"


def test_only_clusters_holding_data_are_stored(tmp_path):
    size = 64 * MIB
    pieces = {0: mixed_chunk(), 20 * MIB: bytes(CHUNK), 40 * MIB: mixed_chunk()}
    raw, image = write_both(tmp_path, size, pieces)

    allocated = [
        extent
        for extent in json.loads(qemu_img("map", "--output=json", "-f", "qcow2", str(image)).stdout)
        if extent["data"]
    ]
    assert sum(extent["length"] for extent in allocated) == 2 * (CHUNK - 3 * CLUSTER)
    assert [extent["start"] for extent in allocated] == [0, 3 * CLUSTER, 40 * MIB, 40 * MIB + 3 * CLUSTER]
    # No larger than what qemu-img makes of the same disk.
    converted = tmp_path / "converted.qcow2"
    result = qemu_img("convert", "-f", "raw", "-O", "qcow2", str(raw), str(converted))
    assert result.returncode == 0, result.stderr
    assert image.stat().st_size <= converted.stat().st_size


def test_a_disk_of_zeros_is_a_valid_empty_image(tmp_path):
    raw, image = write_both(tmp_path, 10 * MIB, {})

    assert_sound(image)
    assert qemu_img("compare", "-f", "raw", "-F", "qcow2", str(raw), str(image)).returncode == 0
    assert image.stat().st_size <= 5 * CLUSTER


@pytest.mark.parametrize("clusters", [1, REFCOUNTS_PER_BLOCK - 3, REFCOUNTS_PER_BLOCK - 2, 3 * REFCOUNTS_PER_BLOCK])
def test_the_refcount_blocks_count_every_cluster_including_themselves(clusters):
    table_clusters, blocks = qcow2_writer._refcount_sizes(clusters)
    total = clusters + table_clusters + blocks

    assert blocks * REFCOUNTS_PER_BLOCK >= total
    assert (blocks - 1) * REFCOUNTS_PER_BLOCK < total  # not one block more than needed
    assert table_clusters * CLUSTER // 8 >= blocks


def test_pieces_off_a_cluster_boundary_out_of_order_or_outside_the_disk_are_refused():
    for masks in ([(512, 1)], [(8 * MIB, 1)], [(CLUSTER, 1), (0, 1)], [(0, 0b11), (CLUSTER, 1)]):
        with pytest.raises(ValueError):
            Qcow2Layout(8 * MIB, masks)


def test_a_piece_that_changed_since_it_was_mapped_is_refused():
    chunk = mixed_chunk()
    layout = Qcow2Layout(8 * MIB, [(0, cluster_mask(chunk))])
    changed = bytes(CLUSTER) + chunk[CLUSTER:]

    with pytest.raises(PieceChanged):
        list(layout.image([(0, changed)]))
    with pytest.raises(PieceChanged):
        list(layout.image([]))


def test_the_made_image_passes_the_export_inspection(tmp_path):
    write_image(tmp_path / "disk.qcow2", 12 * MIB + 512, {4 * MIB: mixed_chunk()})
    inspection = inspect_image_file(
        tmp_path / "disk.qcow2", declared_format="qcow2", max_file_size=2**40, max_virtual_size=2**40
    )

    assert (inspection.format, inspection.virtual_size) == ("qcow2", 12 * MIB + 512)


def test_a_piece_across_two_l2_tables_whose_data_is_all_in_the_second(tmp_path):
    size = 1024 * MIB
    piece = bytes(2 * CLUSTER) + os.urandom(CHUNK - 2 * CLUSTER)
    raw, image = write_both(tmp_path, size, {512 * MIB - 2 * CLUSTER: piece})

    assert_sound(image)
    assert qemu_img("compare", "-f", "raw", "-F", "qcow2", str(raw), str(image)).returncode == 0


def test_an_image_of_more_clusters_than_one_refcount_block_counts_each_once():
    full = (1 << (CHUNK // CLUSTER)) - 1
    layout = Qcow2Layout(2400 * MIB, [(index * CHUNK, full) for index in range(600)])  # 38,400 data clusters
    metadata = b"".join(layout._metadata())
    assert len(metadata) == layout.first_data and layout.block_count == 2

    table = metadata[layout.table_offset : layout.table_offset + 16]
    assert [int.from_bytes(table[at : at + 8], "big") for at in (0, 8)] == [
        layout.first_block,
        layout.first_block + CLUSTER,
    ]
    blocks = metadata[layout.first_block : layout.first_l2]
    counts = [int.from_bytes(blocks[at : at + 2], "big") for at in range(0, len(blocks), 2)]
    used = layout.size // CLUSTER
    assert counts[:used] == [1] * used and set(counts[used:]) == {0}
    entries = [
        int.from_bytes(metadata[at : at + 8], "big") & ~qcow2_writer.COPIED
        for at in range(layout.first_l2, layout.first_data, 8)
    ]
    assert [entry for entry in entries if entry] == list(range(layout.first_data, layout.size, CLUSTER))
