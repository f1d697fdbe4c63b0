"""The official huaweicloudsdkecs creates, lists, stops and deletes a server; huaweicloudsdkims makes system disk,
data disk and whole-machine images of it; a server from the new image reads the source image's bytes."""

import pytest

from compute.models import Server
from compute.network import default_subnet_id, default_vpc_id
from images.models import Image
from tests import factories
from tests.compat.test_sdk import client_for as ims_client_for
from tests.compute.helpers import content_image, disk_sha256

pytestmark = [pytest.mark.compat, pytest.mark.usefixtures("own_var_dir")]


def ecs_client_for(url: str, ak: str, sk: str, project_id: str):
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkecs.v2 import EcsClient

    return EcsClient.new_builder().with_credentials(BasicCredentials(ak, sk, project_id)).with_endpoints([url]).build()


def create_server(ecs, project, image_id: str, name: str, *, data_volumes=()) -> str:
    from huaweicloudsdkecs.v2 import (
        CreatePostPaidServersRequest,
        CreatePostPaidServersRequestBody,
        PostPaidServer,
        PostPaidServerDataVolume,
        PostPaidServerNic,
        PostPaidServerRootVolume,
    )

    server = PostPaidServer(
        name=name,
        image_ref=image_id,
        flavor_ref="s6.large.2",
        vpcid=default_vpc_id(project),
        nics=[PostPaidServerNic(subnet_id=default_subnet_id(project))],
        root_volume=PostPaidServerRootVolume(volumetype="SSD", size=40),
        data_volumes=[PostPaidServerDataVolume(volumetype="SSD", size=size) for size in data_volumes],
    )
    body = CreatePostPaidServersRequestBody(server=server)
    answer = ecs.create_post_paid_servers(CreatePostPaidServersRequest(body=body))
    [server_id] = answer.server_ids
    return answer.job_id, server_id


def test_sdk_server_life_and_images_of_it(world, access_key, project_a, tmp_path):
    from huaweicloudsdkecs.v2 import (
        BatchStopServersOption,
        BatchStopServersRequest,
        BatchStopServersRequestBody,
        ListServersDetailsRequest,
        ServerId,
        ShowJobRequest,
        ShowServerRequest,
    )
    from huaweicloudsdkims.v2 import (
        CreateDataImage,
        CreateImageRequest,
        CreateImageRequestBody,
        CreateWholeImageRequest,
        CreateWholeImageRequestBody,
    )
    from huaweicloudsdkims.v2 import ShowJobRequest as ImsShowJobRequest

    source = content_image(project_a, tmp_path)
    ecs = ecs_client_for(world["url"], *access_key, project_a.id)
    ims = ims_client_for(world["url"], *access_key, project_a.id)
    job_id, server_id = create_server(ecs, project_a, str(source.pk), "sdk-web", data_volumes=[20])
    job = ecs.show_job(ShowJobRequest(job_id=job_id))
    assert job.status == "SUCCESS" and job.entities.sub_jobs[0].entities.server_id == server_id
    shown = ecs.show_server(ShowServerRequest(server_id=server_id)).server
    volumes = {volume.boot_index: volume.id for volume in shown.os_extended_volumesvolumes_attached}
    assert shown.status == "ACTIVE" and shown.flavor.id == "s6.large.2" and set(volumes) == {"0", "1"}
    listed = ecs.list_servers_details(ListServersDetailsRequest())
    assert listed.count == 1 and listed.servers[0].id == server_id
    stop = BatchStopServersOption(servers=[ServerId(id=server_id)], type="SOFT")
    ecs.batch_stop_servers(BatchStopServersRequest(body=BatchStopServersRequestBody(os_stop=stop)))
    assert Server.objects.get(pk=server_id).status == "SHUTOFF"

    body = CreateImageRequestBody(
        name="sdk-from-server",
        instance_id=server_id,
        data_images=[CreateDataImage(name="sdk-from-data", volume_id=volumes["1"])],
    )
    made = ims.show_job(ImsShowJobRequest(job_id=ims.create_image(CreateImageRequest(body=body)).job_id))
    assert made.status == "SUCCESS" and len(made.entities.results) == 2
    whole_body = CreateWholeImageRequestBody(name="sdk-whole", instance_id=server_id)
    whole_job = ims.show_job(
        ImsShowJobRequest(job_id=ims.create_whole_image(CreateWholeImageRequest(body=whole_body)).job_id)
    )
    whole = Image.objects.get(pk=whole_job.entities.image_id)
    assert whole.backup_id and whole.whole_disks.count() == 1

    _job, second_id = create_server(ecs, project_a, made.entities.image_id, "sdk-web-2")
    second = Server.objects.get(pk=second_id)
    assert disk_sha256(second.system_disk.manifest) == disk_sha256(source.manifest)
    assert factories.project_of(world["a"].account).pk == project_a.pk
