"""The official Huawei Cloud IMS SDK (huaweicloudsdkims), unchanged, against a live server."""

import pytest

from images.choices import ImageType
from images.models import Image, Job, JobStatus
from tests.factories import make_image

# show_job and the Glance calls are marked deprecated in the SDK, yet scripts use them and the API serves them.
pytestmark = [pytest.mark.compat, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def sdk():
    # Imported late: the client environment (HOME, proxies) is set up first.
    import huaweicloudsdkims.v2 as ims
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
    from huaweicloudsdkcore.region.region import Region

    return BasicCredentials, ClientRequestException, Region, ims


def client_for(url: str, ak: str, sk: str, project_id: str | None):
    BasicCredentials, _, _, ims = sdk()
    return (
        ims.ImsClient.new_builder().with_credentials(BasicCredentials(ak, sk, project_id)).with_endpoints([url]).build()
    )


@pytest.fixture
def ims_client(world, access_key, project_a):
    return client_for(world["url"], *access_key, project_a.id)


def test_list_images_with_filters_and_typed_fields(ims_client):
    *_, ims = sdk()
    response = ims_client.list_images(
        ims.ListImagesRequest(imagetype="gold", os_type="Linux", limit=10, sort_key="name", sort_dir="asc")
    )
    images = response.images
    assert len(images) == 10 and response.page_info.next_marker == images[-1].id
    assert all(image.imagetype == "gold" and image.os_type == "Linux" for image in images)
    assert [image.name for image in images] == sorted(image.name for image in images)
    first = images[0]
    assert isinstance(first.min_disk, int) and isinstance(first.protected, bool) and first.protected
    assert isinstance(first.system_support_market, bool) and first.system_support_market is False
    assert first.support_kvm == "true" and first.visibility == "public" and first.status == "active"
    assert first._self == f"/v2/images/{first.id}" and first.image_size.isdigit()


def test_walk_every_page_with_the_marker(ims_client):
    *_, ims = sdk()
    seen, marker = [], None
    while True:
        response = ims_client.list_images(
            ims.ListImagesRequest(
                imagetype="gold", os_type="Linux", limit=25, sort_key="name", sort_dir="asc", marker=marker
            )
        )
        seen += [image.id for image in response.images]
        if response.page_info is None:
            break
        marker = response.page_info.next_marker
    expected = Image.objects.filter(image_type=ImageType.GOLD, os_type="Linux", region_id="cn-north-4").count()
    assert len(seen) == len(set(seen)) == expected


def test_private_filters_with_encoded_values(ims_client, project_a):
    *_, ims = sdk()
    wanted = make_image(project_a, name="my image 镜像", tags={"a": "b"})
    make_image(project_a, name="other image")
    response = ims_client.list_images(
        ims.ListImagesRequest(
            imagetype="private", name="my image 镜像", tag="a=b", created_at="gt:2018-10-28T10:00:00Z", protected=False
        )
    )
    assert [image.id for image in response.images] == [str(wanted.id)]
    assert response.images[0].tags == ["a=b"] and response.page_info is None


def test_list_os_versions(ims_client):
    *_, ims = sdk()
    groups = ims_client.list_os_versions(ims.ListOsVersionsRequest()).body
    ubuntu = next(group for group in groups if group.platform == "Ubuntu")
    assert ubuntu.version_list and isinstance(ubuntu.version_list[0].os_bit, int)
    arm = ims_client.list_os_versions(ims.ListOsVersionsRequest(tag="arm")).body
    assert all(v.os_version.endswith("with ARM") for group in arm for v in group.version_list)


def test_show_image_quota(ims_client, project_a):
    *_, ims = sdk()
    make_image(project_a)
    resources = {r.type: r for r in ims_client.show_image_quota(ims.ShowImageQuotaRequest()).quotas.resources}
    assert resources["image"].used == 1 and resources["image"].quota == 100 and "task" in resources


def test_show_job_and_its_progress(ims_client, project_a, world):
    *_, ims = sdk()
    image = make_image(project_a, name="being-made")
    job = Job.objects.create(
        project=project_a,
        user=world["a"].admin,
        image=image,
        job_type="createImageByFile",
        status=JobStatus.RUNNING,
        phase="uploading",
        percent=12.5,
    )
    shown = ims_client.show_job(ims.ShowJobRequest(job_id=job.id))
    assert (shown.status, shown.job_id, shown.job_type) == ("RUNNING", job.id, "createImageByFile")
    assert shown.entities.image_id == str(image.id) and shown.entities.process_percent == 12.5
    progress = ims_client.show_job_progress(ims.ShowJobProgressRequest(job_id=job.id))
    assert progress.entities.image_name == "being-made"


def test_unknown_job_raises_404(ims_client):
    _, ClientRequestException, _, ims = sdk()
    with pytest.raises(ClientRequestException) as caught:
        ims_client.show_job(ims.ShowJobRequest(job_id="0" * 32))
    assert caught.value.status_code == 404 and caught.value.error_code == "IMG.0006"


def test_glance_list_and_show(ims_client, project_a):
    *_, ims = sdk()
    image = make_image(project_a, name="glance-seen", min_disk=60)
    listed = ims_client.glance_list_images(ims.GlanceListImagesRequest(imagetype="private"))
    assert [i.id for i in listed.images] == [str(image.id)] and listed.first and listed.schema
    shown = ims_client.glance_show_image(ims.GlanceShowImageRequest(image_id=str(image.id)))
    assert shown.name == "glance-seen" and shown.min_disk == 60 and shown.imagetype == "private"


def test_versions(ims_client):
    *_, ims = sdk()
    versions = ims_client.list_versions(ims.ListVersionsRequest()).versions
    assert {v.id for v in versions} >= {"v1", "v2"} and all(v.links[0].href for v in versions)
    assert [v.id for v in ims_client.show_version(ims.ShowVersionRequest(version="v2")).versions] == ["v2"]


def test_wrong_secret_key_raises_401_apigw_0301(world, access_key, project_a):
    _, ClientRequestException, _, ims = sdk()
    ak, _ = access_key
    client = client_for(world["url"], ak, "not-the-secret-key-0123456789abcdefghijk", project_a.id)
    with pytest.raises(ClientRequestException) as caught:
        client.list_images(ims.ListImagesRequest(limit=1))
    assert caught.value.status_code == 401 and caught.value.error_code == "APIGW.0301"
    assert caught.value.request_id


def test_client_without_project_gets_a_clear_400_on_project_paths(world, access_key):
    _, ClientRequestException, _, ims = sdk()
    client = client_for(world["url"], *access_key, None)
    assert client.list_images(ims.ListImagesRequest(limit=1)).images  # the default project answers
    with pytest.raises(ClientRequestException) as caught:
        client.show_job(ims.ShowJobRequest(job_id="0" * 32))
    assert caught.value.status_code == 400 and caught.value.error_code == "IMG.0001"


def test_project_discovery_with_a_region_and_no_project_id(world, access_key, project_a, monkeypatch):
    BasicCredentials, _, Region, ims = sdk()
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", world["url"])
    credentials = BasicCredentials(*access_key)
    client = (
        ims.ImsClient.new_builder()
        .with_credentials(credentials)
        .with_region(Region("cn-north-4", world["url"]))
        .build()
    )
    assert credentials.project_id == project_a.id  # found by GET /v3/projects?name=cn-north-4
    job = Job.objects.create(project=project_a, job_type="createImageByFile", status=JobStatus.SUCCESS)
    assert client.show_job(ims.ShowJobRequest(job_id=job.id)).status == "SUCCESS"
