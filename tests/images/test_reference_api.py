"""OS versions (GET /v1/cloudimages/os_version) and quotas (GET /v1/cloudimages/quota)."""

import pytest

from images.choices import ImageStatus
from images.models import Job, JobStatus
from tests.factories import make_image, project_of

OS_VERSIONS = "/v1/cloudimages/os_version"
QUOTA = "/v1/cloudimages/quota"


def test_os_versions_are_a_bare_array_grouped_by_platform(api_a, public_catalog):
    body = api_a.get(OS_VERSIONS).json()
    assert isinstance(body, list)
    platforms = [group["platform"] for group in body]
    assert len(platforms) == len(set(platforms)) and "Ubuntu" in platforms and "Other" in platforms
    for group in body:
        for version in group["version_list"]:
            assert version["platform"] == group["platform"]
            assert isinstance(version["os_bit"], int) and version["os_type"] in ("Linux", "Windows", "Other")
            assert version["os_version_key"] == version["os_version"]


@pytest.mark.parametrize(
    ("tag", "check"),
    [
        ("arm", lambda v: v.endswith("with ARM")),
        ("x86", lambda v: not v.endswith("with ARM")),
    ],
)
def test_os_versions_by_architecture_tag(api_a, public_catalog, tag, check):
    versions = [v["os_version"] for group in api_a.get(OS_VERSIONS, {"tag": tag}).json() for v in group["version_list"]]
    assert versions and all(check(version) for version in versions)


def test_os_versions_uefi_tag_is_a_subset(api_a, public_catalog):
    def count(params):
        return sum(len(group["version_list"]) for group in api_a.get(OS_VERSIONS, params).json())

    assert 0 < count({"tag": "uefi"}) < count({})


def test_unknown_os_version_tag_is_400(api_a, public_catalog):
    response = api_a.get(OS_VERSIONS, {"tag": "sparc"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "IMG.0001"


def quotas(response) -> dict:
    assert response.status_code == 200, response.content
    return {r["type"]: r for r in response.json()["quotas"]["resources"]}


def test_quota_counts_the_callers_project_only(api_a, signed_client, tenant_a, tenant_b):
    make_image(tenant_a.project)
    make_image(tenant_a.project)
    make_image(tenant_a.project, status=ImageStatus.KILLED)  # a failed image holds no quota
    make_image(project_of(tenant_a.account, "cn-east-3"))
    make_image(tenant_b.project)
    Job.objects.create(project=tenant_a.project, job_type="createImageByFile", status=JobStatus.RUNNING)
    Job.objects.create(project=tenant_a.project, job_type="createImageByFile", status=JobStatus.SUCCESS)
    image, task = quotas(api_a.get(QUOTA)).values()
    assert image == {"type": "image", "used": 2, "quota": 100, "min": 1, "max": 10000}
    assert task["type"] == "task" and task["used"] == 1 and isinstance(task["quota"], int)
    assert quotas(signed_client(tenant_a.reader).get(QUOTA))["image"]["used"] == 2
    assert quotas(signed_client(tenant_a.admin, "cn-east-3").get(QUOTA))["image"]["used"] == 1
    assert quotas(signed_client(tenant_b.admin).get(QUOTA))["image"]["used"] == 1
