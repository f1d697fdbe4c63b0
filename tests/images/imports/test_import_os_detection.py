"""The import job looks inside the disk (issue 16): the OS found fills the image, contradicts a given one, or — no
partition table and no file system on a system disk — refuses the file; data disks may hold anything."""

import os
import shutil
import subprocess

import pytest

from images.api.inputs.common import parse
from images.api.inputs.imports import CreateImageInput
from images.jobs.imports import run_import
from images.models import Job, JobStatus
from images.services import imports
from tests import factories
from tests.images.formats.guest_disks import ESP_TYPE, LINUX_TYPE, MiB, filesystem, linux_tree, partitioned
from tests.images.formats.lvm2_disks import LogicalVolume, physical_volume
from tests.images.imports.helpers import converted, upload


@pytest.fixture
def admin(tenant_a):
    return factories.actor(tenant_a.admin)


def create(actor, url, **body):
    request = {"name": "imported", "image_url": url, "min_disk": 40, **body}
    return imports.create_image(actor, **parse(CreateImageInput, request))


def run(job) -> Job:
    run_import(job.id)
    return Job.objects.select_related("image").get(pk=job.pk)


def ubuntu_disk(tmp_path, *, machine="x86_64", uefi=False):
    root = filesystem("ext4", linux_tree(tmp_path / "tree", "ubuntu", machine=machine), tmp_path / "root.img")
    parts = [(root, LINUX_TYPE)]
    if uefi:
        (tmp_path / "esp/EFI/BOOT").mkdir(parents=True)
        (tmp_path / "esp/EFI/BOOT/BOOTX64.EFI").write_bytes(b"MZ")
        parts.insert(0, (filesystem("vfat", tmp_path / "esp", tmp_path / "esp.img", size=8 * MiB), ESP_TYPE))
    return partitioned(tmp_path / "disk.raw", "gpt", parts)


def test_without_an_os_version_the_detected_os_fills_the_image(admin, tmp_path):
    job = run(create(admin, upload(admin, ubuntu_disk(tmp_path, uefi=True), "ubuntu.raw")))
    assert job.status == JobStatus.SUCCESS, job.fail_reason
    image = job.image
    assert (image.os_version, image.platform, image.os_type, image.os_bit) == (
        "Ubuntu 22.04 server 64bit",
        "Ubuntu",
        "Linux",
        64,
    )
    assert (image.architecture, image.hw_firmware_type) == ("x86", "uefi")
    found = job.entities["os_detection"]
    assert found["partition_table"] == "gpt" and found["filesystems"] == ["fat", "ext4"]
    assert found["os"] == "Ubuntu 22.04.4 LTS" and found["boot_mode"] == "uefi"


def test_detection_reads_through_qemu_nbd_for_a_qcow2_file(admin, tmp_path):
    source = converted(ubuntu_disk(tmp_path, machine="aarch64"), "qcow2")
    image = run(create(admin, upload(admin, source, "ubuntu.qcow2"))).image
    assert (image.os_version, image.architecture, image.hw_firmware_type) == (
        "Ubuntu 22.04 server 64bit with ARM",
        "arm",
        "uefi",
    )


def test_detection_reads_a_root_logical_volume_through_qemu_nbd(admin, tmp_path):
    """The installer layout of RHEL-like systems: the root file system in an LVM2 logical volume on a partition."""
    root = filesystem("ext4", linux_tree(tmp_path / "tree", "almalinux"), tmp_path / "root.img")
    group = physical_volume(tmp_path / "pv.img", "almalinux", [LogicalVolume("root", root)])
    source = converted(partitioned(tmp_path / "disk.raw", "dos", [(group, LINUX_TYPE)]), "qcow2")
    job = run(create(admin, upload(admin, source, "alma-lvm.qcow2")))
    assert job.status == JobStatus.SUCCESS, job.fail_reason
    assert job.image.os_version == "AlmaLinux 9.4 64bit"
    assert job.entities["os_detection"]["filesystems"] == ["lvm2", "ext4"]


@pytest.mark.skipif(not shutil.which("btrfs"), reason="btrfs-progs is not installed")
def test_detection_reads_btrfs_through_qemu_nbd(admin, tmp_path):
    """Btrfs is read by `btrfs restore` from a copy of its partition, here decoded from qcow2 by qemu-nbd."""
    root = filesystem("btrfs", linux_tree(tmp_path / "tree", "debian"), tmp_path / "root.img", size=128 * MiB)
    source = converted(partitioned(tmp_path / "disk.raw", "gpt", [(root, LINUX_TYPE)], size=160 * MiB), "qcow2")
    job = run(create(admin, upload(admin, source, "debian-btrfs.qcow2")))
    assert job.status == JobStatus.SUCCESS, job.fail_reason
    assert (job.image.os_version, job.image.architecture, job.image.hw_firmware_type) == (
        "Debian GNU/Linux 12.0.0 64bit",
        "x86",
        "bios",
    )
    assert job.entities["os_detection"]["filesystems"] == ["btrfs"]


def test_an_os_version_given_and_found_the_same_is_kept(admin, tmp_path):
    job = run(create(admin, upload(admin, ubuntu_disk(tmp_path), "u.raw"), os_version="Ubuntu 20.04 server 64bit"))
    assert job.status == JobStatus.SUCCESS, job.fail_reason
    assert job.image.os_version == "Ubuntu 20.04 server 64bit"


@pytest.mark.parametrize(
    ("body", "given"),
    [
        ({"os_version": "Windows Server 2022 Datacenter 64bit"}, "Windows Server 2022 Datacenter 64bit"),
        ({"os_version": "CentOS 7.9 64bit"}, "CentOS 7.9 64bit"),
        ({"os_version": "Ubuntu 22.04 server 64bit with ARM", "architecture": "arm"}, "(arm)"),
    ],
)
def test_a_given_os_that_contradicts_the_disk_fails_the_job_naming_both(admin, tmp_path, body, given):
    job = run(create(admin, upload(admin, ubuntu_disk(tmp_path), "u.raw"), **body))
    assert (job.status, job.error_code) == (JobStatus.FAIL, "IMG.0731")
    assert given in job.fail_reason and "Ubuntu 22.04.4 LTS" in job.fail_reason, job.fail_reason


@pytest.mark.parametrize("content", [os.urandom(3 * MiB), b"just twenty-four bytes!\n"])
def test_a_system_disk_without_partition_table_or_file_system_is_refused(admin, tmp_path, content):
    path = tmp_path / "noise.raw"
    path.write_bytes(content)
    job = run(create(admin, upload(admin, path, "noise.raw"), os_version="Ubuntu 22.04 server 64bit"))
    assert job.status == JobStatus.FAIL and job.error_code in ("IMG.0730", "IMG.0713")
    if len(content) > 1024:
        assert job.error_code == "IMG.0730" and "no operating system found" in job.fail_reason.lower()


def test_a_data_disk_image_may_hold_anything(admin, tmp_path):
    path = tmp_path / "noise.raw"
    path.write_bytes(os.urandom(3 * MiB))
    job = imports.create_data_image(admin, name="data", image_url=upload(admin, path, "d.raw"), min_disk=40)
    assert run(job).status == JobStatus.SUCCESS


def test_a_file_system_without_a_known_os_becomes_other_with_a_note(admin, tmp_path):
    tree = tmp_path / "tree"
    (tree / "srv").mkdir(parents=True)
    (tree / "srv/data.txt").write_text("no OS here")
    job = run(create(admin, upload(admin, filesystem("ext4", tree, tmp_path / "fs.raw"), "fs.raw"), os_type="Windows"))
    assert job.status == JobStatus.SUCCESS, job.fail_reason
    assert (job.image.os_version, job.image.platform) == ("Other Windows(64 bit)", "Other")
    assert "No operating system was recognised" in job.entities["os_detection"]["note"]


@pytest.mark.skipif(not shutil.which("xorriso"), reason="xorriso is not installed")
def test_an_iso_import_records_its_volume_label(admin, tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content/readme.txt").write_text("installer")
    iso = tmp_path / "setup.iso"
    subprocess.run(
        ["xorriso", "-as", "mkisofs", "-quiet", "-V", "SETUP_2025", "-o", str(iso), str(tmp_path / "content")],
        check=True,
    )
    job = run(create(admin, upload(admin, iso, "setup.iso"), type="IsoImage"))
    assert job.status == JobStatus.SUCCESS, job.fail_reason
    assert (job.entities.get("iso_volume"), job.entities.get("iso_label")) == ("iso9660", "SETUP_2025"), job.entities


@pytest.mark.parametrize(("storage", "kind"), [("local", "ext4"), ("local", "btrfs"), ("s3", "ext4")])
def test_a_raw_disk_put_to_glance_is_examined_where_its_bytes_are(request, admin, tmp_path, monkeypatch, storage, kind):
    """A raw upload is stored as it arrives. Where the chunks are local files, only the file's head and tail are
    staged beside them, and what the disk holds is read from the chunks (never from the staged copy); on S3 the
    whole file is staged and read, as a forked detection child must not share the web process's connections."""
    from images.formats.guest_disk import Disk
    from images.jobs.imports import run_upload_now

    request.getfixturevalue("local_chunks" if storage == "local" else "s3_storage")
    if kind == "ext4":
        disk, expected = ubuntu_disk(tmp_path), ("Ubuntu 22.04 server 64bit", ["ext4"])
    else:
        root = filesystem("btrfs", linux_tree(tmp_path / "tree", "debian"), tmp_path / "root.img", size=128 * MiB)
        disk = partitioned(tmp_path / "disk.raw", "gpt", [(root, LINUX_TYPE)], size=160 * MiB)
        expected = ("Debian GNU/Linux 12.0.0 64bit", ["btrfs"])
    if storage == "local":
        monkeypatch.setattr(Disk, "of_file", classmethod(lambda cls, path: pytest.fail(f"read {path} as the disk")))
    image = imports.glance_create_image_metadata(admin, name="put", disk_format="raw")
    with open(disk, "rb") as body:
        job = imports.glance_upload_image_file(
            admin, image_id=image.id, stream=body, content_length=disk.stat().st_size, synchronous=True
        )
    run_upload_now(job)
    job = Job.objects.select_related("image").get(pk=job.pk)
    assert job.status == JobStatus.SUCCESS, job.fail_reason
    assert job.entities["staged_whole"] is (storage == "s3")
    assert (job.image.os_version, job.entities["os_detection"]["filesystems"]) == expected
