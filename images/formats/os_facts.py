"""Facts read from a few bytes of a guest's files: its release, the architecture of its binaries, the Windows
edition; and their place in the product's OS-version list. Pure functions: the reading is os_detection's."""

import os
import re
import struct
from dataclasses import dataclass

ELF_MACHINES = {0x03: "i386", 0x3E: "x86_64", 0x28: "arm", 0xB7: "aarch64"}
PE_MACHINES = {0x14C: "i386", 0x8664: "x86_64", 0x1C4: "arm", 0xAA64: "aarch64"}
ARCHITECTURES = {"x86_64": ("x86", 64), "i386": ("x86", 32), "aarch64": ("arm", 64), "arm": ("arm", 32)}

# os-release ID (or the older file's family) -> (platform, catalog family name as the OS-version list spells it)
DISTRIBUTIONS = {
    "ubuntu": "Ubuntu",
    "debian": "Debian",
    "centos": "CentOS",
    "almalinux": "AlmaLinux",
    "rocky": "Rocky Linux",
    "rhel": "RedHat",
    "fedora": "Fedora",
    "ol": "Oracle Linux",
    "opensuse": "OpenSUSE",
    "opensuse-leap": "OpenSUSE",
    "sles": "SUSE",
    "sles_sap": "SUSE",
    "openeuler": "openEuler",
    "euleros": "EulerOS",
    "hce": "Huawei Cloud EulerOS",
    "kylin": "Kylin",
    "uos": "UnionTech",
    "coreos": "CoreOS",
}
OLD_RELEASE_FILES = (
    ("/etc/almalinux-release", "almalinux"),
    ("/etc/rocky-release", "rocky"),
    ("/etc/centos-release", "centos"),
    ("/etc/redhat-release", "rhel"),
    ("/etc/SuSE-release", "sles"),
    ("/etc/debian_version", "debian"),
)
# A release file of one family may name another (CentOS 6 writes /etc/redhat-release).
NAMED_IN_TEXT = (("opensuse", "opensuse"), ("centos", "centos"), ("almalinux", "almalinux"), ("rocky", "rocky"))
# Windows Server by CurrentBuild: the ProductName of 2025 still says 2022 on some builds, the build does not lie.
WINDOWS_SERVER_BUILDS = (
    (26100, "2025"),
    (20348, "2022"),
    (17763, "2019"),
    (14393, "2016"),
    (9600, "2012 R2"),
    (9200, "2012"),
)


def _os_release(text: str) -> dict:
    fields = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip().isidentifier():
            fields[key.strip()] = value.strip().strip("\"'")
    return fields


def release_of_files(texts: dict[str, str]) -> tuple[str, str, str] | None:
    """(distribution id, version, pretty name) from the release files found, os-release first; None if none."""
    for name in ("/etc/os-release", "/usr/lib/os-release"):
        fields = _os_release(texts.get(name, ""))
        if fields.get("ID"):
            return fields["ID"].lower(), fields.get("VERSION_ID", ""), fields.get("PRETTY_NAME", fields["ID"])
    lsb = _os_release(texts.get("/etc/lsb-release", ""))
    if lsb.get("DISTRIB_ID"):
        return lsb["DISTRIB_ID"].lower(), lsb.get("DISTRIB_RELEASE", ""), lsb.get("DISTRIB_DESCRIPTION", "")
    for name, distribution in OLD_RELEASE_FILES:
        text = texts.get(name, "").strip()
        if text:
            lowered = text.lower()
            distribution = next((key for word, key in NAMED_IN_TEXT if word in lowered), distribution)
            version = re.search(r"\d+(\.\d+)*", text)
            suse = re.search(r"VERSION\s*=\s*(\d+)(?:.*PATCHLEVEL\s*=\s*(\d+))?", text, re.S)
            if suse and distribution == "sles":
                return distribution, suse.group(1) + (f" SP{suse.group(2)}" if suse.group(2) else ""), text[:80]
            return distribution, version.group(0) if version else "", text.splitlines()[0][:80]
    return None


def architecture_of_elf(head: bytes) -> str:
    if len(head) < 20 or head[:4] != b"\x7fELF":
        return ""
    order = "<" if head[5] == 1 else ">"
    return ELF_MACHINES.get(struct.unpack(order + "H", head[18:20])[0], "")


def architecture_of_kernel(head: bytes) -> str:
    """The architecture a Linux kernel file was built for: an ELF `vmlinux`, an x86 bzImage (the "HdrS" setup header;
    64-bit when its xloadflags say the kernel has a 64-bit entry), an arm64 `Image` or a 32-bit ARM zImage (their
    header magics); "" for anything else."""
    if head[:4] == b"\x7fELF":
        return architecture_of_elf(head)
    if len(head) >= 0x238 and head[0x202:0x206] == b"HdrS":
        xloadflags = struct.unpack_from("<H", head, 0x236)[0]
        return "x86_64" if xloadflags & 1 else "i386"
    if len(head) >= 0x3C and head[0x38:0x3C] == b"ARM\x64":
        return "aarch64"
    if len(head) >= 0x28 and struct.unpack_from("<I", head, 0x24)[0] == 0x016F2818:
        return "arm"
    return ""


def architecture_of_pe(head: bytes) -> str:
    if len(head) < 64 or head[:2] != b"MZ":
        return ""
    offset = struct.unpack("<I", head[60:64])[0]
    if offset + 6 > len(head) or head[offset : offset + 4] != b"PE\0\0":
        return ""
    return PE_MACHINES.get(struct.unpack("<H", head[offset + 4 : offset + 6])[0], "")


def windows_release(hive: bytes) -> tuple[str, str]:
    """(ProductName, CurrentBuild) of a SOFTWARE hive; ("", "") when the hive has neither."""
    from regipy.registry import RegistryHive

    descriptor = os.memfd_create("software-hive")
    try:
        os.write(descriptor, hive)
        registry = RegistryHive(f"/proc/self/fd/{descriptor}")
        key = registry.get_key("\\Microsoft\\Windows NT\\CurrentVersion")
        values = {value.name: value.value for value in key.iter_values()}
    except Exception:
        return "", ""
    finally:
        os.close(descriptor)
    return str(values.get("ProductName", "")), str(values.get("CurrentBuild", values.get("CurrentBuildNumber", "")))


@dataclass(frozen=True)
class DetectedOs:
    """The findings placed in the product's OS-version list."""

    os_version: str
    platform: str
    os_type: str
    os_bit: int
    architecture: str  # the product's "x86" or "arm"
    firmware: str  # "bios" or "uefi"
    listed: bool  # False: the version is not in the list, so os_version is "Other ..."


def place_in_catalog(findings) -> DetectedOs | None:
    """Where `findings` (an os_detection.Findings with an OS) sits in the OS-version list."""
    from images.public_catalog import PUBLIC_IMAGES

    if not findings.found:
        return None
    architecture, bits = ARCHITECTURES.get(findings.architecture, ("x86", 64))
    firmware = "uefi" if architecture == "arm" else findings.boot_mode or "bios"  # Kunpeng boots only UEFI
    if findings.os_type == "Windows":
        platform, wanted = "Windows", _windows_version(findings)
    else:
        platform, wanted = DISTRIBUTIONS.get(findings.distribution, "Other"), findings.version
    candidates = [entry for entry in PUBLIC_IMAGES if entry.platform == platform and entry.architecture == architecture]
    entry = _closest(candidates, wanted, findings.product_name)
    if entry is None:
        return DetectedOs(
            f"Other {findings.os_type}({bits} bit)", platform, findings.os_type, bits, architecture, firmware, False
        )
    return DetectedOs(entry.os_version, platform, findings.os_type, bits, architecture, firmware, True)


def _windows_version(findings) -> str:
    build = int(findings.version) if findings.version.isdigit() else 0
    year = next((name for number, name in WINDOWS_SERVER_BUILDS if build >= number), "")
    if "Server" not in findings.product_name:
        return ""
    edition = "Datacenter" if "Datacenter" in findings.product_name else "Standard"
    return f"Windows Server {year} {edition}" if year else ""


def _closest(candidates, wanted: str, product_name: str):
    """The entry of the same version: exact, else the same major release with the nearest version at or below."""
    if not wanted:
        return None
    if candidates and candidates[0].platform == "Windows":
        return next((entry for entry in candidates if entry.name.startswith(wanted + " ")), None)
    numbers = _numbers(wanted)
    same_major = []
    for entry in candidates:
        listed = _numbers(_version_in(entry.name))
        if listed and numbers and listed[0] == numbers[0]:
            same_major.append((listed, entry))
    exact = [entry for listed, entry in same_major if _padded(listed) == _padded(numbers)]
    if exact:
        return exact[0]
    below = sorted((pair for pair in same_major if _padded(pair[0]) <= _padded(numbers)), key=lambda p: p[0])
    return below[-1][1] if below else (same_major[0][1] if same_major else None)


def _version_in(name: str) -> str:
    match = re.search(r"\d+(\.\d+)*( SP\d+)?", name.replace("GNU/Linux", ""))
    return match.group(0) if match else ""


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text))


def _padded(numbers: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(numbers) + (0,) * (4 - len(numbers))
