"""The create wizard pre-fills what the dry run found inside the chosen file (issue 16), never overrides a choice
the person made themselves (nor blanks one through the architecture's OS filter, nor forgets one on a refused
submission), and takes back what it filled in when a later dry run finds nothing."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.console import sign_in
from tests.images.formats.guest_disks import ESP_TYPE, LINUX_TYPE, MiB, filesystem, linux_tree, partitioned
from tests.images.imports.helpers import pattern_disk, upload

pytestmark = pytest.mark.browser


@pytest.fixture
def alma_file(tenant_a, tmp_path):
    """An AlmaLinux UEFI disk (ESP + ext4 root in GPT) in the admin's bucket; returns its `bucket:key`."""
    (tmp_path / "esp/EFI/BOOT").mkdir(parents=True)
    (tmp_path / "esp/EFI/BOOT/BOOTX64.EFI").write_bytes(b"MZ")
    esp = filesystem("vfat", tmp_path / "esp", tmp_path / "esp.img", size=8 * MiB)
    root = filesystem("ext4", linux_tree(tmp_path / "tree", "almalinux"), tmp_path / "root.img")
    disk = partitioned(tmp_path / "disk.raw", "gpt", [(esp, ESP_TYPE), (root, LINUX_TYPE)])
    return upload(factories.actor(tenant_a.admin), disk, "alma.raw")


@pytest.fixture
def arm_file(tenant_a, tmp_path):
    """An Ubuntu 22.04 ARM UEFI disk: every finding differs from the wizard's defaults (x86, BIOS)."""
    folder = tmp_path / "arm"
    (folder / "esp/EFI/BOOT").mkdir(parents=True)
    (folder / "esp/EFI/BOOT/BOOTAA64.EFI").write_bytes(b"MZ")
    esp = filesystem("vfat", folder / "esp", folder / "esp.img", size=8 * MiB)
    root = filesystem("ext4", linux_tree(folder / "tree", "ubuntu", machine="aarch64"), folder / "root.img")
    disk = partitioned(folder / "disk.raw", "gpt", [(esp, ESP_TYPE), (root, LINUX_TYPE)])
    return upload(factories.actor(tenant_a.admin), disk, "ubuntu-arm.raw")


@pytest.fixture
def blank_file(tenant_a, tmp_path):
    """A raw disk without a file system: examined, and nothing found in it."""
    disk = pattern_disk(tmp_path / "blank.raw", guest=False)
    return upload(factories.actor(tenant_a.admin), disk, "blank.raw")


def open_wizard(page, tenant):
    sign_in(page, tenant.admin.username)
    page.goto("/console/images/create")
    page.wait_for_load_state("load")


def test_the_wizard_takes_the_detected_os_architecture_and_boot_mode(page, tenant_a, alma_file):
    open_wizard(page, tenant_a)
    expect(page.locator("select[name=hw_firmware_type]")).to_have_value("bios")

    page.get_by_test_id("image-url").select_option(alma_file)

    expect(page.get_by_test_id("dry-run-os")).to_contain_text("AlmaLinux 9.4")
    expect(page.get_by_test_id("os-version")).to_have_value("AlmaLinux 9.4 64bit")
    expect(page.locator("select[name=architecture]")).to_have_value("x86")
    expect(page.locator("select[name=hw_firmware_type]")).to_have_value("uefi")


def test_a_boot_mode_the_person_chose_is_kept(page, tenant_a, alma_file):
    open_wizard(page, tenant_a)
    page.locator("select[name=hw_firmware_type]").select_option("bios")

    page.get_by_test_id("image-url").select_option(alma_file)

    expect(page.get_by_test_id("os-version")).to_have_value("AlmaLinux 9.4 64bit")
    expect(page.locator("select[name=hw_firmware_type]")).to_have_value("bios")


def test_choices_survive_a_refused_submission(page, tenant_a, alma_file):
    open_wizard(page, tenant_a)
    page.get_by_test_id("image-url").select_option(alma_file)
    expect(page.get_by_test_id("os-version")).to_have_value("AlmaLinux 9.4 64bit")
    page.get_by_test_id("os-version").select_option("AlmaLinux 9.3 64bit")
    page.locator("select[name=hw_firmware_type]").select_option("bios")
    page.locator("input[name=name]").fill("alma")
    page.locator("input[name=min_disk]").fill("1")  # under a system disk's 40 GB: refused by the server

    page.get_by_test_id("create-submit").click()

    expect(page.get_by_test_id("form-errors")).to_be_visible()
    # The page drawn again runs the dry run on load; its findings must not replace what the person chose.
    expect(page.get_by_test_id("dry-run-os")).to_contain_text("AlmaLinux 9.4")
    expect(page.get_by_test_id("os-version")).to_have_value("AlmaLinux 9.3 64bit")
    expect(page.locator("select[name=hw_firmware_type]")).to_have_value("bios")


def test_a_detected_architecture_never_blanks_the_os_version_the_person_chose(page, tenant_a, arm_file):
    open_wizard(page, tenant_a)
    page.get_by_test_id("os-version").select_option("Ubuntu 22.04 server 64bit")

    page.get_by_test_id("image-url").select_option(arm_file)

    expect(page.get_by_test_id("dry-run-architecture")).to_have_text("arm")
    expect(page.get_by_test_id("os-version")).to_have_value("Ubuntu 22.04 server 64bit")
    expect(page.locator("select[name=architecture]")).to_have_value("x86")
    # A finding that leaves the person's choice alone is still taken.
    expect(page.locator("select[name=hw_firmware_type]")).to_have_value("uefi")


def test_what_a_dry_run_filled_in_is_taken_back_when_the_next_finds_nothing(page, tenant_a, arm_file, blank_file):
    open_wizard(page, tenant_a)
    page.get_by_test_id("image-url").select_option(arm_file)
    expect(page.get_by_test_id("os-version")).to_have_value("Ubuntu 22.04 server 64bit with ARM")
    expect(page.locator("select[name=architecture]")).to_have_value("arm")
    expect(page.locator("select[name=hw_firmware_type]")).to_have_value("uefi")

    page.get_by_test_id("image-url").select_option(blank_file)

    expect(page.get_by_test_id("dry-run-os")).to_have_text("No operating system found")
    expect(page.get_by_test_id("os-version")).to_have_value("")
    expect(page.locator("select[name=architecture]")).to_have_value("x86")
    expect(page.locator("select[name=hw_firmware_type]")).to_have_value("bios")


def test_taking_back_the_architecture_never_blanks_an_os_version_chosen_since(page, tenant_a, arm_file, blank_file):
    open_wizard(page, tenant_a)
    page.get_by_test_id("image-url").select_option(arm_file)
    expect(page.locator("select[name=architecture]")).to_have_value("arm")
    page.get_by_test_id("os-version").select_option("openEuler 22.03 64bit with ARM")

    page.get_by_test_id("image-url").select_option(blank_file)

    expect(page.get_by_test_id("dry-run-os")).to_have_text("No operating system found")
    expect(page.get_by_test_id("os-version")).to_have_value("openEuler 22.03 64bit with ARM")
    expect(page.locator("select[name=architecture]")).to_have_value("arm")
    expect(page.locator("select[name=hw_firmware_type]")).to_have_value("bios")
