"""Every read of servers, disks and backups, already scoped: another tenant's resource is simply not found."""

import uuid

from django.utils.translation import gettext as _

from compute.models import Backup, Disk, Server
from core.errors import ImsError
from iam.authz import authorize, scope


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _get(actor, queryset, action: str, object_id, missing: ImsError):
    found = _uuid(object_id)
    obj = scope(actor, action, queryset).filter(pk=found).first() if found else None
    if obj is None:
        authorize(actor, action)  # a missing permission reads as 403, not as 404
        raise missing
    return obj


def server_not_found(server_id) -> ImsError:
    return ImsError("Ecs.0114", _("Server %(id)s does not exist.") % {"id": server_id}, 404)


def volume_not_found(volume_id) -> ImsError:
    return ImsError("EVS.0404", _("Disk %(id)s does not exist.") % {"id": volume_id}, 404)


def backup_not_found(backup_id) -> ImsError:
    return ImsError("BackupService.6404", _("Backup %(id)s does not exist.") % {"id": backup_id}, 404)


def servers(actor, action: str = "ecs:cloudServers:list"):
    return scope(actor, action, Server.objects.select_related("image").prefetch_related("disks"))


def disks(actor, action: str = "evs:volumes:list"):
    return scope(actor, action, Disk.objects.select_related("server", "image"))


def backups(actor, action: str = "cbr:backups:list"):
    return scope(actor, action, Backup.objects.select_related("vault").prefetch_related("disks"))


def get_server(actor, server_id) -> Server:
    return _get(
        actor, Server.objects.prefetch_related("disks"), "ecs:cloudServers:get", server_id, server_not_found(server_id)
    )


def get_disk(actor, volume_id) -> Disk:
    return _get(
        actor,
        Disk.objects.select_related("server", "manifest"),
        "evs:volumes:get",
        volume_id,
        volume_not_found(volume_id),
    )


def get_backup(actor, backup_id) -> Backup:
    return _get(
        actor, Backup.objects.prefetch_related("disks"), "cbr:backups:get", backup_id, backup_not_found(backup_id)
    )


def made_from_image(actor, image) -> tuple[list[Server], list[Disk]]:
    """The live servers and disks of the actor's project created from `image` (the image detail page and its
    delete confirmation): another project's servers are never named, even for a public or shared image."""
    made_servers = servers(actor, "ecs:cloudServers:list").filter(image_ref=str(image.pk)).order_by("name")
    made_disks = disks(actor, "evs:volumes:list").filter(image_ref=str(image.pk)).exclude(boot_index=0)
    return list(made_servers), list(made_disks.order_by("name"))
