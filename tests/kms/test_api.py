"""The KMS API's wire shapes and refusals, and the encryption fields of the IMS and Glance representations."""

import pytest

from images.jobs.imports import run_import
from images.models import Job, JobStatus
from tests.api_clients import SignedClient
from tests.images.imports.helpers import pattern_disk, upload


@pytest.fixture
def api(tenant_a):
    return SignedClient(tenant_a.admin, project=tenant_a.project)


def kms_post(api, route: str, body: dict):
    return api.send("POST", f"/v1.0/{api.project_id}/kms/{route}", body)


def test_a_key_is_described_in_the_official_shape(api):
    key_id = kms_post(api, "create-key", {"key_alias": "wire/key", "key_description": "d"}).json()["key_info"]["key_id"]
    info = kms_post(api, "describe-key", {"key_id": key_id}).json()["key_info"]
    assert info["key_alias"] == "wire/key" and info["key_state"] == "2" and info["default_key_flag"] == "0"
    assert info["realm"] == "cn-north-4" and info["creation_date"].isdigit()


@pytest.mark.parametrize(
    "route, body, status, code",
    [
        ("create-key", {"key_alias": "x", "key_spec": "RSA_2048"}, 400, "KMS.0001"),
        ("create-key", {}, 400, "KMS.0001"),
        ("describe-key", {"key_id": "00000000-0000-0000-0000-000000000000"}, 404, "KMS.0404"),
        ("schedule-key-deletion", {"key_id": "k", "pending_days": "soon"}, 400, "KMS.0001"),
        ("create-datakey", {"key_id": "k", "datakey_length": "7"}, 400, "KMS.0001"),
    ],
)
def test_refusals_carry_their_code(api, route, body, status, code):
    response = kms_post(api, route, body)
    assert response.status_code == status and response.json()["error"]["code"] == code, response.content


def test_another_projects_path_is_not_found(api, tenant_b):
    response = api.send("POST", f"/v1.0/{tenant_b.project.id}/kms/list-keys", {})
    assert response.status_code == 404


def test_a_data_image_imported_with_a_key_shows_it_in_the_ims_and_glance_views(api, tenant_a, tmp_path):
    from tests import factories

    key_id = kms_post(api, "create-key", {"key_alias": "wire/images"}).json()["key_info"]["key_id"]
    url = upload(factories.actor(tenant_a.admin), pattern_disk(tmp_path / "d.raw", guest=False), "d.raw")
    body = {"name": "sealed-data", "image_url": url, "min_disk": 40, "cmk_id": key_id}
    job_id = api.send("POST", "/v1/cloudimages/dataimages/action", body).json()["job_id"]
    run_import(job_id)
    job = Job.objects.get(pk=job_id)
    assert job.status == JobStatus.SUCCESS, job.fail_reason

    listed = api.get(f"/v2/cloudimages?id={job.image_id}").json()["images"][0]
    shown = api.get(f"/v2/images/{job.image_id}").json()
    for view in (listed, shown):
        assert view["__system__cmkid"] == key_id and view["__system_encrypted"] == "1"
