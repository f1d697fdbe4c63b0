"""The copy paths of the API: a job answered, another tenant's image not found."""

import pytest

from images.models import Image, JobStatus
from tests import factories
from tests.images.manage.helpers_copy import finished, imported_image


@pytest.fixture
def source(tenant_a, tmp_path):
    return imported_image(factories.actor(tenant_a.admin), tmp_path)


@pytest.mark.parametrize("path", ["/v1/cloudimages/{id}/copy", "/v2.1/cloudimages/{id}/copy"])
def test_copy_in_region_answers_a_job(api_a, source, path):
    response = api_a.send("POST", path.format(id=source.pk), {"name": "copied"})
    assert response.status_code == 200, response.content
    job_id = response.json()["job_id"]
    from images.models import Job

    job = finished(Job.objects.get(pk=job_id))
    assert job.status == JobStatus.SUCCESS
    shown = api_a.get(f"/v1/{api_a.project_id}/jobs/{job_id}").json()
    assert shown["status"] == "SUCCESS" and shown["entities"]["image_id"] == job.entities["image_id"]
    assert Image.objects.get(pk=shown["entities"]["image_id"]).name == "copied"


@pytest.mark.parametrize(
    "path, body",
    [
        ("/v1/cloudimages/{id}/copy", {"name": "mine"}),
        ("/v2.1/cloudimages/{id}/copy", {"name": "mine"}),
        ("/v1/cloudimages/{id}/cross_region_copy", {"name": "mine", "region": "cn-east-3", "agency_name": "a"}),
        ("/v1/cloudimages/{id}/file", {"bucket_url": "images:x.qcow2", "file_format": "qcow2"}),
        ("/v2.1/cloudimages/{id}/file", {"bucket_url": "images:x.qcow2", "file_format": "qcow2"}),
    ],
)
def test_another_tenant_can_never_copy_or_export_the_image(api_b, source, path, body):
    response = api_b.send("POST", path.format(id=source.pk), body)
    assert response.status_code == 404 and response.json()["error"]["code"] == "IMG.0002"


def test_refusals_carry_their_code(api_a, source):
    response = api_a.send("POST", f"/v1/cloudimages/{source.pk}/copy", {"name": "c", "cmk_id": "key"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "IMG.0001"  # no such KMS key
