"""Servers (ECS): create from a system disk, whole-machine or ISO image; start, stop, delete; attach and detach
disks. No guest runs: a server is its record and its disks, and every disk is a copy-on-write manifest."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from compute import rules
from compute.flavors import Flavor, flavor, zones_of
from compute.models import Disk, DiskStatus, Server, ServerStatus, WholeImageDisk
from compute.network import default_subnet_id, default_vpc_id
from compute.providers import provider
from compute.selectors import get_disk, get_server, servers
from compute.services.common import blank, check_image_key, clone, device_name, finished_job, key_fields, new_disk
from core.errors import ImsError, invalid
from iam.actors import Actor
from iam.operations import operation
from images.choices import VirtualEnvType
from images.models import Image, Job
from images.selectors import get_image

MAX_COUNT = 10
DEFAULT_SYSTEM_DISK = 40


@dataclass
class DataVolume:
    size: int
    data_image_id: str = ""
    delete_on_termination: bool = True


@dataclass
class ServerRequest:
    name: str
    flavor_ref: str
    image_ref: str
    availability_zone: str = ""
    root_volume_size: int | None = None
    data_volumes: list[DataVolume] = field(default_factory=list)
    count: int = 1
    vpcid: str = ""
    subnet_ids: list[str] = field(default_factory=list)
    description: str = ""


def _flavor(flavor_ref: str) -> Flavor:
    found = flavor(flavor_ref)
    if found is None:
        raise ImsError("Ecs.0023", _("Flavor %(id)s does not exist.") % {"id": flavor_ref}, 404)
    return found


def _zone(actor, requested: str) -> str:
    zones = zones_of(actor.project.region_id)
    if requested and requested not in zones:
        raise invalid("availability_zone", _("must be one of %(zones)s.") % {"zones": ", ".join(zones)})
    return requested or zones[0]


def _network(actor, request: ServerRequest) -> str:
    vpc, subnet = default_vpc_id(actor.project), default_subnet_id(actor.project)
    if request.vpcid and request.vpcid != vpc:
        raise ImsError(
            "Ecs.0005",
            _("VPC %(id)s does not exist; this project's VPC is %(vpc)s.") % {"id": request.vpcid, "vpc": vpc},
            404,
        )
    if any(given != subnet for given in request.subnet_ids):
        raise ImsError(
            "Ecs.0005", _("Subnet not found; this project's subnet is %(subnet)s.") % {"subnet": subnet}, 404
        )
    return subnet


def _system_size(request: ServerRequest, image: Image) -> int:
    size = request.root_volume_size or max(image.min_disk, DEFAULT_SYSTEM_DISK)
    low, high = rules.SYSTEM_DISK_RANGE
    if not low <= size <= high:
        raise invalid("root_volume.size", _("must be %(low)d to %(high)d GB.") % {"low": low, "high": high})
    return size


def _data_images(actor, volumes: list[DataVolume]) -> dict[str, Image]:
    images = {}
    low, high = rules.DISK_RANGE
    for volume in volumes:
        if not low <= volume.size <= high:
            raise invalid("data_volumes.size", _("must be %(low)d to %(high)d GB.") % {"low": low, "high": high})
        if volume.data_image_id:
            image = images.setdefault(volume.data_image_id, get_image(actor, volume.data_image_id))
            if refusal := rules.disk_image_refusal(image, volume.size):
                raise refusal
            check_image_key(actor, image, purpose="createServer")
    return images


def _check(actor, request: ServerRequest) -> tuple[Flavor, Image, int, dict]:
    chosen = _flavor(request.flavor_ref)
    if not 1 <= request.count <= MAX_COUNT:
        raise invalid("count", _("must be 1 to %(n)d.") % {"n": MAX_COUNT})
    image = get_image(actor, request.image_ref)
    check_image_key(actor, image, purpose="createServer")
    size = _system_size(request, image)
    if refusal := rules.server_image_refusal(image, chosen, size):
        raise refusal
    if len(request.data_volumes) + image.whole_disks.count() > rules.MAX_DATA_DISKS:
        raise invalid("data_volumes", _("a server has at most %(n)d data disks.") % {"n": rules.MAX_DATA_DISKS})
    return chosen, image, size, _data_images(actor, request.data_volumes)


def _system_disk(actor, server: Server, image: Image, size: int) -> Disk:
    iso = image.virtual_env_type == VirtualEnvType.ISO_IMAGE
    # An ISO install server starts from an empty disk; any other copies the image's disk without writing data.
    manifest = blank(actor, size) if iso else clone(image.manifest)
    return new_disk(
        actor,
        name=f"{server.name}-system",
        size=size,
        manifest=manifest,
        zone=server.availability_zone,
        server=server,
        boot_index=0,
        device=device_name(0),
        bootable=True,
        status=DiskStatus.IN_USE,
        image=None if iso else image,
        image_ref="" if iso else str(image.pk),
        **key_fields(None if iso else image),
    )


def _data_disks(actor, server: Server, image: Image, request: ServerRequest, data_images: dict) -> None:
    index = 1
    for whole in WholeImageDisk.objects.filter(image=image).select_related("manifest"):
        new_disk(
            actor,
            name=f"{server.name}-data-{index}",
            size=whole.size,
            manifest=clone(whole.manifest),
            zone=server.availability_zone,
            server=server,
            boot_index=index,
            device=device_name(index),
            status=DiskStatus.IN_USE,
            **key_fields(image),
        )
        index += 1
    for volume in request.data_volumes:
        source = data_images.get(volume.data_image_id)
        manifest = clone(source.manifest) if source else blank(actor, volume.size)
        new_disk(
            actor,
            name=f"{server.name}-data-{index}",
            size=volume.size,
            manifest=manifest,
            zone=server.availability_zone,
            server=server,
            boot_index=index,
            device=device_name(index),
            status=DiskStatus.IN_USE,
            image=source,
            image_ref=str(source.pk) if source else "",
            delete_on_termination=volume.delete_on_termination,
            **key_fields(source),
        )
        index += 1


def _server_name(request: ServerRequest, number: int) -> str:
    return request.name if request.count == 1 else f"{request.name}-{number:04d}"


def _create(actor: Actor, *, request: ServerRequest) -> Job:
    chosen, image, size, data_images = _check(actor, request)
    subnet = _network(actor, request)
    zone = _zone(actor, request.availability_zone)
    iso = image.virtual_env_type == VirtualEnvType.ISO_IMAGE
    made = []
    for number in range(1, request.count + 1):
        server = Server.objects.create(
            name=_server_name(request, number),
            description=request.description,
            project=actor.project,
            region=actor.project.region,
            flavor_id=chosen.id,
            vcpus=chosen.vcpus,
            ram=chosen.ram,
            availability_zone=zone,
            architecture=image.architecture,
            boot_mode=image.hw_firmware_type,
            image=None if iso else image,
            image_ref="" if iso else str(image.pk),
            iso_image=image if iso else None,
            os_type=image.os_type,
            os_version=image.os_version,
            platform=image.platform,
            os_bit=image.os_bit,
            vpc_id=default_vpc_id(actor.project),
            subnet_id=subnet,
        )
        _system_disk(actor, server, image, size)
        _data_disks(actor, server, image, request, data_images)
        provider().power_on(server)
        server.status = ServerStatus.ACTIVE
        server.save(update_fields=["status", "updated_at"])
        made.append(server)
    ids = [str(server.pk) for server in made]
    return finished_job(actor, "createServer", None, server_ids=ids, **_sub_jobs("createSingleServer", ids))


def _sub_jobs(job_type: str, ids: list[str]) -> dict:
    """The ECS job's entities: one sub-job per server, as the ECS job API shows them."""
    return {
        "server_id": ids[0] if len(ids) == 1 else "",
        "sub_jobs_total": len(ids),
        "sub_jobs": [{"status": "SUCCESS", "job_type": job_type, "entities": {"server_id": i}} for i in ids],
    }


def _summary(kwargs) -> dict:
    request = kwargs.get("request")
    return {"name": request.name, "image_ref": request.image_ref, "flavor_ref": request.flavor_ref} if request else {}


create_post_paid_servers = operation("create_post_paid_servers", summary=_summary, target="none")(_create)
create_servers = operation("create_servers", summary=_summary, target="none")(_create)


@operation("list_servers_details", target="none")
def list_servers_details(actor: Actor, *, name: str = "", status: str = "") -> list[Server]:
    found = servers(actor)
    if name:
        found = found.filter(name__icontains=name)
    if status:
        found = found.filter(status=status)
    return list(found)


@operation("show_server", target="server", find=get_server)
def show_server(actor: Actor, *, server: Server) -> Server:
    return server


def _servers_of(actor, ids: list[str]) -> list[Server]:
    if not ids:
        raise invalid("servers", _("name at least one server."))
    return [get_server(actor, server_id) for server_id in dict.fromkeys(ids)]


@operation("delete_servers", target="none", summary=lambda kwargs: {"servers": kwargs.get("server_ids")})
def delete_servers(actor: Actor, *, server_ids: list[str], delete_volume: bool = False) -> Job:
    """Deletes the servers and their system disks; their data disks too with `delete_volume` (else they stay,
    detached and available). Images made from them keep their own manifests."""
    targets = _servers_of(actor, server_ids)
    for server in targets:
        for disk in list(server.disks.all()):
            if disk.is_system or (delete_volume and disk.delete_on_termination):
                _drop_disk(disk)
            else:
                _detach(disk)
        provider().power_off(server)
        server.status = ServerStatus.DELETED
        server.save(update_fields=["status", "updated_at"])
    ids = [str(server.pk) for server in targets]
    return finished_job(actor, "deleteServer", None, server_ids=ids, **_sub_jobs("deleteSingleServer", ids))


def _drop_disk(disk: Disk) -> None:
    manifest = disk.manifest
    disk.delete()
    provider().release_disk(manifest)


def _detach(disk: Disk) -> None:
    disk.server, disk.boot_index, disk.device, disk.status = None, None, "", DiskStatus.AVAILABLE
    disk.save(update_fields=["server", "boot_index", "device", "status", "updated_at"])


def _power(actor, ids: list[str], *, to: str, job_type: str) -> Job:
    targets = _servers_of(actor, ids)
    for server in targets:
        if server.status not in (ServerStatus.ACTIVE, ServerStatus.SHUTOFF):
            raise ImsError(
                "Ecs.0103",
                _("Server %(name)s is %(status)s: it cannot be started or stopped now.")
                % {"name": server.name, "status": server.status},
                409,
            )
        if server.frozen:
            raise ImsError("Ecs.0104", _("Server %(name)s is frozen.") % {"name": server.name}, 409)
    for server in targets:
        (provider().power_on if to == ServerStatus.ACTIVE else provider().power_off)(server)
        server.status = to
        server.save(update_fields=["status", "updated_at"])
    ids = [str(server.pk) for server in targets]
    return finished_job(actor, job_type, None, server_ids=ids, **_sub_jobs(job_type, ids))


@operation("batch_start_servers", target="none", summary=lambda kwargs: {"servers": kwargs.get("server_ids")})
def batch_start_servers(actor: Actor, *, server_ids: list[str]) -> Job:
    return _power(actor, server_ids, to=ServerStatus.ACTIVE, job_type="startServer")


@operation("batch_stop_servers", target="none", summary=lambda kwargs: {"servers": kwargs.get("server_ids")})
def batch_stop_servers(actor: Actor, *, server_ids: list[str]) -> Job:
    return _power(actor, server_ids, to=ServerStatus.SHUTOFF, job_type="stopServer")


@operation("attach_server_volume", target="server", find=get_server)
def attach_server_volume(actor: Actor, *, server: Server, volume_id: str) -> Disk:
    disk = get_disk(actor, volume_id)
    if disk.server_id is not None or disk.status != DiskStatus.AVAILABLE:
        raise ImsError("Ecs.0200", _("Disk %(name)s is already attached.") % {"name": disk.name}, 409)
    if server.status == ServerStatus.DELETED:
        raise ImsError("Ecs.0103", _("The server is deleted."), 409)
    used = {d.boot_index for d in server.disks.all()}
    index = next(i for i in range(1, rules.MAX_DATA_DISKS + 2) if i not in used)
    if index > rules.MAX_DATA_DISKS:
        raise ImsError("Ecs.0201", _("A server has at most %(n)d data disks.") % {"n": rules.MAX_DATA_DISKS}, 409)
    disk.server, disk.boot_index, disk.device, disk.status = server, index, device_name(index), DiskStatus.IN_USE
    disk.save(update_fields=["server", "boot_index", "device", "status", "updated_at"])
    return disk


@operation("detach_server_volume", target="server", find=get_server)
def detach_server_volume(actor: Actor, *, server: Server, volume_id: str) -> Disk:
    disk = get_disk(actor, volume_id)
    if disk.server_id != server.pk:
        raise ImsError("Ecs.0202", _("Disk %(name)s is not attached to this server.") % {"name": disk.name}, 409)
    if disk.is_system:
        raise ImsError("Ecs.0203", _("The system disk cannot be detached."), 409)
    _detach(disk)
    return disk


__all__ = [
    "DataVolume",
    "ServerRequest",
    "attach_server_volume",
    "batch_start_servers",
    "batch_stop_servers",
    "create_post_paid_servers",
    "create_servers",
    "delete_servers",
    "detach_server_volume",
    "list_servers_details",
    "show_server",
]
