"""Servers, disks and backups in the official ECS, EVS and CBR field names and types."""

from compute.network import private_ip
from images.api.representations import utc

POWER_STATE = {"ACTIVE": 1, "SHUTOFF": 4}
VM_STATE = {"ACTIVE": "active", "SHUTOFF": "stopped", "BUILD": "building", "ERROR": "error", "DELETED": "deleted"}


def server_detail(server) -> dict:
    disks = sorted(server.disks.all(), key=lambda disk: disk.boot_index or 0)
    system = next((disk for disk in disks if disk.boot_index == 0), None)
    return {
        "id": str(server.pk),
        "name": server.name,
        "description": server.description,
        "status": server.status,
        "created": utc(server.created_at),
        "updated": utc(server.updated_at),
        "tenant_id": server.project_id,
        "user_id": "",
        "flavor": {
            "id": server.flavor_id,
            "name": server.flavor_id,
            "vcpus": str(server.vcpus),
            "ram": str(server.ram),
            "disk": "0",
        },
        "image": {"id": server.image_ref or (str(server.iso_image_id) if server.iso_image_id else "")},
        "OS-EXT-AZ:availability_zone": server.availability_zone,
        "OS-EXT-STS:vm_state": VM_STATE.get(server.status, "error"),
        "OS-EXT-STS:power_state": POWER_STATE.get(server.status, 0),
        "OS-EXT-STS:task_state": "",
        "OS-EXT-SRV-ATTR:root_device_name": system.device if system else "",
        "OS-SRV-USG:launched_at": utc(server.created_at),
        "addresses": {server.vpc_id: [{"version": 4, "addr": private_ip(server), "OS-EXT-IPS:type": "fixed"}]},
        "metadata": {
            "os_type": server.os_type,
            "image_name": server.os_version,
            "vpc_id": server.vpc_id,
            "os_bit": str(server.os_bit),
            "virtual_env_type": "FusionCompute",
            "image_id": server.image_ref,
            "frozen": "true" if server.frozen else "false",
        },
        "os-extended-volumes:volumes_attached": [
            {
                "id": str(disk.pk),
                "device": disk.device,
                "bootIndex": str(disk.boot_index),
                "delete_on_termination": "true" if disk.is_system or disk.delete_on_termination else "false",
            }
            for disk in disks
        ],
        "locked": server.frozen,
        "tags": [],
        "security_groups": [{"name": "default"}],
        "progress": 100 if server.status == "ACTIVE" else 0,
        "host_status": "UP",
    }


def volume_detail(disk) -> dict:
    attachments = []
    if disk.server_id:
        attachments = [
            {
                "server_id": str(disk.server_id),
                "device": disk.device,
                "attachment_id": str(disk.pk),
                "volume_id": str(disk.pk),
                "id": str(disk.pk),
                "attached_at": utc(disk.updated_at),
            }
        ]
    return {
        "id": str(disk.pk),
        "name": disk.name,
        "status": disk.status,
        "size": disk.size,
        "availability_zone": disk.availability_zone,
        "bootable": "true" if disk.bootable else "false",
        "created_at": utc(disk.created_at),
        "updated_at": utc(disk.updated_at),
        "volume_type": "SSD",
        "encrypted": disk.encrypted,
        "attachments": attachments,
        "volume_image_metadata": {"image_id": disk.image_ref} if disk.image_ref else {},
        "metadata": {"__system__encrypted": "1" if disk.encrypted else "0"},
        "multiattach": False,
        "shareable": "false",
    }


def backup_detail(backup) -> dict:
    return {
        "id": str(backup.pk),
        "name": backup.name,
        "description": backup.description,
        "status": backup.status,
        "vault_id": str(backup.vault_id),
        "resource_id": str(backup.server_id or ""),
        "resource_name": backup.server_name,
        "resource_type": "OS::Nova::Server",
        "image_type": "backup",
        "project_id": backup.project_id,
        "created_at": utc(backup.created_at),
        "resource_size": sum(disk.size for disk in backup.disks.all()),
        "children": [
            {
                "id": f"{backup.pk}-{disk.boot_index}",
                "resource_id": disk.source_disk_id,
                "resource_size": disk.size,
                "resource_type": "OS::Cinder::Volume",
                "extend_info": {"bootable": disk.boot_index == 0},
            }
            for disk in backup.disks.all()
        ],
    }
