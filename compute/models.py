"""Servers, disks and backups of the local compute stand-in. Disks are real: each is a chunk-store manifest.

No guest runs: a server is its disks and its record. What a guest would write reaches a disk through
`write_volume` (an object of the tenant's bucket written onto it).
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iam.models import Project, Region
from images.choices import Architecture, FirmwareType

GiB = 1024**3


class ServerStatus(models.TextChoices):
    BUILD = "BUILD", _("Creating")
    ACTIVE = "ACTIVE", _("Running")
    SHUTOFF = "SHUTOFF", _("Stopped")
    ERROR = "ERROR", _("Error")
    DELETED = "DELETED", _("Deleted")


class DiskStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    IN_USE = "in-use", _("In use")
    DELETED = "deleted", _("Deleted")


class ProjectScoped(models.QuerySet):
    def visible_to(self, actor):
        return self.filter(project=actor.project)


class LiveScoped(ProjectScoped):
    def visible_to(self, actor):
        return super().visible_to(actor).exclude(status__in=[ServerStatus.DELETED, DiskStatus.DELETED])


class Server(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=128)
    description = models.CharField(_("description"), max_length=255, blank=True)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="servers")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    flavor_id = models.CharField(_("flavor"), max_length=32)
    vcpus = models.PositiveSmallIntegerField(default=1)
    ram = models.PositiveIntegerField(default=1024, help_text=_("MB"))
    availability_zone = models.CharField(_("AZ"), max_length=32)
    architecture = models.CharField(max_length=4, choices=Architecture.choices, default=Architecture.X86)
    boot_mode = models.CharField(max_length=4, choices=FirmwareType.choices, default=FirmwareType.BIOS)
    status = models.CharField(_("status"), max_length=8, choices=ServerStatus.choices, default=ServerStatus.BUILD)
    frozen = models.BooleanField(_("frozen"), default=False, help_text=_("In arrears: it cannot be imaged."))
    # The image it was created from: kept by id too, so "created from" survives the image's deletion.
    image = models.ForeignKey("images.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="servers")
    image_ref = models.CharField(max_length=36, blank=True)
    # An ISO install server boots its ISO from a blank system disk until an image is made of it.
    iso_image = models.ForeignKey(
        "images.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="install_servers"
    )
    os_type = models.CharField(max_length=8, default="Linux")
    os_version = models.CharField(max_length=128, blank=True)
    platform = models.CharField(max_length=32, default="Other")
    os_bit = models.PositiveSmallIntegerField(default=64)
    vpc_id = models.CharField(max_length=36, blank=True)
    subnet_id = models.CharField(max_length=36, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LiveScoped.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("server")
        verbose_name_plural = _("servers")

    def __str__(self):
        return self.name

    def urn(self) -> str:
        return f"ecs:{self.region_id}:{self.project_id}:server:{self.id}"

    @property
    def system_disk(self):
        return next((disk for disk in self.disks.all() if disk.boot_index == 0), None)

    @property
    def data_disks(self) -> list:
        return [disk for disk in self.disks.all() if disk.boot_index != 0]


class Disk(models.Model):
    """An EVS disk. Its content is `manifest` (virtual size ≤ capacity; the rest reads as zeros)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=128)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="disks")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    availability_zone = models.CharField(_("AZ"), max_length=32)
    size = models.PositiveIntegerField(_("capacity (GB)"))
    status = models.CharField(_("status"), max_length=10, choices=DiskStatus.choices, default=DiskStatus.AVAILABLE)
    manifest = models.ForeignKey("blobs.Manifest", on_delete=models.PROTECT, related_name="disks")
    server = models.ForeignKey(Server, null=True, blank=True, on_delete=models.SET_NULL, related_name="disks")
    boot_index = models.SmallIntegerField(null=True, blank=True, help_text=_("0: the system disk."))
    device = models.CharField(max_length=16, blank=True)
    bootable = models.BooleanField(default=False)
    image = models.ForeignKey("images.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="disks")
    image_ref = models.CharField(max_length=36, blank=True)
    # A disk made from an encrypted image keeps the image's key id and wrapped data key: its chunks are the
    # image's, sealed with that data key, and an image of the disk keeps both.
    cmk_id = models.CharField(max_length=64, blank=True)
    wrapped_data_key = models.TextField(blank=True)
    delete_on_termination = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LiveScoped.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("disk")
        verbose_name_plural = _("disks")

    def __str__(self):
        return self.name

    def urn(self) -> str:
        return f"evs:{self.region_id}:{self.project_id}:volume:{self.id}"

    @property
    def is_system(self) -> bool:
        return self.boot_index == 0

    @property
    def encrypted(self) -> bool:
        return bool(self.cmk_id)


class Vault(models.Model):
    """A CBR server-backup vault: one per project, made on first use."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=64)
    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="vault")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProjectScoped.as_manager()

    def __str__(self):
        return self.name


class Backup(models.Model):
    """A consistent snapshot of all of a server's disks at one moment (one manifest copy per disk)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=64)
    description = models.CharField(_("description"), max_length=255, blank=True)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="backups")
    vault = models.ForeignKey(Vault, on_delete=models.PROTECT, related_name="backups")
    server = models.ForeignKey(Server, null=True, blank=True, on_delete=models.SET_NULL, related_name="backups")
    server_name = models.CharField(max_length=128)
    status = models.CharField(_("status"), max_length=10, default="available")
    # What a server restored from it needs to know of the machine it came from.
    flavor_id = models.CharField(max_length=32)
    architecture = models.CharField(max_length=4, default="x86")
    boot_mode = models.CharField(max_length=4, default="bios")
    os_type = models.CharField(max_length=8, default="Linux")
    os_version = models.CharField(max_length=128, blank=True)
    platform = models.CharField(max_length=32, default="Other")
    os_bit = models.PositiveSmallIntegerField(default=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ProjectScoped.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("backup")
        verbose_name_plural = _("backups")

    def __str__(self):
        return self.name

    def urn(self) -> str:
        return f"cbr:{self.project.region_id}:{self.project_id}:backup:{self.id}"


class BackupDisk(models.Model):
    backup = models.ForeignKey(Backup, on_delete=models.CASCADE, related_name="disks")
    manifest = models.ForeignKey("blobs.Manifest", on_delete=models.PROTECT, related_name="backup_disks")
    boot_index = models.SmallIntegerField()
    size = models.PositiveIntegerField(help_text=_("GB"))
    device = models.CharField(max_length=16, blank=True)
    source_disk_id = models.CharField(max_length=36, blank=True)

    class Meta:
        ordering = ["boot_index"]

    def __str__(self):
        return f"{self.backup_id}[{self.boot_index}]"


class LiveImageDisks(models.Manager):
    """The default manager: disks of images that are not deleted. The storage collector counts a manifest as used
    through default managers, so a deleted whole-machine image's data disks are collected with its system disk
    (the manifest's deletion cascades to the row)."""

    def get_queryset(self):
        return super().get_queryset().exclude(image__status="deleted")


class WholeImageDisk(models.Model):
    """The data disks of a whole-machine image (its system disk is the image's own manifest)."""

    image = models.ForeignKey("images.Image", on_delete=models.CASCADE, related_name="whole_disks")
    manifest = models.ForeignKey("blobs.Manifest", on_delete=models.CASCADE, related_name="whole_image_disks")

    boot_index = models.SmallIntegerField()
    size = models.PositiveIntegerField(help_text=_("GB"))
    device = models.CharField(max_length=16, blank=True)

    objects = LiveImageDisks()

    class Meta:
        ordering = ["boot_index"]

    def __str__(self):
        return f"{self.image_id}[{self.boot_index}]"
