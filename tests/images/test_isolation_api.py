"""Tenant isolation through the API: other tenants, read-only users, users without a grant, other regions."""

import pytest

from images.choices import ImageType, Visibility
from tests.factories import make_image, make_user, project_of

LIST = "/v2/cloudimages"


@pytest.fixture
def secret_image(tenant_a):
    return make_image(tenant_a.project, name="a-secret", tags={"team": "a"})


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"__imagetype": "private"},
        {"__imagetype": "shared"},
        {"visibility": "private"},
        {"name": "a-secret"},
        {"tag": "team=a"},
        {"limit": "1000", "sort_key": "name"},
    ],
)
def test_other_tenant_never_lists_a_private_image(api_b, secret_image, params):
    response = api_b.get(LIST, params)
    assert response.status_code == 200
    assert str(secret_image.id) not in {image["id"] for image in response.json()["images"]}


def test_other_tenant_cannot_find_it_by_id_or_show_it(api_b, secret_image):
    assert api_b.get(LIST, {"id": str(secret_image.id)}).json()["images"] == []
    response = api_b.get(f"/v2/images/{secret_image.id}")
    assert response.status_code == 404 and response.json()["error"]["code"] == "IMG.0002"
    assert str(secret_image.id) not in {i["id"] for i in api_b.get("/v2/images", {"limit": 1000}).json()["images"]}


def test_reader_lists_and_shows_but_sees_its_own_projects_quota(signed_client, tenant_a, secret_image):
    reader = signed_client(tenant_a.reader)
    assert [i["name"] for i in reader.get(LIST, {"__imagetype": "private"}).json()["images"]] == ["a-secret"]
    assert reader.get(f"/v2/images/{secret_image.id}").status_code == 200
    quota = reader.get("/v1/cloudimages/quota").json()["quotas"]["resources"]
    assert quota[0]["used"] == 1


@pytest.mark.parametrize("path", [LIST, "/v2/images", "/v1/cloudimages/quota", "/v1/cloudimages/os_version"])
def test_user_without_a_grant_is_refused(signed_client, tenant_a, secret_image, path):
    nobody = make_user(tenant_a.account, "alpha-nobody")
    response = signed_client(nobody).get(path)
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "IMG.0003"


def test_user_without_a_grant_cannot_show_an_image(signed_client, tenant_a, secret_image):
    response = signed_client(make_user(tenant_a.account, "alpha-nobody")).get(f"/v2/images/{secret_image.id}")
    assert response.status_code == 403


def test_grant_in_one_project_does_not_reach_another_region(signed_client, tenant_a, identity):
    local = make_user(tenant_a.account, "alpha-local", "IMS ReadOnlyAccess", project=tenant_a.project)
    assert signed_client(local).get(LIST).status_code == 200
    assert signed_client(local, "cn-east-3").get(LIST).status_code == 403


def test_another_regions_project_sees_only_that_regions_images(signed_client, tenant_a, secret_image, public_catalog):
    east = project_of(tenant_a.account, "cn-east-3")
    east_image = make_image(east, name="a-east")
    east_public = make_image(
        project_of(public_catalog, "cn-east-3"),
        name="east-public",
        image_type=ImageType.GOLD,
        visibility=Visibility.PUBLIC,
    )
    listed = signed_client(tenant_a.admin, "cn-east-3").get(LIST, {"limit": 1000}).json()["images"]
    assert {image["id"] for image in listed} == {str(east_image.id), str(east_public.id)}
    north = signed_client(tenant_a.admin).get(LIST, {"limit": 1000}).json()["images"]
    assert str(east_image.id) not in {image["id"] for image in north} and len(north) == 133
    assert signed_client(tenant_a.admin, "cn-east-3").get(f"/v2/images/{secret_image.id}").status_code == 404
