"""The official SDK copies images within and across regions and exports them; a real worker runs the jobs."""

import pytest

from iam.actors import system_actor
from images.models import Image
from obs.models import StoredObject
from obs.services import create_bucket
from tests import factories
from tests.compat.test_sdk import client_for as sdk_client
from tests.compat.test_sdk_import import finished_job
from tests.images.manage.helpers_copy import disk_sha256, imported_image

pytestmark = [pytest.mark.compat, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


@pytest.fixture
def source(world, tmp_path):
    return imported_image(factories.actor(world["a"].admin), tmp_path)


@pytest.fixture
def client(world, access_key, project_a):
    return sdk_client(world["url"], *access_key, project_a.id)


def test_sdk_copy_image_in_region_and_show_job(client, source, job_worker):
    from huaweicloudsdkims.v2 import CopyImageInRegionRequest, CopyImageInRegionRequestBody

    body = CopyImageInRegionRequestBody(name="sdk-copy", description="by the SDK")
    job_id = client.copy_image_in_region(CopyImageInRegionRequest(image_id=str(source.pk), body=body)).job_id
    job = finished_job(client, job_id)
    assert job.status == "SUCCESS", job.fail_reason
    copy = Image.objects.get(pk=job.entities.image_id)
    assert copy.name == "sdk-copy" and copy.status == "active" and disk_sha256(copy) == source.os_hash_value


def test_sdk_copy_image_cross_region(client, source, job_worker):
    from huaweicloudsdkims.v2 import CopyImageCrossRegionRequest, CopyImageCrossRegionRequestBody

    body = CopyImageCrossRegionRequestBody(
        name="sdk-far", region="cn-east-3", project_name="cn-east-3", agency_name="ims_admin_agency"
    )
    job_id = client.copy_image_cross_region(CopyImageCrossRegionRequest(image_id=str(source.pk), body=body)).job_id
    job = finished_job(client, job_id)
    assert job.status == "SUCCESS", job.fail_reason
    copy = Image.objects.get(pk=job.entities.image_id)
    assert copy.region_id == "cn-east-3" and disk_sha256(copy) == source.os_hash_value


def test_sdk_export_image(client, source, project_a, job_worker):
    from huaweicloudsdkims.v2 import ExportImageRequest, ExportImageRequestBody

    create_bucket(system_actor(project_a), name="sdk-exports")
    body = ExportImageRequestBody(bucket_url="sdk-exports:disk.qcow2", file_format="qcow2")
    job_id = client.export_image(ExportImageRequest(image_id=str(source.pk), body=body)).job_id
    assert finished_job(client, job_id).status == "SUCCESS"
    assert (
        StoredObject.objects.filter(bucket__name="sdk-exports", key__in=["disk.qcow2", "disk.qcow2.sha256"]).count()
        == 2
    )


def test_sdk_refusal_is_a_client_error(client, source):
    from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
    from huaweicloudsdkims.v2 import ExportImageRequest, ExportImageRequestBody

    body = ExportImageRequestBody(bucket_url="nobucket:disk.zvhd", file_format="zvhd")
    with pytest.raises(ClientRequestException) as raised:
        client.export_image(ExportImageRequest(image_id=str(source.pk), body=body))
    assert raised.value.error_code == "IMG.0715"
