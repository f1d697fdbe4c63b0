"""The wizard's dry run shows what is inside a RAW or ISO file: detected OS, architecture and boot mode (issue 16),
for the wizard to pre-fill; other formats are examined when imported."""

import os

import pytest
from django.test import Client

from images.services.dry_run import check_image_file
from tests import factories
from tests.factories import PASSWORD
from tests.images.formats.guest_disks import ESP_TYPE, LINUX_TYPE, MiB, filesystem, linux_tree, partitioned
from tests.images.imports.helpers import converted, upload


@pytest.fixture
def admin(tenant_a):
    return factories.actor(tenant_a.admin)


@pytest.fixture
def almalinux_uefi(tmp_path):
    (tmp_path / "esp/EFI/BOOT").mkdir(parents=True)
    (tmp_path / "esp/EFI/BOOT/BOOTX64.EFI").write_bytes(b"MZ")
    esp = filesystem("vfat", tmp_path / "esp", tmp_path / "esp.img", size=8 * MiB)
    root = filesystem("ext4", linux_tree(tmp_path / "tree", "almalinux"), tmp_path / "root.img")
    return partitioned(tmp_path / "disk.raw", "gpt", [(esp, ESP_TYPE), (root, LINUX_TYPE)])


def test_the_dry_run_of_a_raw_file_names_os_architecture_and_boot_mode(admin, almalinux_uefi):
    result = check_image_file(admin, url=upload(admin, almalinux_uefi, "alma.raw"))
    assert result.safe and result.contents_checked
    assert (result.detected_os_version, result.detected_architecture, result.detected_boot_mode) == (
        "AlmaLinux 9.4 64bit",
        "x86",
        "uefi",
    )
    assert result.detected_os == "AlmaLinux 9.4 (Seafoam Ocelot)"


def test_the_dry_run_partial_shows_the_detected_os_for_the_wizard(tenant_a, admin, almalinux_uefi):
    console = Client()
    assert console.login(username=tenant_a.admin.username, password=PASSWORD)
    url = upload(admin, almalinux_uefi, "alma.raw")
    text = console.post("/console/images/create/check", {"image_url": url, "kind": "system"}).content.decode()
    assert 'data-os-version="AlmaLinux 9.4 64bit"' in text and "AlmaLinux 9.4 (Seafoam Ocelot)" in text
    assert 'data-testid="dry-run-boot-mode" data-prefill="hw_firmware_type" data-value="uefi"' in text


def test_the_dry_run_of_random_bytes_says_no_os_was_found(admin, tmp_path):
    noise = tmp_path / "noise.raw"
    noise.write_bytes(os.urandom(2 * MiB))
    result = check_image_file(admin, url=upload(admin, noise, "noise.raw"))
    assert result.contents_checked and result.detected_os == "" and result.detected_os_version == ""


def test_a_qcow2_file_is_examined_on_import_not_in_the_dry_run(admin, almalinux_uefi):
    result = check_image_file(admin, url=upload(admin, converted(almalinux_uefi, "qcow2"), "alma.qcow2"))
    assert result.safe and not result.contents_checked and result.detected_os == ""
