"""The ECS, EVS and CBR request bodies as the services' keyword arguments; a refused value names its field."""

from django.utils.translation import gettext as _

from compute.services import DataVolume, ServerRequest
from core import text
from core.errors import ImsError, invalid


def _object(value, name: str) -> dict:
    if not isinstance(value, dict):
        raise invalid(name, _("must be a JSON object."))
    return value


def _int(value, name: str, default: int | None = None) -> int | None:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(name, _("must be a whole number."))
    return value


def _str(value, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid(name, _("must be a string."))
    return value


def server_request(body) -> ServerRequest:
    """POST /v1(.1)/{project_id}/cloudservers: {"server": {name, imageRef, flavorRef, root_volume, data_volumes,
    vpcid, nics, count, availability_zone, description}}."""
    body = _object(body, "body")
    if body.get("dry_run"):
        raise ImsError("Ecs.0001", _("dry_run is not offered here: send the request without it."))
    server = _object(body.get("server"), "server")
    root = _object(server.get("root_volume") or {}, "root_volume")
    volumes = server.get("data_volumes") or []
    nics = server.get("nics") or []
    if not isinstance(volumes, list) or not isinstance(nics, list):
        raise invalid("data_volumes", _("must be a list."))
    return ServerRequest(
        name=text.check_name(server.get("name")),
        flavor_ref=_str(server.get("flavorRef"), "flavorRef") or _required("flavorRef"),
        image_ref=_str(server.get("imageRef"), "imageRef") or _required("imageRef"),
        availability_zone=_str(server.get("availability_zone"), "availability_zone"),
        root_volume_size=_int(root.get("size"), "root_volume.size"),
        data_volumes=[_data_volume(_object(item, "data_volumes")) for item in volumes],
        count=_int(server.get("count"), "count", 1),
        vpcid=_str(server.get("vpcid"), "vpcid"),
        subnet_ids=[_str(_object(nic, "nics").get("subnet_id"), "nics.subnet_id") for nic in nics],
        description=_str(server.get("description"), "description")[:255],
    )


def _required(name: str):
    raise invalid(name, _("is required."))


def _data_volume(item: dict) -> DataVolume:
    return DataVolume(
        size=_int(item.get("size"), "data_volumes.size") or _required("data_volumes.size"),
        data_image_id=_str(item.get("data_image_id"), "data_volumes.data_image_id"),
        delete_on_termination=item.get("delete_on_termination", True) is not False,
    )


def server_ids(option, name: str) -> list[str]:
    """{"servers": [{"id": …}, …]} (delete, os-start, os-stop)."""
    servers = _object(option, name).get("servers")
    if not isinstance(servers, list) or not servers:
        raise invalid(f"{name}.servers", _("name at least one server."))
    return [_str(_object(item, "servers").get("id"), "servers.id") for item in servers]


def volume_request(body) -> dict:
    """POST /v2/{project_id}/cloudvolumes: {"volume": {name, size, imageRef, availability_zone, description}}."""
    volume = _object(_object(body, "body").get("volume"), "volume")
    return {
        "name": text.check_name(volume.get("name")),
        "size": _int(volume.get("size"), "size") or _required("size"),
        "image_id": _str(volume.get("imageRef"), "imageRef"),
        "availability_zone": _str(volume.get("availability_zone"), "availability_zone"),
        "description": _str(volume.get("description"), "description"),
    }


def checkpoint_request(body) -> dict:
    """POST /v3/{project_id}/checkpoint: {"checkpoint": {vault_id, parameters: {resource_details: [{id, type}],
    description}}} — one server per backup here."""
    checkpoint = _object(_object(body, "body").get("checkpoint"), "checkpoint")
    parameters = _object(checkpoint.get("parameters") or {}, "parameters")
    resources = parameters.get("resource_details") or []
    if not isinstance(resources, list) or len(resources) != 1:
        raise invalid("parameters.resource_details", _("name exactly one server."))
    resource = _object(resources[0], "resource_details")
    if resource.get("type", "OS::Nova::Server") != "OS::Nova::Server":
        raise invalid("resource_details.type", _("only servers (OS::Nova::Server) are backed up here."))
    return {
        "server_id": _str(resource.get("id"), "resource_details.id"),
        "vault_id": _str(checkpoint.get("vault_id"), "vault_id"),
        "name": _str(parameters.get("name") or resource.get("name"), "name")[:64],
        "description": _str(parameters.get("description"), "description")[:255],
    }
