"""Value sets of the image object. Each value IS the API's value (ims-api.md §5.4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SAVING = "saving", _("Creating")
    # Glance's interoperable import: the file waits in staging (uploading) until the import makes the image.
    UPLOADING = "uploading", _("Staged")
    IMPORTING = "importing", _("Importing")
    ACTIVE = "active", _("Normal")
    KILLED = "killed", _("Error")
    DELETED = "deleted", _("Deleted")
    # Glance's lifecycle: kept, listed, but neither downloaded nor used for new servers until reactivated.
    DEACTIVATED = "deactivated", _("Deactivated")


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Private")
    PUBLIC = "public", _("Public")
    SHARED = "shared", _("Shared")
    # Glance's: listed to every project only on request (`visibility=community`), usable by any.
    COMMUNITY = "community", _("Community")


class ImageType(models.TextChoices):
    GOLD = "gold", _("Public image")
    PRIVATE = "private", _("Private image")
    SHARED = "shared", _("Shared image")
    MARKET = "market", _("Market image")


class OsType(models.TextChoices):
    LINUX = "Linux", "Linux"
    WINDOWS = "Windows", "Windows"
    OTHER = "Other", _("Other")


class Platform(models.TextChoices):
    WINDOWS = "Windows", "Windows"
    UBUNTU = "Ubuntu", "Ubuntu"
    REDHAT = "RedHat", "Red Hat"
    SUSE = "SUSE", "SUSE"
    CENTOS = "CentOS", "CentOS"
    DEBIAN = "Debian", "Debian"
    OPENSUSE = "OpenSUSE", "openSUSE"
    ORACLE_LINUX = "Oracle Linux", "Oracle Linux"
    FEDORA = "Fedora", "Fedora"
    OTHER = "Other", _("Other")
    COREOS = "CoreOS", "CoreOS"
    EULEROS = "EulerOS", "EulerOS"
    # Platforms of the catalog beyond the SDK's documented list.
    HCE = "Huawei Cloud EulerOS", "Huawei Cloud EulerOS"
    OPENEULER = "openEuler", "openEuler"
    CENTOS_STREAM = "CentOS Stream", "CentOS Stream"
    ALMALINUX = "AlmaLinux", "AlmaLinux"
    ROCKY = "Rocky Linux", "Rocky Linux"
    KYLIN = "Kylin", _("Kylin")
    UNIONTECH = "UnionTech", _("UnionTech OS")
    FREEBSD = "FreeBSD", "FreeBSD"


class DiskFormat(models.TextChoices):
    VHD = "vhd", "VHD"
    ZVHD = "zvhd", "ZVHD"
    ZVHD2 = "zvhd2", "ZVHD2"
    RAW = "raw", "RAW"
    QCOW2 = "qcow2", "QCOW2"
    VMDK = "vmdk", "VMDK"
    ISO = "iso", "ISO"


class Architecture(models.TextChoices):
    X86 = "x86", "x86"
    ARM = "arm", _("Kunpeng (ARM)")


class FirmwareType(models.TextChoices):
    BIOS = "bios", "BIOS"
    UEFI = "uefi", "UEFI"


class VirtualEnvType(models.TextChoices):
    FUSION_COMPUTE = "FusionCompute", _("ECS system disk image")
    IRONIC = "Ironic", _("BMS system disk image")
    DATA_IMAGE = "DataImage", _("Data disk image")
    ISO_IMAGE = "IsoImage", _("ISO image")


class MemberStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class SupportStatus(models.TextChoices):
    SUPPORTED = "supported", _("Supported")
    ENDING = "ending", _("Support ends soon")
    ENDED = "ended", _("Support ended")


class SortKey(models.TextChoices):
    NAME = "name"
    CONTAINER_FORMAT = "container_format"
    DISK_FORMAT = "disk_format"
    STATUS = "status"
    ID = "id"
    SIZE = "size"
    CREATED_AT = "created_at"


# The `__support_*` flags of the API, stored as booleans and sent as the string "true".
SUPPORT_FLAGS = (
    "diskintensive",
    "highperformance",
    "kvm",
    "largememory",
    "xen",
    "xen_hana",
    "kvm_infiniband",
    "arm",
    "amd",
    "fc_inject",
)
# Flags whose value is a GPU type string rather than "true".
SUPPORT_GPU_FLAGS = ("kvm_gpu_type", "xen_gpu_type")
