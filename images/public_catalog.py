"""Public image catalog: the standard OS images every tenant can see.

The facts come from the product document: the end-of-support plan (section 6), the
OS versions offered on x86 and Kunpeng (ARM) servers (tables 7-1 to 7-8), and the
OS versions that can boot with UEFI (table 7-11).

Conventions
-----------
* ``os_version`` is the API key ("CentOS 7.9 64bit"). ARM keys end with " with ARM",
  the suffix the platform gives Kunpeng images, so each key names one architecture.
  ``name`` is the display name without that suffix, so a name is unique only within
  one architecture.
* ``support_ends`` is the last day of support. When the plan gives a main and an
  extended date, the extended one counts. A month-only date means the last day of
  that month. ``None`` means the plan announces no date for that version.
* The document lists image features (user data injection, disk hot-plug, ...) but not
  which image has which, so every public image gets the same baseline set.
  ``uefi_boot`` comes from table 7-11, and every ARM image has it because Kunpeng
  servers boot only with UEFI.
* EulerOS public images are offline: still listed, but no new server can be created
  from them.
* The document gives no minimum disk or memory for public images; 40 GB (the
  smallest system disk) and 0 MB are used.
* ``OTHER_OS_VERSIONS`` holds the fallback versions that an import gets when its OS is
  not recognised. They are :class:`OtherOsVersion` records with platform "Other",
  not images, because no file or architecture goes with them.
"""

import calendar
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

# The API's platform values come first; the extensions cover the families that the
# document offers and the API list leaves out.
PLATFORMS = (
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
)
OS_TYPES = ("Linux", "Windows", "Other")
ARCHITECTURES = ("x86", "arm")
FIRMWARES = ("bios", "uefi")

FEATURES = {
    "user_data_injection": _("User data injection"),
    "password_injection": _("Password and key pair injection"),
    "disk_hot_plug": _("Disk hot-plug"),
    "nic_multiqueue": _("NIC multi-queue"),
    "sriov": _("SR-IOV driver"),
    "infiniband": _("InfiniBand NIC"),
    "uefi_boot": _("UEFI boot"),
    "fast_provisioning": _("Fast provisioning"),
}

# Assumed for every public image (see the module docstring). SR-IOV, InfiniBand
# and fast provisioning stay off because they depend on the flavor or on a copy
# the tenant makes.
_BASELINE_FEATURES = ("user_data_injection", "password_injection", "disk_hot_plug", "nic_multiqueue")

_ARM_SUFFIX = " with ARM"
_MIN_DISK_GB = 40


@dataclass(frozen=True)
class CatalogImage:
    name: str
    platform: str
    os_version: str
    os_type: str
    os_bit: int
    architecture: str
    min_disk: int
    min_ram: int
    firmware: str
    features: tuple[str, ...]
    support_ends: date | None
    offline: bool = False
    bare_metal: bool = False


@dataclass(frozen=True)
class OtherOsVersion:
    os_version: str
    os_type: str
    os_bit: int
    platform: str = "Other"


# --- End-of-support plan (section 6) -------------------------------------------------
# Family -> version -> end date. Versions use the same spelling as the catalog
# tables below, so a lookup needs no translation.
_SCHEDULE = {
    "Huawei Cloud EulerOS": {"2.0": "2028-06-30", "1.1": "2026-06-30"},
    "openEuler": {
        "22.03 SP2": "2024-03",
        "22.03 SP1": "2024-12",
        "22.03": "2024-03",
        "20.03 SP3": "2023-12",
        "20.03 SP2": "2022-04",
        "20.03 SP1": "2022-12",
        "20.03": "2021-03",
    },
    # The plan writes "2.0SP12"; the images are published as 2.12, so the
    # shorter form is used here.
    "EulerOS": {
        "2.12": "2028-12-31",
        "2.11": "2027-12-31",
        "2.10": "2026-12-31",
        "2.9": "2025-12-31",
        "2.8": "2024-12-31",
        "2.5": "2024-06-30",
        "2.3": "2022-12-31",
        "2.2": "2021-12-31",
        "2.1": "2019-09-30",
    },
    "CentOS": {"8": "2021-12-31", "7": "2024-06-30", "6": "2020-11-30"},
    "CentOS Stream": {"8": "2024-05-31"},
    "Debian": {
        "13": "2028-08-09",
        "12": "2026-06-10",
        "11": "2024-08-14",
        "10": "2022-09-10",
        "9": "2020-07-18",
        "8": "2018-06-17",
        "7": "2016-04-25",
    },
    "Ubuntu": {"22.04": "2027-04", "20.04": "2025-04", "18.04": "2023-06", "16.04": "2021-04", "14.04": "2019-04"},
    # Red Hat publishes only the end of full support here.
    "Red Hat": {"9": "2027-05-31", "8": "2024-05-31", "7": "2019-08-06", "6": "2016-05-10"},
    "FreeBSD": {
        "14.2": "2025-09-30",
        "14.1": "2025-03-31",
        "14.0": "2024-09-30",
        "13.2": "2024-06-30",
        "13.1": "2023-07-31",
        "13.0": "2022-08-31",
        "12.4": "2023-12-31",
        "12.3": "2022-08-21",
        "12.2": "2022-03-31",
        "12.1": "2021-01-31",
        "12.0": "2020-02-04",
        "11.4": "2021-09-30",
        "11.3": "2020-09-30",
        "11.2": "2019-10-31",
        "11.1": "2018-09-30",
        "11.0": "2017-11-30",
    },
    "openSUSE": {
        "15.3": "2022-11-30",
        "15.2": "2022-01-04",
        "15.1": "2021-02-02",
        "15.0": "2019-12-03",
        "42.3": "2019-07-01",
        "42.2": "2018-01-26",
        "42.1": "2017-05-17",
    },
    "SUSE Linux Enterprise Server": {
        "15 SP6": "2025-12-31",
        "15 SP5": "2024-12-31",
        "15 SP4": "2023-12-31",
        "15 SP3": "2022-12-31",
        "15 SP2": "2021-12-31",
        "15 SP1": "2021-01-31",
        "15": "2019-12-31",
        "12 SP5": "2024-10-31",
        "12 SP4": "2020-06-30",
        "12 SP3": "2019-06-30",
        "12 SP2": "2018-03-31",
        "12 SP1": "2017-05-31",
        "12": "2016-06-30",
    },
    "Fedora": {
        "38": "2024-05-21",
        "37": "2023-12-05",
        "36": "2023-05-16",
        "35": "2022-12-13",
        "34": "2022-06-07",
        "33": "2021-11-30",
        "32": "2021-05-25",
        "31": "2020-11-24",
        "30": "2020-05-26",
        "29": "2019-11-26",
        "28": "2019-05-28",
        "27": "2018-11-30",
    },
    "Oracle Linux": {"7": "2024-12", "6": "2021-03", "5": "2017-06"},
    # Only these two point releases have a date in the plan. It would be wrong to
    # give them to the rest of the 8.x line.
    "Rocky Linux": {"8.5": "2022-05-15"},
    "AlmaLinux": {"8.5": "2031-11"},
    # Windows Server 2008 and 2003 are marked as already ended, without a date, so
    # they have no entry here and the catalog leaves them out.
    "Windows Server": {"2019": "2029-01-09", "2016": "2027-01-12", "2012 R2": "2023-10-10", "2012": "2023-10-10"},
}


def _parse_end(text: str) -> date:
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 2:
        parts.append(calendar.monthrange(parts[0], parts[1])[1])
    return date(*parts)


SUPPORT_SCHEDULE: dict[str, dict[str, date]] = {
    family: {version: _parse_end(end) for version, end in versions.items()} for family, versions in _SCHEDULE.items()
}


def support_ends_for(family: str, version: str) -> date | None:
    """End of support of ``version``, or of the minor or major line it belongs to.

    The plan gives some families one date per major line (CentOS 7 covers 7.9) and
    others one date per point release, so the most specific match wins.
    """
    dates = SUPPORT_SCHEDULE.get(family, {})
    parts = version.split(".")
    while parts:
        key = ".".join(parts)
        if key in dates:
            return dates[key]
        parts.pop()
    return None


# --- UEFI boot (table 7-11, 64-bit versions) ------------------------------------------
UEFI_VERSIONS: dict[str, frozenset[str]] = {
    family: frozenset(versions.split("/"))
    for family, versions in {
        "Windows Server": "2025/2022/2019/2016/2012 R2/2012",
        "CentOS": "7.4/7.0/6.9/6.6",
        "AlmaLinux": "10.0/9.6/9.5/9.4/9.3/9.2/9.1/9.0/8.10",
        "Debian": "8.8.0",
        "EulerOS": "2.3/2.2",
        "Fedora": "24",
        "openSUSE": "15.7/15.6/15.5/15.4/42.1",
        "Oracle Linux": "10.0/9.6/9.5/9.4/9.3/9.2/9.1/9.0/8.10/8.9/8.8/8.7/8.6/8.5/8.4/8.3/8.2/8.1/8.0/7.4/6.9",
        "Red Hat": "10.0/9.6/9.5/9.4/9.3/9.2/9.1/9.0/8.10/8.9/8.8/8.7/8.6/8.5/8.4/8.3/8.2/8.1/8.0"
        "/7.9/7.8/7.7/7.6/7.5/7.4/7.3/7.2/7.1/7.0/6.9/6.5",
        "Rocky Linux": "9.6/9.5/9.4/9.3/9.2/9.1/9.0/8.10",
        "SUSE Linux Enterprise Server": "15 SP7/15 SP6/15 SP5/15 SP4/15 SP3/15 SP2/15 SP1/15"
        "/12 SP5/12 SP4/12 SP3/12 SP2/12 SP1/11 SP3",
        "Ubuntu": "24.04/22.04/20.04/18.04/16.04/14.04",
    }.items()
}

# --- Public images (tables 7-1 to 7-8, plus Windows Server and EulerOS) ---------------
# Each row: schedule family, platform, os_version template, x86 versions, ARM versions.
# The version lists merge every x86 table (7-1 to 7-6) and every Kunpeng table
# (7-7, 7-8 and the ki1 note). A bare "9" in one table is the same image as "9.0"
# in another.
_FAMILIES = (
    (
        "CentOS",
        "CentOS",
        "CentOS {} 64bit",
        "8.2/8.1/8.0/7.9/7.8/7.7/7.6/7.5/7.4/7.3/7.2/7.1/7.0/6.10/6.9/6.8/6.7/6.6/6.5/6.4/6.3",
        "8.0/7.6/7.5/7.4",
    ),
    ("CentOS Stream", "CentOS Stream", "CentOS Stream {} 64bit", "9/8", ""),
    (
        "Ubuntu",
        "Ubuntu",
        "Ubuntu {} server 64bit",
        "24.04/22.04/20.04/18.04/16.04/14.04/12.04",
        "24.04/22.04/20.04/18.04",
    ),
    (
        "Debian",
        "Debian",
        "Debian GNU/Linux {} 64bit",
        "12.0.0/11.7.0/11.6.0/11.1.0/10.7.0/10.5.0/10.4.0/10.3.0/10.2.0/10.1.0/10.0.0"
        "/9.13.0/9.12.0/9.11.0/9.9.0/9.8.0/9.7.0/9.6.0/9.5.0/9.4.0/9.3.0/9.0.0"
        "/8.10.0/8.9.0/8.8.0/8.7.0/8.6.0/8.5.0/8.4.0/8.3.0/8.2.0/8.1.0/8.0.0",
        "10.2.0",
    ),
    ("openSUSE", "OpenSUSE", "openSUSE {} 64bit", "15.0", ""),
    ("CoreOS", "CoreOS", "CoreOS {} 64bit", "2079.4.0", ""),
    ("openEuler", "openEuler", "openEuler {} 64bit", "24.03/22.03/20.03", "22.03/20.03"),
    ("AlmaLinux", "AlmaLinux", "AlmaLinux {} 64bit", "9.4/9.3/9.0/8.8/8.4/8.3", ""),
    ("Rocky Linux", "Rocky Linux", "Rocky Linux {} 64bit", "9.6/9.5/9.4/9.3/9.2/9.0/8.10/8.8/8.5/8.4", "9.5"),
    ("SUSE Linux Enterprise Server", "SUSE", "SUSE Linux Enterprise Server {} 64bit", "15 SP5/15 SP4", ""),
    # SLES for SAP is the same release line, so it shares the SLES dates.
    ("SUSE Linux Enterprise Server", "SUSE", "SUSE Linux Enterprise Server for SAP {} 64bit", "15 SP5/15 SP4", ""),
    # EulerOS is offline. The architectures follow the import tables 7-9 and 7-10,
    # which list 2.7 and later for ARM.
    ("EulerOS", "EulerOS", "EulerOS {} 64bit", "2.12/2.11/2.10/2.9/2.8/2.5/2.3/2.2/2.1", "2.12/2.11/2.10/2.9/2.8"),
    ("Windows Server", "Windows", "Windows Server {} Standard 64bit", "2025/2022/2019/2016/2012 R2/2012", ""),
    ("Windows Server", "Windows", "Windows Server {} Datacenter 64bit", "2025/2022/2019/2016/2012 R2/2012", ""),
)

# Editions with their own display names but a shared os_version key.
# Each row: name, os_version, platform, schedule family, version, architectures.
_EDITIONS = (
    (
        "Huawei Cloud EulerOS 2.0 Standard 64bit",
        "Huawei Cloud EulerOS 2.0 64bit",
        "Huawei Cloud EulerOS",
        "Huawei Cloud EulerOS",
        "2.0",
        "x86/arm",
    ),
    (
        "Huawei Cloud EulerOS 2.0 MLPS Level 3 64bit",
        "Huawei Cloud EulerOS 2.0 64bit",
        "Huawei Cloud EulerOS",
        "Huawei Cloud EulerOS",
        "2.0",
        "x86",
    ),
    # Offered only in one region and on a few flavors, but still a public image.
    (
        "Huawei Cloud EulerOS 1.1 CentOS-compatible 64bit",
        "Huawei Cloud EulerOS 1.1 64bit",
        "Huawei Cloud EulerOS",
        "Huawei Cloud EulerOS",
        "1.1",
        "x86",
    ),
    (
        "Kylin Linux Advanced Server for Kunpeng V10 64bit",
        "Kylin Linux Advanced Server for Kunpeng V10 64bit",
        "Kylin",
        "Kylin",
        "V10",
        "arm",
    ),
    (
        "UnionTech OS Server 20 Euler (1000) 64bit",
        "UnionTech OS Server 20 Euler (1000) 64bit",
        "UnionTech",
        "UnionTech",
        "20",
        "arm",
    ),
)

# Table 7-6 (x86 bare-metal flavors) and the note on Kunpeng bare-metal flavors.
_BARE_METAL = {
    "x86": {"CentOS 7.9 64bit", "Huawei Cloud EulerOS 2.0 Standard 64bit"},
    "arm": {"Huawei Cloud EulerOS 2.0 Standard 64bit"},
}


def _image(name, os_version, platform, family, version, architecture):
    arm = architecture == "arm"
    uefi = arm or version in UEFI_VERSIONS.get(family, frozenset())
    return CatalogImage(
        name=name,
        platform=platform,
        os_version=os_version + _ARM_SUFFIX if arm else os_version,
        os_type="Windows" if platform == "Windows" else "Linux",
        os_bit=64,
        architecture=architecture,
        min_disk=_MIN_DISK_GB,
        min_ram=0,
        firmware="uefi" if arm else "bios",
        features=_BASELINE_FEATURES + (("uefi_boot",) if uefi else ()),
        support_ends=support_ends_for(family, version),
        offline=platform == "EulerOS",
        bare_metal=name in _BARE_METAL[architecture],
    )


def _build() -> tuple[CatalogImage, ...]:
    images = []
    for family, platform, template, x86_versions, arm_versions in _FAMILIES:
        for architecture, versions in (("x86", x86_versions), ("arm", arm_versions)):
            for version in filter(None, versions.split("/")):
                label = template.format(version)
                images.append(_image(label, label, platform, family, version, architecture))
    for name, os_version, platform, family, version, architectures in _EDITIONS:
        for architecture in architectures.split("/"):
            images.append(_image(name, os_version, platform, family, version, architecture))
    return tuple(images)


PUBLIC_IMAGES: tuple[CatalogImage, ...] = _build()

OTHER_OS_VERSIONS: tuple[OtherOsVersion, ...] = tuple(
    OtherOsVersion(f"Other {os_type}({bits} bit)", os_type, bits)
    for os_type in ("Linux", "Windows")
    for bits in (32, 64)
)
