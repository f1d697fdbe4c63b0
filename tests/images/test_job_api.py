"""Jobs: GET /v1/{project_id}/jobs/{job_id} (show_job) and GET /v1/cloudimages/job/{job_id} (show_job_progress)."""

from datetime import UTC, datetime

import pytest

from images.models import Job, JobStatus
from tests.factories import make_image, project_of


@pytest.fixture
def job(tenant_a):
    image = make_image(tenant_a.project, name="from-file")
    return Job.objects.create(
        project=tenant_a.project,
        user=tenant_a.admin,
        image=image,
        job_type="createImageByFile",
        status=JobStatus.RUNNING,
        phase="converting",
        percent=42.5,
        begin_time=datetime(2026, 11, 29, 9, 0, 0, tzinfo=UTC),
    )


def test_show_job(api_a, tenant_a, job):
    response = api_a.get(f"/v1/{tenant_a.project.id}/jobs/{job.id}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["job_id"] == job.id and body["status"] == "RUNNING" and body["job_type"] == "createImageByFile"
    assert body["begin_time"] == "2026-11-29T09:00:00Z" and body["end_time"] == ""
    assert body["error_code"] is None and body["fail_reason"] is None
    entities = body["entities"]
    assert entities["image_id"] == str(job.image_id) and entities["image_name"] == "from-file"
    assert entities["current_task"] == "converting" and entities["process_percent"] == 42.5


def test_show_failed_job_names_the_error(api_a, tenant_a, job):
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAIL, error_code="IMG.0100", fail_reason="bad file")
    body = api_a.get(f"/v1/{tenant_a.project.id}/jobs/{job.id}").json()
    assert body["status"] == "FAIL" and body["error_code"] == "IMG.0100" and body["fail_reason"] == "bad file"
    assert body["entities"]["error_code"] == "IMG.0100"


def test_show_job_progress(api_a, job):
    body = api_a.get(f"/v1/cloudimages/job/{job.id}").json()
    assert body["job_id"] == job.id and body["entities"]["process_percent"] == 42.5


def test_path_project_of_another_tenant_is_404(api_a, tenant_b, job):
    response = api_a.get(f"/v1/{tenant_b.project.id}/jobs/{job.id}")
    assert response.status_code == 404 and response.json()["error"]["code"] == "IMG.0404"


def test_path_project_of_another_region_is_404(api_a, tenant_a, job):
    response = api_a.get(f"/v1/{project_of(tenant_a.account, 'cn-east-3').id}/jobs/{job.id}")
    assert response.status_code == 404


def test_literal_project_id_placeholder_is_400(api_a, job):
    # A client built without a project id sends the path template unfilled.
    response = api_a.get(f"/v1/%7Bproject_id%7D/jobs/{job.id}")
    assert response.status_code == 400
    assert "project id" in response.json()["error"]["message"]


def test_job_of_another_tenant_is_404(api_b, tenant_b, job):
    assert api_b.get(f"/v1/{tenant_b.project.id}/jobs/{job.id}").status_code == 404
    assert api_b.get(f"/v1/cloudimages/job/{job.id}").status_code == 404


@pytest.mark.parametrize("job_id", ["0" * 32, "nope", "x" * 300])
def test_unknown_job_is_404(api_a, tenant_a, job_id):
    response = api_a.get(f"/v1/{tenant_a.project.id}/jobs/{job_id}")
    assert response.status_code == 404 and response.json()["error"]["code"] == "IMG.0006"
