"""ECS, EVS and CBR paths: thin views, one service call each."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from compute import services
from compute.api import inputs, schemas
from compute.api.representations import backup_detail, server_detail, volume_detail
from images.api.views.images import check_path_project

ECS, EVS, CBR = ["ecs"], ["evs"], ["cbr"]


class ComputeView(APIView):
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        check_path_project(request, kwargs["project_id"])


class ServerListView(ComputeView):
    """POST creates servers; the job id and the new servers' ids answer at once."""

    service = staticmethod(services.create_post_paid_servers)

    @extend_schema(
        operation_id="create_post_paid_servers",
        tags=ECS,
        request=schemas.CreateServersBody,
        responses=schemas.ServersCreated,
    )
    def post(self, request, project_id):
        job = type(self).service(request.auth, request=inputs.server_request(request.data))
        # ECS answers serverIds in camelCase on v1 and server_ids on v1.1, as each SDK model reads it.
        return Response({"job_id": job.pk, "serverIds": job.entities["server_ids"], **self.extra(job)})

    def extra(self, job) -> dict:
        return {}


class ServerListV11View(ServerListView):
    service = staticmethod(services.create_servers)

    @extend_schema(
        operation_id="create_servers", tags=ECS, request=schemas.CreateServersBody, responses=schemas.ServersCreated
    )
    def post(self, request, project_id):
        return super().post(request, project_id)

    def extra(self, job) -> dict:
        return {"order_id": ""}


class ServerDetailListView(ComputeView):
    @extend_schema(operation_id="list_servers_details", tags=ECS, responses=None)
    def get(self, request, project_id):
        query = request.query_params
        found = services.list_servers_details(request.auth, name=query.get("name", ""), status=query.get("status", ""))
        return Response({"count": len(found), "servers": [server_detail(server) for server in found]})


class ServerView(ComputeView):
    @extend_schema(operation_id="show_server", tags=ECS, responses=None)
    def get(self, request, project_id, server_id):
        return Response({"server": server_detail(services.show_server(request.auth, server_id=server_id))})


class ServerDeleteView(ComputeView):
    @extend_schema(
        operation_id="delete_servers", tags=ECS, request=schemas.DeleteServersBody, responses=schemas.JobAnswer
    )
    def post(self, request, project_id):
        ids = inputs.server_ids(request.data, "body")
        delete_volume = request.data.get("delete_volume") is True
        job = services.delete_servers(request.auth, server_ids=ids, delete_volume=delete_volume)
        return Response({"job_id": job.pk})


class ServerActionView(ComputeView):
    @extend_schema(
        operation_id="batch_start_servers", tags=ECS, request=schemas.ServerActionBody, responses=schemas.JobAnswer
    )
    def post(self, request, project_id):
        body = inputs._object(request.data, "body")
        if "os-stop" in body:
            job = services.batch_stop_servers(request.auth, server_ids=inputs.server_ids(body["os-stop"], "os-stop"))
        else:
            option = body.get("os-start")
            job = services.batch_start_servers(request.auth, server_ids=inputs.server_ids(option, "os-start"))
        return Response({"job_id": job.pk})


class AttachVolumeView(ComputeView):
    @extend_schema(operation_id="attach_server_volume", tags=ECS, request=schemas.AttachBody, responses=None)
    def post(self, request, project_id, server_id):
        attachment = inputs._object(inputs._object(request.data, "body").get("volumeAttachment"), "volumeAttachment")
        volume_id = inputs._str(attachment.get("volumeId"), "volumeAttachment.volumeId")
        disk = services.attach_server_volume(request.auth, server_id=server_id, volume_id=volume_id)
        return Response({"job_id": "", "volumeAttachment": {"id": str(disk.pk), "device": disk.device}})


class DetachVolumeView(ComputeView):
    @extend_schema(operation_id="detach_server_volume", tags=ECS, responses=None)
    def delete(self, request, project_id, server_id, volume_id):
        services.detach_server_volume(request.auth, server_id=server_id, volume_id=volume_id)
        return Response({"job_id": ""})


class VolumeListView(ComputeView):
    @extend_schema(operation_id="create_volume", tags=EVS, request=schemas.CreateVolumeBody, responses=None)
    def post(self, request, project_id):
        disk = services.create_volume(request.auth, **inputs.volume_request(request.data))
        return Response({"job_id": "", "volume_ids": [str(disk.pk)]})


class VolumeDetailListView(ComputeView):
    @extend_schema(operation_id="list_volumes", tags=EVS, responses=None)
    def get(self, request, project_id):
        found = services.list_volumes(request.auth, name=request.query_params.get("name", ""))
        return Response({"count": len(found), "volumes": [volume_detail(disk) for disk in found]})


class VolumeView(ComputeView):
    @extend_schema(operation_id="show_volume", tags=EVS, responses=None)
    def get(self, request, project_id, volume_id):
        return Response({"volume": volume_detail(services.show_volume(request.auth, disk_id=volume_id))})

    @extend_schema(operation_id="delete_volume", tags=EVS, responses=None)
    def delete(self, request, project_id, volume_id):
        services.delete_volume(request.auth, disk_id=volume_id)
        return Response({"job_id": ""})


class VolumeWriteView(ComputeView):
    @extend_schema(operation_id="write_volume", tags=EVS, request=schemas.WriteVolumeBody, responses=None)
    def post(self, request, project_id, volume_id):
        url = inputs._str(inputs._object(request.data, "body").get("object_url"), "object_url")
        disk = services.write_volume(request.auth, disk_id=volume_id, object_url=url)
        return Response({"volume": volume_detail(disk)})


class CheckpointView(ComputeView):
    @extend_schema(operation_id="create_checkpoint", tags=CBR, request=schemas.CreateCheckpointBody, responses=None)
    def post(self, request, project_id):
        parsed = inputs.checkpoint_request(request.data)
        backup = services.create_checkpoint(
            request.auth,
            server_id=parsed["server_id"],
            name=parsed["name"],
            description=parsed["description"],
            vault_id=parsed["vault_id"],
        )
        return Response(
            {
                "checkpoint": {
                    "id": str(backup.pk),
                    "status": "available",
                    "vault": {
                        "id": str(backup.vault_id),
                        "resources": [{"id": str(backup.server_id), "backup_id": str(backup.pk)}],
                    },
                }
            }
        )


class BackupListView(ComputeView):
    @extend_schema(operation_id="list_backups", tags=CBR, responses=None)
    def get(self, request, project_id):
        found = services.list_backups(request.auth, server_id=request.query_params.get("resource_id", ""))
        return Response({"count": len(found), "backups": [backup_detail(backup) for backup in found]})


class BackupView(ComputeView):
    @extend_schema(operation_id="show_backup", tags=CBR, responses=None)
    def get(self, request, project_id, backup_id):
        return Response({"backup": backup_detail(services.show_backup(request.auth, backup_id=backup_id))})

    @extend_schema(operation_id="delete_backup", tags=CBR, responses=None)
    def delete(self, request, project_id, backup_id):
        services.delete_backup(request.auth, backup_id=backup_id)
        return Response(status=204)
