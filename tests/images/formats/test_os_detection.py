"""OS detection on disks made with ordinary tools (mkfs -d, sfdisk, hivexregedit): each supported file system and
partition table, each guest family, and the hostile cases (random bytes, a corrupt file system, a slow reader)."""

import os
import shutil
import subprocess
import time

import pytest
from django.conf import settings

from images.formats import btrfs, guest_disk
from images.formats.errors import DETECTION_TIMED_OUT, FormatError
from images.formats.os_detection import Disk, detect_os, inspect_disk, iso_volume
from images.formats.os_facts import place_in_catalog, release_of_files
from tests.images.formats.guest_disks import (
    ESP_TYPE,
    LINUX_TYPE,
    MiB,
    btrfs_in_subvolume,
    btrfs_mountable,
    elf,
    filesystem,
    linux_tree,
    partitioned,
    windows_tree,
)
from tests.images.formats.lvm2_disks import LogicalVolume, physical_volume


def _has(*tools):
    return all(shutil.which(tool) for tool in tools)


needs_xfs = pytest.mark.skipif(not _has("mkfs.xfs"), reason="xfsprogs is not installed")
needs_btrfs = pytest.mark.skipif(not _has("mkfs.btrfs"), reason="btrfs-progs is not installed")


def _ntfs_mountable():
    return _has("mkntfs", "ntfs-3g", "hivexregedit") and os.geteuid() == 0 and os.path.exists("/dev/fuse")


RELEASE_IDS = {"ubuntu": "ubuntu", "debian": "debian", "opensuse": "opensuse-leap"}
needs_ntfs = pytest.mark.skipif(not _ntfs_mountable(), reason="mkntfs, ntfs-3g (FUSE, root) or hivexregedit missing")


def _detect(path):
    with Disk.of_file(path) as disk:
        return detect_os(disk)


@pytest.mark.parametrize(
    ("distribution", "os_version", "platform"),
    [
        ("debian", "Debian GNU/Linux 12.0.0 64bit", "Debian"),
        ("ubuntu", "Ubuntu 22.04 server 64bit", "Ubuntu"),
        ("almalinux", "AlmaLinux 9.4 64bit", "AlmaLinux"),
        ("opensuse", "openSUSE 15.0 64bit", "OpenSUSE"),
    ],
)
def test_a_bare_ext4_disk_names_its_distribution_from_the_os_version_list(tmp_path, distribution, os_version, platform):
    disk = filesystem("ext4", linux_tree(tmp_path / "tree", distribution), tmp_path / "disk.img")
    findings = _detect(disk)
    placed = place_in_catalog(findings)
    assert findings.filesystems == ["ext4"] and findings.partition_table == ""
    assert (placed.os_version, placed.platform, placed.os_type, placed.os_bit) == (os_version, platform, "Linux", 64)
    assert (placed.architecture, placed.firmware, placed.listed) == ("x86", "bios", True)


def test_a_gpt_disk_with_an_esp_boots_with_uefi(tmp_path):
    esp_tree = tmp_path / "esp"
    (esp_tree / "EFI/BOOT").mkdir(parents=True)
    (esp_tree / "EFI/BOOT/BOOTX64.EFI").write_bytes(b"MZ")
    esp = filesystem("vfat", esp_tree, tmp_path / "esp.img", size=8 * MiB)
    root = filesystem("ext4", linux_tree(tmp_path / "tree", "ubuntu"), tmp_path / "root.img")
    disk = partitioned(tmp_path / "disk.img", "gpt", [(esp, ESP_TYPE), (root, LINUX_TYPE)])
    findings = _detect(disk)
    assert findings.partition_table == "gpt" and findings.filesystems == ["fat", "ext4"]
    assert (findings.distribution, findings.boot_mode) == ("ubuntu", "uefi")


def test_an_mbr_disk_without_an_esp_boots_with_bios_and_arm_binaries_make_an_arm_image(tmp_path):
    root = filesystem("ext4", linux_tree(tmp_path / "tree", "ubuntu", machine="aarch64"), tmp_path / "root.img")
    disk = partitioned(tmp_path / "disk.img", "dos", [(root, LINUX_TYPE)])
    findings = _detect(disk)
    placed = place_in_catalog(findings)
    assert findings.partition_table == "mbr" and findings.architecture == "aarch64"
    assert placed.os_version == "Ubuntu 22.04 server 64bit with ARM" and placed.architecture == "arm"


def test_an_old_release_file_is_the_fallback_without_os_release(tmp_path):
    disk = filesystem("ext4", linux_tree(tmp_path / "tree", "", legacy=True), tmp_path / "disk.img")
    placed = place_in_catalog(_detect(disk))
    assert (placed.platform, placed.os_version) == ("CentOS", "CentOS 6.10 64bit")


def test_older_release_files_are_read_in_order():
    assert release_of_files({"/etc/debian_version": "11.7\n"})[:2] == ("debian", "11.7")
    suse = "SUSE Linux Enterprise Server 12 (x86_64)\nVERSION = 12\nPATCHLEVEL = 5\n"
    assert release_of_files({"/etc/SuSE-release": suse})[:2] == ("sles", "12 SP5")
    assert release_of_files({}) is None


def test_a_linux_version_outside_the_list_becomes_other_linux_with_its_platform(tmp_path):
    tree = linux_tree(tmp_path / "tree", "ubuntu")
    (tree / "etc/os-release").write_text('ID=ubuntu\nVERSION_ID="10.04"\n')
    placed = place_in_catalog(_detect(filesystem("ext4", tree, tmp_path / "disk.img")))
    assert (placed.os_version, placed.platform, placed.listed) == ("Other Linux(64 bit)", "Ubuntu", False)


def test_a_root_logical_volume_on_an_lvm2_partition_is_read(tmp_path):
    """The usual installer layout: an MBR partition that is an LVM2 physical volume, its group holding a swap
    volume first and the root file system second (so the root's extents do not start at the data area)."""
    root = filesystem("ext4", linux_tree(tmp_path / "tree", "debian"), tmp_path / "root.img")
    swap = tmp_path / "swap.img"
    swap.write_bytes(bytes(2 * MiB))
    volumes = [LogicalVolume("swap", swap), LogicalVolume("root", root)]
    group = physical_volume(tmp_path / "pv.img", "vg0", volumes)
    disk = partitioned(tmp_path / "disk.img", "dos", [(group, LINUX_TYPE)])
    findings = _detect(disk)
    placed = place_in_catalog(findings)
    assert findings.partition_table == "mbr" and findings.filesystems == ["lvm2", "ext4"]
    assert (placed.os_version, placed.architecture, placed.firmware) == ("Debian GNU/Linux 12.0.0 64bit", "x86", "bios")


def test_a_logical_volume_on_another_disk_of_its_group_is_noted_not_fatal(tmp_path):
    root = filesystem("ext4", linux_tree(tmp_path / "tree", "ubuntu"), tmp_path / "root.img")
    group = physical_volume(tmp_path / "pv.img", "vg0", [LogicalVolume("root", root)], missing_extents=True)
    findings = _detect(group)
    assert findings.filesystems == ["lvm2"] and not findings.found
    assert any("LVM2" in note for note in findings.notes)


@needs_xfs
def test_xfs_is_read(tmp_path):
    disk = filesystem("xfs", linux_tree(tmp_path / "tree", "almalinux"), tmp_path / "disk.img", size=320 * MiB)
    findings = _detect(disk)
    assert findings.filesystems == ["xfs"] and findings.distribution == "almalinux"


needs_btrfs_mount = pytest.mark.skipif(not btrfs_mountable(), reason="btrfs-progs, loop devices or root missing")


@needs_btrfs
def test_btrfs_on_a_bare_disk_is_read_with_btrfs_restore(tmp_path):
    tree = linux_tree(tmp_path / "tree", "debian")
    findings = _detect(filesystem("btrfs", tree, tmp_path / "disk.img", size=128 * MiB))
    placed = place_in_catalog(findings)
    assert findings.filesystems == ["btrfs"] and findings.notes == []
    assert (findings.distribution, findings.version, findings.architecture) == ("debian", "12", "x86_64")
    assert (placed.os_version, placed.architecture, placed.firmware) == ("Debian GNU/Linux 12.0.0 64bit", "x86", "bios")


@needs_btrfs
def test_btrfs_in_a_gpt_partition_after_an_esp_is_read(tmp_path):
    (tmp_path / "esp/EFI/BOOT").mkdir(parents=True)
    (tmp_path / "esp/EFI/BOOT/BOOTAA64.EFI").write_bytes(b"MZ")
    esp = filesystem("vfat", tmp_path / "esp", tmp_path / "esp.img", size=8 * MiB)
    root = filesystem(
        "btrfs", linux_tree(tmp_path / "tree", "opensuse", machine="aarch64"), tmp_path / "root.img", size=128 * MiB
    )
    findings = _detect(partitioned(tmp_path / "disk.img", "gpt", [(esp, ESP_TYPE), (root, LINUX_TYPE)], size=160 * MiB))
    placed = place_in_catalog(findings)
    assert findings.partition_table == "gpt" and findings.filesystems == ["fat", "btrfs"]
    assert (findings.distribution, findings.architecture, findings.boot_mode) == ("opensuse-leap", "aarch64", "uefi")
    assert placed.os_version == "openSUSE 15.0 64bit with ARM" or placed.platform == "OpenSUSE"


@needs_btrfs
def test_btrfs_links_are_followed_inside_the_restored_tree_only(tmp_path):
    """Merged /usr: /etc/os-release -> ../usr/lib/os-release and /sbin -> usr/sbin (the only ELF file is
    /usr/sbin/init, reached as /sbin/init)."""
    tree = tmp_path / "tree"
    (tree / "etc").mkdir(parents=True)
    (tree / "usr/lib").mkdir(parents=True)
    (tree / "usr/sbin").mkdir(parents=True)
    (tree / "usr/lib/os-release").write_text('ID=ubuntu\nVERSION_ID="22.04"\nPRETTY_NAME="Ubuntu 22.04.4 LTS"\n')
    (tree / "etc/os-release").symlink_to("../usr/lib/os-release")
    (tree / "usr/sbin/init").write_bytes(elf("aarch64"))
    (tree / "sbin").symlink_to("usr/sbin")
    findings = _detect(filesystem("btrfs", tree, tmp_path / "disk.img", size=128 * MiB))
    assert (findings.distribution, findings.version, findings.architecture) == ("ubuntu", "22.04", "aarch64")


@needs_btrfs
def test_a_btrfs_link_out_of_the_guest_is_not_followed_to_the_host(tmp_path):
    assert os.path.exists("/usr/lib/os-release") or os.path.exists("/etc/os-release")
    tree = tmp_path / "tree"
    (tree / "etc").mkdir(parents=True)
    (tree / "etc/os-release").symlink_to("../../../../../../../../../../usr/lib/os-release")
    (tree / "etc/lsb-release").symlink_to("/etc/os-release")
    findings = _detect(filesystem("btrfs", tree, tmp_path / "disk.img", size=128 * MiB))
    assert findings.filesystems == ["btrfs"] and not findings.found
    assert "Btrfs" in findings.notes[0] and "no release file" in findings.notes[0]


@needs_btrfs_mount
@pytest.mark.parametrize(("snapshots", "distribution"), [(0, "ubuntu"), (1, "opensuse")])
def test_a_btrfs_root_in_subvolume_at_or_its_snapper_snapshot_is_read(tmp_path, snapshots, distribution):
    tree = linux_tree(tmp_path / "tree", distribution)
    (tree / "bin").symlink_to("usr/bin")
    disk = btrfs_in_subvolume(tmp_path / "disk.img", tree, snapshots=snapshots)
    findings = _detect(partitioned(tmp_path / "part.img", "gpt", [(disk, LINUX_TYPE)], size=160 * MiB))
    assert findings.filesystems == ["btrfs"] and findings.notes == []
    assert (findings.distribution, findings.architecture) == (RELEASE_IDS[distribution], "x86_64")


@needs_btrfs
@pytest.mark.parametrize("damage", ["trees", "superblock"])
def test_a_corrupt_btrfs_ends_with_a_note(tmp_path, damage):
    disk = filesystem("btrfs", linux_tree(tmp_path / "tree", "debian"), tmp_path / "disk.img", size=128 * MiB)
    with open(disk, "r+b") as handle:
        if damage == "trees":  # the superblock stays; every metadata block after it is noise
            for offset in range(0x20000, 128 * MiB, 16384):
                handle.seek(offset)
                handle.write(os.urandom(512))
        else:  # the magic stays, with random tree roots and sizes; the mirror at 64 MiB is gone
            handle.seek(0x10000 + 72)
            handle.write(os.urandom(512))
            handle.seek(0x10000 + 136)
            handle.write((1).to_bytes(8, "little"))
            handle.seek(64 * MiB)
            handle.write(os.urandom(4096))
    started = time.monotonic()
    try:
        findings = _detect(disk)
    except FormatError as refused:
        assert refused.code == DETECTION_TIMED_OUT
        return
    assert findings.filesystems == ["btrfs"] and not findings.found, findings
    assert any("Btrfs" in note for note in findings.notes) and time.monotonic() - started < 60


@needs_btrfs
def test_btrfs_without_btrfs_progs_keeps_the_note(tmp_path, monkeypatch):
    disk = filesystem("btrfs", linux_tree(tmp_path / "tree", "opensuse"), tmp_path / "disk.img", size=128 * MiB)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    findings = _detect(disk)
    assert findings.filesystems == ["btrfs"] and not findings.found
    assert "btrfs-progs is not installed" in findings.notes[0]


@needs_btrfs
def test_a_btrfs_partition_over_the_copy_limit_is_noted_not_copied(tmp_path, monkeypatch):
    disk = filesystem("btrfs", linux_tree(tmp_path / "tree", "debian"), tmp_path / "disk.img", size=128 * MiB)
    monkeypatch.setattr(btrfs, "BTRFS_COPY_LIMIT", 64 * MiB)
    with Disk.of_file(disk) as opened:
        findings = inspect_disk(opened, scratch=str(tmp_path))
    assert not findings.found and "larger than" in findings.notes[0]
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith("os-detection")] == []


@needs_btrfs
def test_a_btrfs_copy_slower_than_half_the_time_limit_is_noted_not_timed_out(tmp_path):
    disk = filesystem("btrfs", linux_tree(tmp_path / "tree", "debian"), tmp_path / "disk.img", size=128 * MiB)
    with Disk.of_file(disk) as opened:
        findings = inspect_disk(opened, seconds=0)
    assert not findings.found and "took too long" in findings.notes[0]


def test_btrfs_links_resolve_inside_the_guest_root_and_loops_end(tmp_path):
    root = tmp_path / "root"
    (root / "@/usr/lib").mkdir(parents=True)
    (root / "@/usr/lib/os-release").write_text("ID=debian\n")
    (root / "@/etc").mkdir()
    (root / "@/etc/lsb-release").symlink_to("/etc/os-release")  # not made by the restore: never followed
    links = {"@/etc/os-release": "../../../../usr/lib/os-release", "@/bin": "/bin", "@/sbin": "/usr/lib/../../../@"}
    files = btrfs.BtrfsFiles(root, links, ("@",))
    assert files.read("/etc/os-release", 100) == b"ID=debian\n"
    assert files._guest_path("/sbin/usr/lib/os-release") == ("@", "@", "usr", "lib", "os-release")
    assert files._guest_path("/bin/true") is None and files.read("/bin/true", 10) == b""
    assert files.read("/etc/lsb-release", 100) == b"" and not files.exists("/etc")


def test_the_btrfs_copy_is_sparse(tmp_path):
    data = bytearray(32 * MiB)
    data[5 * MiB : 5 * MiB + 10] = b"superblock"
    disk = Disk(lambda offset, length: bytes(data[offset : offset + length]), len(data))
    btrfs._sparse_copy(disk, 0, len(data), tmp_path / "copy")
    copied = tmp_path / "copy"
    assert copied.read_bytes() == bytes(data) and copied.stat().st_blocks * 512 <= MiB


@needs_btrfs
def test_a_hanging_btrfs_restore_ends_in_a_note_before_the_deadline(tmp_path, monkeypatch):
    """The restore gets the time left, not a fixed timeout: a large but sound Btrfs is noted, not refused."""
    disk = filesystem("btrfs", linux_tree(tmp_path / "tree", "debian"), tmp_path / "disk.img", size=128 * MiB)
    fake = tmp_path / "bin/btrfs"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nexec sleep 60\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    if not btrfs._landlock_abi():
        pytest.skip("Landlock is not available: btrfs restore is not run at all")
    started = time.monotonic()
    findings = _detect_within(disk, 6)
    assert time.monotonic() - started < 6
    assert findings.filesystems == ["btrfs"] and not findings.found
    assert "restoring its files took too long" in findings.notes[0]
    assert not list((settings.VAR_DIR / "staging").glob("os-detection-*"))


def _detect_within(path, seconds):
    with Disk.of_file(path) as disk:
        return detect_os(disk, seconds=seconds)


@needs_ntfs
@pytest.mark.parametrize(
    ("product", "build", "os_version"),
    [
        ("Windows Server 2022 Datacenter", "20348", "Windows Server 2022 Datacenter 64bit"),
        ("Windows Server 2019 Standard", "17763", "Windows Server 2019 Standard 64bit"),
    ],
)
def test_windows_server_is_read_from_the_software_hive_and_ntoskrnl(tmp_path, product, build, os_version):
    tree = windows_tree(tmp_path / "tree", product=product, build=build)
    ntfs = filesystem("ntfs", tree, tmp_path / "ntfs.img", size=16 * MiB)
    disk = partitioned(tmp_path / "disk.img", "dos", [(ntfs, "07")])
    findings = _detect(disk)
    placed = place_in_catalog(findings)
    assert findings.filesystems == ["ntfs"] and (findings.product_name, findings.version) == (product, build)
    assert (placed.os_version, placed.platform, placed.os_type, placed.architecture) == (
        os_version,
        "Windows",
        "Windows",
        "x86",
    )


def test_random_bytes_hold_no_partition_table_no_file_system_and_no_os(tmp_path):
    disk = tmp_path / "random.img"
    disk.write_bytes(os.urandom(3 * MiB))
    findings = _detect(disk)
    assert (findings.found, findings.partition_table, findings.filesystems) == (False, "", [])


def test_a_corrupt_file_system_is_survived(tmp_path):
    disk = filesystem("ext4", linux_tree(tmp_path / "tree", "debian"), tmp_path / "disk.img")
    with open(disk, "r+b") as handle:  # the superblock stays, the group descriptors and inode tables do not
        for offset in range(2048, 2 * MiB, 4096):
            handle.seek(offset)
            handle.write(os.urandom(1024))
    findings = _detect(disk)
    assert not findings.found or findings.distribution == "debian"


def test_reads_stay_inside_the_disk():
    reads = []

    def read(offset, length):
        reads.append((offset, length))
        return b"\xff" * length

    disk = Disk(read, 4096)
    assert disk.read(4000, 200) == b"\xff" * 96 + bytes(104)
    assert disk.read(-10, 5) == bytes(5) and disk.read(9000, 10) == bytes(10)
    assert reads == [(4000, 96)]


def test_a_slow_reader_times_out_with_its_own_code():
    def read(offset, length):
        time.sleep(10)
        return bytes(length)

    started = time.monotonic()
    with pytest.raises(FormatError) as refused:
        detect_os(Disk(read, 10 * MiB), seconds=1)
    assert refused.value.code == DETECTION_TIMED_OUT and time.monotonic() - started < 5


def test_a_reader_that_allocates_without_end_meets_the_memory_limit_in_the_child():
    """The child's address space is limited: a crafted volume making a reader allocate gigabytes ends with a note,
    and the worker's own memory is untouched."""

    def read(offset, length):
        hog = bytearray(2 * 1024**3)  # mapped lazily: only an address-space limit refuses it
        return bytes(hog[:length])

    findings = detect_os(Disk(read, 10 * MiB), seconds=30)
    assert not findings.found and findings.notes[0].startswith("inspection failed")  # MemoryError, through C


def test_the_inspection_in_process_matches_the_child(tmp_path):
    disk = filesystem("ext4", linux_tree(tmp_path / "tree", "debian"), tmp_path / "disk.img")
    with Disk.of_file(disk) as opened:
        assert inspect_disk(opened) == _detect(disk)


def test_an_iso_names_its_volume_label(tmp_path):
    if not _has("xorriso") and not _has("genisoimage"):
        pytest.skip("no ISO 9660 writer")
    (tmp_path / "content").mkdir()
    (tmp_path / "content/readme.txt").write_text("hello")
    iso = tmp_path / "disk.iso"
    tool = ["xorriso", "-as", "mkisofs"] if _has("xorriso") else ["genisoimage"]
    subprocess.run([*tool, "-quiet", "-V", "INSTALL_2024", "-o", str(iso), str(tmp_path / "content")], check=True)
    with Disk.of_file(iso) as disk:
        assert iso_volume(disk) == ("iso9660", "INSTALL_2024")
    assert iso_volume(Disk(lambda offset, length: bytes(length), 4 * MiB)) == ("", "")


def test_an_iso_without_an_iso9660_or_udf_volume_is_refused_with_its_code():
    from images.jobs.import_contents import _iso

    with pytest.raises(FormatError) as refused:
        _iso(Disk(lambda offset, length: bytes(length), 4 * MiB))
    assert refused.value.code == "IMG.0733"
    udf = bytearray(4 * MiB)
    udf[17 * 2048 + 1 : 17 * 2048 + 6] = b"NSR02"
    assert _iso(Disk(lambda offset, length: bytes(udf[offset : offset + length]), len(udf))).entities == {
        "iso_volume": "udf",
        "iso_label": "",
    }


def test_names_read_from_the_guest_are_printable_and_short(tmp_path):
    tree = linux_tree(tmp_path / "tree", "debian")
    (tree / "etc/os-release").write_text('ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Deb\x1b[31mian' + "x" * 500 + '"\n')
    findings = _detect(filesystem("ext4", tree, tmp_path / "disk.img"))
    assert findings.product_name.startswith("Deb[31mian") and len(findings.product_name) == 128


def test_reads_through_nbd_are_split_under_qemu_nbds_request_limit():
    class FakeNbd:
        size, requests = 64 * MiB, []

        def read_into(self, view, offset):
            self.requests.append((offset, len(view)))
            view[:] = b"\x01" * len(view)

    nbd = FakeNbd()
    assert Disk.of_nbd(nbd).read(MiB, 40 * MiB) == b"\x01" * (40 * MiB)
    assert max(length for _offset, length in nbd.requests) <= 4 * MiB and nbd.requests[0] == (MiB, 4 * MiB)


def _bzimage(xloadflags: int) -> bytes:
    """The setup header of an x86 bzImage: "HdrS" at 0x202 and xloadflags at 0x236 (bit 0: a 64-bit kernel)."""
    head = bytearray(4096)
    head[0x1FE:0x200], head[0x202:0x206] = b"\x55\xaa", b"HdrS"
    head[0x236:0x238] = xloadflags.to_bytes(2, "little")
    return bytes(head)


def _arm64_image() -> bytes:
    head = bytearray(4096)
    head[0x38:0x3C] = b"ARM\x64"
    return bytes(head)


def _kernel_only_tree(root, distribution, kernel: bytes):
    """A release file and a kernel, but none of the programs whose ELF header names the architecture."""
    tree = linux_tree(root, distribution)
    (tree / "usr/bin/true").unlink()
    (tree / "boot").mkdir()
    (tree / "boot/vmlinuz-6.1.0-13-amd64").write_bytes(kernel)
    (tree / "vmlinuz").symlink_to("boot/vmlinuz-6.1.0-13-amd64")
    return tree


def test_the_kernel_names_the_architecture_when_no_program_does(tmp_path):
    tree = _kernel_only_tree(tmp_path / "tree", "debian", _bzimage(xloadflags=0b11))
    findings = _detect(filesystem("ext4", tree, tmp_path / "disk.img"))
    assert (findings.distribution, findings.architecture) == ("debian", "x86_64")


@needs_btrfs
def test_the_kernel_link_is_followed_on_btrfs(tmp_path):
    tree = _kernel_only_tree(tmp_path / "tree", "debian", _bzimage(xloadflags=0b11))
    findings = _detect(filesystem("btrfs", tree, tmp_path / "disk.img", size=128 * MiB))
    assert (findings.distribution, findings.architecture) == ("debian", "x86_64")


@needs_xfs
def test_an_arm64_kernel_image_on_xfs_names_aarch64(tmp_path):
    tree = linux_tree(tmp_path / "tree", "ubuntu")
    (tree / "usr/bin/true").unlink()
    (tree / "boot").mkdir()
    (tree / "boot/vmlinuz").write_bytes(_arm64_image())
    findings = _detect(filesystem("xfs", tree, tmp_path / "disk.img", size=320 * MiB))
    assert (findings.distribution, findings.architecture) == ("ubuntu", "aarch64")


def test_kernel_headers_give_their_architecture():
    from images.formats.os_facts import architecture_of_kernel

    zimage = bytearray(64)
    zimage[0x24:0x28] = (0x016F2818).to_bytes(4, "little")
    assert architecture_of_kernel(_bzimage(xloadflags=0b11)) == "x86_64"
    assert architecture_of_kernel(_bzimage(xloadflags=0)) == "i386"
    assert architecture_of_kernel(_arm64_image()) == "aarch64"
    assert architecture_of_kernel(bytes(zimage)) == "arm"
    assert architecture_of_kernel(elf("aarch64")) == "aarch64"
    assert architecture_of_kernel(b"boot/vmlinuz-6.1.0-13-amd64") == ""


@pytest.mark.parametrize("kind", ["ext4", pytest.param("xfs", marks=needs_xfs)])
def test_links_are_followed_inside_the_guest_and_never_out_of_it(tmp_path, kind):
    """Debian's layout: /etc/os-release and /bin are links. A link aiming above the root stays inside the guest."""
    tree = linux_tree(tmp_path / "tree", "debian")
    (tree / "usr/lib").mkdir(parents=True)
    (tree / "etc/os-release").rename(tree / "usr/lib/os-release")
    (tree / "etc/os-release").symlink_to("../../../../usr/lib/os-release")
    (tree / "usr/bin/true").rename(tree / "usr/bin/true.real")
    (tree / "usr/bin/true").symlink_to("/usr/bin/true.real")
    findings = _detect(filesystem(kind, tree, tmp_path / "disk.img", size=320 * MiB))
    assert (findings.distribution, findings.version, findings.architecture) == ("debian", "12", "x86_64")


def test_a_link_loop_ends_the_walk():
    links = {("a",): "b", ("b",): "a"}
    assert guest_disk.follow_links("/a/os-release", links.get) is None
    assert guest_disk.follow_links("/x/../../etc/./os-release", links.get) == ("etc", "os-release")
