"""Server backups (CBR): a consistent snapshot of all of a server's disks, in the project's vault."""

from django.utils import timezone
from django.utils.translation import gettext as _

from compute.models import Backup, BackupDisk, Server, Vault
from compute.providers import provider
from compute.selectors import backups, get_backup, get_server
from compute.services.common import clone
from core.errors import ImsError
from iam.actors import Actor
from iam.operations import operation

VAULT_NAME = "default"


def vault_of(project) -> Vault:
    vault, _created = Vault.objects.get_or_create(project=project, defaults={"name": VAULT_NAME})
    return vault


def snapshot(actor, server: Server, *, name: str = "", description: str = "") -> Backup:
    """Copies every disk's manifest in one transaction (the caller's): a consistent point in time, no data
    written. Shared by the checkpoint operation and the whole-machine image of a server."""
    if server.disks.exclude(cmk_id="").exists():
        # A backup disk would need its source's key and data key to stay readable; refused rather than unreadable.
        raise ImsError(
            "BackupService.6120",
            _("Servers with encrypted disks cannot be backed up here yet; make a system or data disk image instead."),
            409,
        )
    if server.status not in ("ACTIVE", "SHUTOFF"):
        raise ImsError("BackupService.6101", _("Only a running or stopped server can be backed up."), 409)
    backup = Backup.objects.create(
        name=name or f"{server.name}-{timezone.now():%Y%m%d%H%M%S}",
        description=description,
        project=actor.project,
        vault=vault_of(actor.project),
        server=server,
        server_name=server.name,
        flavor_id=server.flavor_id,
        architecture=server.architecture,
        boot_mode=server.boot_mode,
        os_type=server.os_type,
        os_version=server.os_version,
        platform=server.platform,
        os_bit=server.os_bit,
    )
    BackupDisk.objects.bulk_create(
        [
            BackupDisk(
                backup=backup,
                manifest=clone(disk.manifest),
                boot_index=disk.boot_index,
                size=disk.size,
                device=disk.device,
                source_disk_id=str(disk.pk),
            )
            for disk in server.disks.select_related("manifest").order_by("boot_index")
        ]
    )
    return backup


@operation("create_checkpoint", target="server", find=get_server, summary=lambda kwargs: {"name": kwargs.get("name")})
def create_checkpoint(
    actor: Actor, *, server: Server, name: str = "", description: str = "", vault_id: str = ""
) -> Backup:
    if vault_id and vault_id != str(vault_of(actor.project).pk):
        raise ImsError("BackupService.6404", _("Vault %(id)s does not exist.") % {"id": vault_id}, 404)
    return snapshot(actor, server, name=name, description=description)


@operation("list_backups", target="none")
def list_backups(actor: Actor, *, server_id: str = "") -> list[Backup]:
    found = backups(actor)
    return list(found.filter(server_id=server_id) if server_id else found)


@operation("show_backup", target="backup", find=get_backup)
def show_backup(actor: Actor, *, backup: Backup) -> Backup:
    return backup


@operation("delete_backup", target="backup", find=get_backup)
def delete_backup(actor: Actor, *, backup: Backup) -> Backup:
    """Images made from the backup keep their own manifests: deleting it never changes them."""
    manifests = [disk.manifest for disk in backup.disks.select_related("manifest")]
    backup.delete()
    for manifest in manifests:
        provider().release_disk(manifest)
    return backup


__all__ = ["create_checkpoint", "delete_backup", "list_backups", "show_backup", "snapshot", "vault_of"]
