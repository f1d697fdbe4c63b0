"""What the import does with what is inside the disk (issue 16): the detected OS fills an image whose OS was not
given, contradicts one that was, or — for a system disk with no partition table and no file system — refuses the
file. A data disk may hold anything; an ISO must hold an ISO 9660 or UDF volume, whose label is recorded."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from images.choices import VirtualEnvType
from images.formats.errors import NO_ISO_VOLUME, NO_OPERATING_SYSTEM, OS_CONTRADICTS, FormatError
from images.formats.os_detection import Disk, detect_os, iso_volume
from images.formats.os_facts import place_in_catalog
from images.models import Job

# Imports whose image is declared a system disk by the API call; a Glance upload is untyped, so it is never refused.
SYSTEM_DISK_JOBS = ("createImageByFile", "importImageQuick")


@dataclass
class Contents:
    """Image fields the detection sets, and what the job records about the disk's contents."""

    image_fields: dict = field(default_factory=dict)
    entities: dict = field(default_factory=dict)


def examine(job: Job, disk: Disk) -> Contents:
    image = job.image
    if image.virtual_env_type == VirtualEnvType.ISO_IMAGE:
        return _iso(disk)
    if image.virtual_env_type == VirtualEnvType.DATA_IMAGE:
        return Contents()
    findings = detect_os(disk)
    found = {
        "partition_table": findings.partition_table,
        "filesystems": findings.filesystems,
        "os": findings.product_name,
        "architecture": findings.architecture,
        "boot_mode": findings.boot_mode,
    }
    detected = place_in_catalog(findings)
    if detected is None:
        return _nothing_found(job, findings, found)
    if image.platform != "Other" or (image.os_type == "Windows" and detected.os_type != "Windows"):
        _agree(image, detected, findings)
        return Contents(entities={"os_detection": found})
    note = (
        ""
        if detected.listed
        else _("%(os)s is not in the OS version list; the image is %(version)s.")
        % {
            "os": findings.product_name or findings.distribution,
            "version": detected.os_version,
        }
    )
    fields = {
        "os_version": detected.os_version,
        "platform": detected.platform,
        "os_type": detected.os_type,
        "os_bit": detected.os_bit,
        "architecture": detected.architecture,
        "hw_firmware_type": detected.firmware,
    }
    return Contents(image_fields=fields, entities={"os_detection": {**found, "note": note} if note else found})


def _nothing_found(job: Job, findings, found: dict) -> Contents:
    if job.job_type in SYSTEM_DISK_JOBS and not findings.partition_table and not findings.filesystems:
        raise FormatError(
            NO_OPERATING_SYSTEM,
            _(
                "No operating system found in the image file: it has no partition table and no file system. "
                "Import it as a data disk image if it holds data."
            ),
        )
    note = _("No operating system was recognised on the disk; the image keeps %(version)s.") % {
        "version": job.image.os_version or _("its OS version")
    }
    return Contents(entities={"os_detection": {**found, "note": note}})


def _agree(image, detected, findings) -> None:
    """The OS the user gave must be the platform and architecture found (the versions may differ in detail); an
    unlisted distribution or an unread architecture contradicts nothing."""
    same_platform = "Other" in (image.platform, detected.platform) or image.platform == detected.platform
    same_architecture = not findings.architecture or image.architecture == detected.architecture
    if same_platform and image.os_type == detected.os_type and same_architecture:
        return
    raise FormatError(
        OS_CONTRADICTS,
        _(
            "The image was described as %(given)s (%(given_arch)s), but the disk holds %(found)s (%(found_arch)s). "
            "Give the OS version of the disk, or leave it out to use the one found."
        )
        % {
            "given": image.os_version,
            "given_arch": image.architecture,
            "found": findings.product_name or detected.os_version,
            "found_arch": detected.architecture,
        },
    )


def _iso(disk: Disk) -> Contents:
    kind, label = iso_volume(disk)
    if not kind:
        raise FormatError(NO_ISO_VOLUME, _("The ISO file holds no ISO 9660 or UDF volume."))
    return Contents(entities={"iso_volume": kind, "iso_label": label})
