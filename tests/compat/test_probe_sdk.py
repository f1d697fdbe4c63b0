import pytest

pytestmark = pytest.mark.compat


def test_probe(world, access_key, project_a):
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkims.v2 import ImsClient, ListImagesRequest
    ak, sk = access_key
    client = ImsClient.new_builder().with_credentials(BasicCredentials(ak, sk, project_a.id)).with_endpoints([world["url"]]).build()
    r = client.list_images(ListImagesRequest(imagetype="gold", os_type="Linux", limit=3, sort_key="name", sort_dir="asc"))
    print(r)
    assert 0
