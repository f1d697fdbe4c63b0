"""The OpenAPI shapes of the ECS, EVS and CBR bodies (documentation: `inputs` parses, `representations` renders)."""

from rest_framework import serializers


class RootVolume(serializers.Serializer):
    volumetype = serializers.CharField(required=False, help_text="Accepted; every disk here is the same kind.")
    size = serializers.IntegerField(required=False, help_text="GB, 1-1024; the image's minimum by default.")


class DataVolume(serializers.Serializer):
    volumetype = serializers.CharField(required=False)
    size = serializers.IntegerField(help_text="GB, 10-32768.")
    data_image_id = serializers.CharField(required=False, help_text="A data disk image to restore.")


class Nic(serializers.Serializer):
    subnet_id = serializers.CharField(help_text="The project's default subnet.")


class ServerSpec(serializers.Serializer):
    name = serializers.CharField()
    imageRef = serializers.CharField(help_text="A system disk, whole-machine or ISO image.")
    flavorRef = serializers.CharField(help_text="s6.small.1, s6.large.2, c7.xlarge.4, kc1.large.2, …")
    availability_zone = serializers.CharField(required=False)
    root_volume = RootVolume(required=False)
    data_volumes = DataVolume(many=True, required=False)
    vpcid = serializers.CharField(required=False)
    nics = Nic(many=True, required=False)
    count = serializers.IntegerField(required=False, help_text="1-10.")


class CreateServersBody(serializers.Serializer):
    server = ServerSpec()


class ServersCreated(serializers.Serializer):
    job_id = serializers.CharField(help_text="GET /v1/{project_id}/jobs/{job_id} follows it.")
    serverIds = serializers.ListField(child=serializers.CharField())


class ServerRef(serializers.Serializer):
    id = serializers.CharField()


class ServersOption(serializers.Serializer):
    servers = ServerRef(many=True)


class ServerActionBody(serializers.Serializer):
    os_start = ServersOption(required=False, source="os-start", help_text="Body key: os-start.")
    os_stop = ServersOption(required=False, source="os-stop", help_text="Body key: os-stop.")


class DeleteServersBody(ServersOption):
    delete_volume = serializers.BooleanField(required=False, help_text="Also delete the data disks.")


class JobAnswer(serializers.Serializer):
    job_id = serializers.CharField()


class VolumeSpec(serializers.Serializer):
    name = serializers.CharField()
    size = serializers.IntegerField(help_text="GB, 10-32768.")
    imageRef = serializers.CharField(required=False, help_text="A data disk image.")
    availability_zone = serializers.CharField(required=False)


class CreateVolumeBody(serializers.Serializer):
    volume = VolumeSpec()


class WriteVolumeBody(serializers.Serializer):
    object_url = serializers.CharField(help_text="bucket:key of the raw bytes written from the disk's start.")


class VolumeRef(serializers.Serializer):
    volumeId = serializers.CharField(help_text="An available disk.")


class AttachBody(serializers.Serializer):
    volumeAttachment = VolumeRef()


class Resource(serializers.Serializer):
    id = serializers.CharField()
    type = serializers.CharField(required=False, help_text="OS::Nova::Server")


class CheckpointParameters(serializers.Serializer):
    resource_details = Resource(many=True)
    description = serializers.CharField(required=False)


class CheckpointSpec(serializers.Serializer):
    vault_id = serializers.CharField(required=False)
    parameters = CheckpointParameters()


class CreateCheckpointBody(serializers.Serializer):
    checkpoint = CheckpointSpec()
