"""The public image catalog against the facts of the product document.

Pure data: no database and no Django settings. Feature labels are lazy
translations, so only the codes are compared, never the labels.
"""

from collections import Counter
from datetime import date

import pytest

from images import public_catalog as catalog
from images.public_catalog import OTHER_OS_VERSIONS, PUBLIC_IMAGES, CatalogImage, support_ends_for


def find_image(name: str, architecture: str = "x86") -> CatalogImage | None:
    return next((i for i in PUBLIC_IMAGES if i.name == name and i.architecture == architecture), None)


# Written out again on purpose: the module's own constants must not be able to
# widen what the tests accept.
ALLOWED_PLATFORMS = {
    "Windows",
    "Ubuntu",
    "RedHat",
    "SUSE",
    "CentOS",
    "Debian",
    "OpenSUSE",
    "Oracle Linux",
    "Fedora",
    "Other",
    "CoreOS",
    "EulerOS",
    "openEuler",
    "Huawei Cloud EulerOS",
    "AlmaLinux",
    "Rocky Linux",
    "CentOS Stream",
    "Kylin",
    "UnionTech",
    "FreeBSD",
}


def by_os_version(os_version):
    matches = [image for image in PUBLIC_IMAGES if image.os_version == os_version]
    assert matches, f"no public image with os_version {os_version!r}"
    return matches


def test_both_architectures_are_populated():
    counts = Counter(image.architecture for image in PUBLIC_IMAGES)
    assert counts["x86"] > counts["arm"] > 0


@pytest.mark.parametrize("architecture", ["x86", "arm"])
def test_names_are_unique_per_architecture(architecture):
    names = [image.name for image in PUBLIC_IMAGES if image.architecture == architecture]
    duplicates = [name for name, count in Counter(names).items() if count > 1]
    assert duplicates == []


def test_field_values_stay_within_the_api_value_sets():
    for image in PUBLIC_IMAGES:
        assert image.platform in ALLOWED_PLATFORMS, image
        assert image.os_type in {"Linux", "Windows", "Other"}, image
        assert image.architecture in {"x86", "arm"}, image
        assert image.firmware in {"bios", "uefi"}, image
        assert image.os_bit in {32, 64}, image
        assert 40 <= image.min_disk <= 1024, image
        assert image.min_ram >= 0, image
        assert image.support_ends is None or isinstance(image.support_ends, date), image


def test_module_value_sets_match_the_api():
    assert set(catalog.PLATFORMS) == ALLOWED_PLATFORMS
    assert set(catalog.OS_TYPES) == {"Linux", "Windows", "Other"}
    assert set(catalog.ARCHITECTURES) == {"x86", "arm"}
    assert set(catalog.FIRMWARES) == {"bios", "uefi"}


def test_os_type_follows_platform():
    for image in PUBLIC_IMAGES:
        expected = "Windows" if image.platform == "Windows" else "Linux"
        assert image.os_type == expected, image


def test_arm_images_boot_with_uefi_and_carry_the_arm_suffix():
    for image in PUBLIC_IMAGES:
        if image.architecture == "arm":
            assert image.firmware == "uefi", image
            assert "uefi_boot" in image.features, image
            assert image.os_version.endswith(" with ARM"), image
        else:
            assert not image.os_version.endswith(" with ARM"), image


def test_no_windows_image_for_arm():
    assert not [i for i in PUBLIC_IMAGES if i.architecture == "arm" and i.platform == "Windows"]


def test_only_euleros_images_are_offline():
    for image in PUBLIC_IMAGES:
        assert image.offline == (image.platform == "EulerOS"), image
    assert any(image.platform == "EulerOS" for image in PUBLIC_IMAGES)


def test_every_feature_code_is_known():
    used = {code for image in PUBLIC_IMAGES for code in image.features}
    assert used <= set(catalog.FEATURES)
    assert {"user_data_injection", "disk_hot_plug", "nic_multiqueue", "uefi_boot"} <= used
    for image in PUBLIC_IMAGES:
        assert len(image.features) == len(set(image.features)), image


def test_centos_7_uses_the_extended_support_end():
    image = find_image("CentOS 7.9 64bit", "x86")
    assert image is not None
    assert image.os_version == "CentOS 7.9 64bit"
    assert image.support_ends == date(2024, 6, 30)
    centos7 = [i for i in PUBLIC_IMAGES if i.platform == "CentOS" and i.os_version.startswith("CentOS 7.")]
    assert len(centos7) >= 10
    assert {i.support_ends for i in centos7} == {date(2024, 6, 30)}


def test_month_only_dates_end_on_the_last_day_of_the_month():
    for image in by_os_version("Ubuntu 22.04 server 64bit"):
        assert image.support_ends == date(2027, 4, 30)
    for image in by_os_version("Ubuntu 20.04 server 64bit"):
        assert image.support_ends == date(2025, 4, 30)
    assert by_os_version("Ubuntu 22.04 server 64bit with ARM")[0].support_ends == date(2027, 4, 30)


def test_huawei_cloud_euleros():
    hce2 = by_os_version("Huawei Cloud EulerOS 2.0 64bit")
    assert {image.support_ends for image in hce2} == {date(2028, 6, 30)}
    assert by_os_version("Huawei Cloud EulerOS 1.1 64bit")[0].support_ends == date(2026, 6, 30)
    assert by_os_version("Huawei Cloud EulerOS 2.0 64bit with ARM")[0].support_ends == date(2028, 6, 30)


def test_debian_12():
    (image,) = by_os_version("Debian GNU/Linux 12.0.0 64bit")
    assert image.support_ends == date(2026, 6, 10)
    assert image.platform == "Debian"


def test_kunpeng_only_distributions():
    arm_platforms = {image.platform for image in PUBLIC_IMAGES if image.architecture == "arm"}
    assert {"Kylin", "UnionTech", "Huawei Cloud EulerOS", "openEuler"} <= arm_platforms
    x86_platforms = {image.platform for image in PUBLIC_IMAGES if image.architecture == "x86"}
    assert "Kylin" not in x86_platforms and "UnionTech" not in x86_platforms


def test_windows_server_uses_the_extended_support_end():
    image = find_image("Windows Server 2019 Datacenter 64bit")
    assert image is not None
    assert image.os_type == "Windows"
    assert image.support_ends == date(2029, 1, 9)
    assert find_image("Windows Server 2012 R2 Standard 64bit").support_ends == date(2023, 10, 10)
    assert find_image("Windows Server 2022 Datacenter 64bit").support_ends is None


def test_point_release_dates_do_not_spread_to_the_whole_line():
    assert find_image("Rocky Linux 8.5 64bit").support_ends == date(2022, 5, 15)
    assert find_image("Rocky Linux 8.4 64bit").support_ends is None
    assert find_image("AlmaLinux 8.4 64bit").support_ends is None


def test_versions_without_a_plan_have_no_end_date():
    assert find_image("Ubuntu 24.04 server 64bit").support_ends is None
    assert find_image("CentOS Stream 9 64bit").support_ends is None
    assert find_image("CentOS Stream 8 64bit").support_ends == date(2024, 5, 31)


def test_euleros_service_packs_map_to_their_dates():
    assert find_image("EulerOS 2.5 64bit").support_ends == date(2024, 6, 30)
    assert find_image("EulerOS 2.12 64bit", "arm").support_ends == date(2028, 12, 31)


def test_uefi_feature_follows_the_uefi_table_on_x86():
    assert "uefi_boot" in find_image("CentOS 7.4 64bit").features
    assert "uefi_boot" not in find_image("CentOS 7.9 64bit").features
    assert "uefi_boot" in find_image("Ubuntu 22.04 server 64bit").features
    assert "uefi_boot" not in find_image("Ubuntu 12.04 server 64bit").features
    assert all(image.firmware == "bios" for image in PUBLIC_IMAGES if image.architecture == "x86")


def test_bare_metal_images():
    bare = {(image.name, image.architecture) for image in PUBLIC_IMAGES if image.bare_metal}
    assert bare == {
        ("CentOS 7.9 64bit", "x86"),
        ("Huawei Cloud EulerOS 2.0 Standard 64bit", "x86"),
        ("Huawei Cloud EulerOS 2.0 Standard 64bit", "arm"),
    }


def test_support_lookup_falls_back_to_the_major_line_only():
    assert support_ends_for("CentOS", "6.10") == date(2020, 11, 30)
    assert support_ends_for("Debian", "11.7.0") == date(2024, 8, 14)
    assert support_ends_for("Oracle Linux", "7") == date(2024, 12, 31)
    assert support_ends_for("SUSE Linux Enterprise Server", "15 SP5") == date(2024, 12, 31)
    assert support_ends_for("openEuler", "22.03 SP1") == date(2024, 12, 31)
    assert support_ends_for("FreeBSD", "14.3") is None
    assert support_ends_for("Unknown", "1.0") is None


def test_other_os_versions():
    assert {(v.os_version, v.os_type, v.os_bit) for v in OTHER_OS_VERSIONS} == {
        ("Other Linux(32 bit)", "Linux", 32),
        ("Other Linux(64 bit)", "Linux", 64),
        ("Other Windows(32 bit)", "Windows", 32),
        ("Other Windows(64 bit)", "Windows", 64),
    }
    assert {v.platform for v in OTHER_OS_VERSIONS} == {"Other"}
