"""The compute stand-in's operations: one function per operation, actor first, keyword-only arguments.

Console views, API views and demo seeding call these; nobody else writes servers, disks or backups.
"""

from compute.services.backups import create_checkpoint, delete_backup, list_backups, show_backup, snapshot, vault_of
from compute.services.disks import create_volume, delete_volume, list_volumes, show_volume, write_volume
from compute.services.servers import (
    DataVolume,
    ServerRequest,
    attach_server_volume,
    batch_start_servers,
    batch_stop_servers,
    create_post_paid_servers,
    create_servers,
    delete_servers,
    detach_server_volume,
    list_servers_details,
    show_server,
)

__all__ = [
    "DataVolume",
    "ServerRequest",
    "attach_server_volume",
    "batch_start_servers",
    "batch_stop_servers",
    "create_checkpoint",
    "create_post_paid_servers",
    "create_servers",
    "create_volume",
    "delete_backup",
    "delete_servers",
    "delete_volume",
    "detach_server_volume",
    "list_backups",
    "list_servers_details",
    "list_volumes",
    "show_backup",
    "show_server",
    "show_volume",
    "snapshot",
    "vault_of",
    "write_volume",
]
