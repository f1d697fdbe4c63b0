"""The permission matrix's compute part: the ECS, EVS and CBR actions each kind holds, the servers, disks and
backups of tenant A a case needs, and one case per compute operation (face and service)."""

from compute import services as compute
from compute.models import Backup, Disk, Server
from compute.network import default_subnet_id, default_vpc_id

COMPUTE = frozenset(
    {
        "ecs:cloudServers:create",
        "ecs:cloudServers:list",
        "ecs:cloudServers:get",
        "ecs:cloudServers:delete",
        "ecs:cloudServers:start",
        "ecs:cloudServers:stop",
        "ecs:cloudServers:attach",
        "ecs:cloudServers:detachVolume",
        "evs:volumes:list",
        "evs:volumes:get",
        "evs:volumes:create",
        "evs:volumes:delete",
        "evs:volumes:update",
        "cbr:vaults:backup",
        "cbr:backups:list",
        "cbr:backups:get",
        "cbr:backups:delete",
    }
)
PARTS = frozenset({"server", "disk", "backup"})
IMAGE_GET = frozenset({"ims:images:get"})


def server_request(project, image, name: str = "matrix-server", data_volumes=()) -> compute.ServerRequest:
    return compute.ServerRequest(
        name=name,
        flavor_ref="s6.large.2",
        image_ref=str(image.pk),
        vpcid=default_vpc_id(project),
        subnet_ids=[default_subnet_id(project)],
        data_volumes=[compute.DataVolume(size=size) for size in data_volumes],
    )


def build(world, parts: frozenset, system) -> None:
    """A running server with one data disk, an available disk and a backup of the server, as `parts` ask."""
    if parts & {"server", "backup"}:
        job = compute.create_post_paid_servers(
            system, request=server_request(world.project, world.image, data_volumes=[10])
        )
        world.server = Server.objects.get(pk=job.entities["server_ids"][0])
    if "disk" in parts:
        world.disk = compute.create_volume(system, name="matrix-disk", size=10)
    if "backup" in parts:
        world.backup = compute.snapshot(system, world.server, name="matrix-backup")


def fingerprint_rows(account) -> tuple:
    return (
        Server.objects.filter(project__account=account).values_list("id", "name", "status"),
        Disk.objects.filter(project__account=account).values_list("id", "status", "manifest_id", "server_id"),
        Backup.objects.filter(project__account=account).values_list("id", "name"),
    )


def _create_body(w) -> dict:
    return {
        "server": {
            "name": "matrix-new-server",
            "imageRef": str(w.image.pk),
            "flavorRef": "s6.large.2",
            "vpcid": default_vpc_id(w.project),
            "nics": [{"subnet_id": default_subnet_id(w.project)}],
            "root_volume": {"volumetype": "SSD"},
        }
    }


def _data_disk(w):
    return w.server.data_disks[0]


def cases(case) -> dict:
    """`case` is matrix_world.case; each entry reaches A's resources unless it says `foreign=False`."""
    servers = "/v1/{p}/cloudservers"

    def path(template: str):
        return lambda c, w: template.format(p=c.project_id, w=w)

    def send(method: str, template: str, body=None):
        return lambda c, w: c.send(method, path(template)(c, w), body(w) if callable(body) else body)

    def get(template: str):
        return lambda c, w: c.get(path(template)(c, w))

    def ids(w) -> list[str]:
        return [str(w.server.pk)]

    return {
        "create_post_paid_servers": case(
            send("POST", servers, _create_body),
            lambda a, w: compute.create_post_paid_servers(a, request=server_request(w.project, w.image)),
            also_needs=IMAGE_GET,
        ),
        "create_servers": case(
            send("POST", "/v1.1/{p}/cloudservers", _create_body),
            lambda a, w: compute.create_servers(a, request=server_request(w.project, w.image)),
            also_needs=IMAGE_GET,
        ),
        "list_servers_details": case(
            get(servers + "/detail"), lambda a, w: compute.list_servers_details(a), ["server"], foreign=False
        ),
        "show_server": case(
            get(servers + "/{w.server.pk}"), lambda a, w: compute.show_server(a, server_id=str(w.server.pk)), ["server"]
        ),
        "delete_servers": case(
            send("POST", servers + "/delete", lambda w: {"servers": [{"id": str(w.server.pk)}]}),
            lambda a, w: compute.delete_servers(a, server_ids=ids(w)),
            ["server"],
        ),
        "batch_start_servers": case(
            send("POST", servers + "/action", lambda w: {"os-start": {"servers": [{"id": str(w.server.pk)}]}}),
            lambda a, w: compute.batch_start_servers(a, server_ids=ids(w)),
            ["server"],
        ),
        "batch_stop_servers": case(
            send("POST", servers + "/action", lambda w: {"os-stop": {"servers": [{"id": str(w.server.pk)}]}}),
            lambda a, w: compute.batch_stop_servers(a, server_ids=ids(w)),
            ["server"],
        ),
        "attach_server_volume": case(
            send(
                "POST",
                servers + "/{w.server.pk}/attachvolume",
                lambda w: {"volumeAttachment": {"volumeId": str(w.disk.pk)}},
            ),
            lambda a, w: compute.attach_server_volume(a, server_id=str(w.server.pk), volume_id=str(w.disk.pk)),
            ["server", "disk"],
            also_needs=frozenset({"ecs:cloudServers:get", "evs:volumes:get"}),
        ),
        "detach_server_volume": case(
            lambda c, w: c.send(
                "DELETE", f"/v1/{c.project_id}/cloudservers/{w.server.pk}/detachvolume/{_data_disk(w).pk}"
            ),
            lambda a, w: compute.detach_server_volume(a, server_id=str(w.server.pk), volume_id=str(_data_disk(w).pk)),
            ["server"],
            also_needs=frozenset({"ecs:cloudServers:get", "evs:volumes:get"}),
        ),
        "list_volumes": case(
            get("/v2/{p}/cloudvolumes/detail"), lambda a, w: compute.list_volumes(a), ["disk"], foreign=False
        ),
        "show_volume": case(
            get("/v2/{p}/cloudvolumes/{w.disk.pk}"),
            lambda a, w: compute.show_volume(a, disk_id=str(w.disk.pk)),
            ["disk"],
        ),
        "create_volume": case(
            send("POST", "/v2/{p}/cloudvolumes", {"volume": {"name": "matrix-new-disk", "size": 10}}),
            lambda a, w: compute.create_volume(a, name="matrix-new-disk", size=10),
            foreign=False,
        ),
        "delete_volume": case(
            send("DELETE", "/v2/{p}/cloudvolumes/{w.disk.pk}"),
            lambda a, w: compute.delete_volume(a, disk_id=str(w.disk.pk)),
            ["disk"],
        ),
        "write_volume": case(
            send("POST", "/v2/{p}/cloudvolumes/{w.disk.pk}/write", lambda w: {"object_url": w.object_url}),
            lambda a, w: compute.write_volume(a, disk_id=str(w.disk.pk), object_url=w.object_url),
            ["disk", "object"],
        ),
        "create_checkpoint": case(
            send(
                "POST",
                "/v3/{p}/checkpoint",
                lambda w: {"checkpoint": {"parameters": {"resource_details": [{"id": str(w.server.pk)}]}}},
            ),
            lambda a, w: compute.create_checkpoint(a, server_id=str(w.server.pk)),
            ["server"],
            also_needs=frozenset({"ecs:cloudServers:get"}),
        ),
        "list_backups": case(get("/v3/{p}/backups"), lambda a, w: compute.list_backups(a), ["backup"], foreign=False),
        "show_backup": case(
            get("/v3/{p}/backups/{w.backup.pk}"),
            lambda a, w: compute.show_backup(a, backup_id=str(w.backup.pk)),
            ["backup"],
        ),
        "delete_backup": case(
            send("DELETE", "/v3/{p}/backups/{w.backup.pk}"),
            lambda a, w: compute.delete_backup(a, backup_id=str(w.backup.pk)),
            ["backup"],
        ),
    }
