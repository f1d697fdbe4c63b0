"""Glance's `owner` named by a cloud administrator: an id that is no project of the region puts the image in the
region's holding project of the platform, which records the id and shows it as the owner (Tempest's
`test_create_image_owner_param`, `test_update_image_owner_param`); a real project takes the image back."""

import uuid

import pytest
from django.test import override_settings

from iam.models import Project
from images.models import Image
from tests.images.glance.conftest import create, listed, patch


def random_owner() -> str:
    return uuid.uuid4().hex


def held(image_id) -> Image:
    return Image.objects.select_related("owner__account").get(pk=image_id)


def test_an_administrator_creates_an_image_for_an_owner_no_project_has(operator, tenant_a):
    owner = random_owner()
    response = create(operator, container_format="bare", disk_format="raw", owner=owner)
    assert response.status_code == 201 and response.json()["owner"] == owner
    assert operator.get(f"/v2/images/{response.json()['id']}").json()["owner"] == owner
    image = held(response.json()["id"])
    assert image.external_owner == owner
    assert image.owner.account.is_platform and image.owner.name == "cn-north-4_unassigned"
    assert image.owner.account != tenant_a.account and image.region_id == image.owner.region_id == "cn-north-4"


def test_the_ims_api_shows_the_holding_project_as_owner_and_glance_the_recorded_id(operator):
    owner = random_owner()
    image_id = create(operator, name="held", owner=owner).json()["id"]
    holding = held(image_id).owner
    [shown] = operator.get("/v2/cloudimages", {"id": image_id}).json()["images"]
    assert shown["owner"] == holding.id and shown["__imagetype"] == "private"
    glance = operator.get(f"/v2/images/{image_id}").json()
    assert glance["owner"] == owner and glance["visibility"] == "private"


def test_the_holding_project_is_one_per_region_and_made_once(operator):
    first = held(create(operator, name="one", owner=random_owner()).json()["id"]).owner
    second = held(create(operator, name="two", owner=random_owner()).json()["id"]).owner
    assert first == second
    assert Project.objects.filter(name="cn-north-4_unassigned").count() == 1


def test_a_non_administrator_cannot_name_an_owner(api_a):
    response = create(api_a, name="x", owner=random_owner())
    assert response.status_code == 403 and response.json()["error"]["code"] == "IMG.0003"
    image_id = create(api_a, name="mine").json()["id"]
    refused = patch(api_a, image_id, {"op": "replace", "path": "/owner", "value": random_owner()})
    assert refused.status_code == 403
    assert held(image_id).external_owner == "" and not Project.objects.filter(name__endswith="_unassigned").exists()


def test_an_owner_set_to_an_unknown_id_takes_the_image_from_its_tenant_until_given_to_a_real_project(
    operator, api_a, api_b, tenant_b
):
    image_id = create(operator, name="moving").json()["id"]  # the operator works in tenant A's project
    assert api_a.get(f"/v2/images/{image_id}").status_code == 200

    first, second = random_owner(), random_owner()
    assert patch(operator, image_id, {"op": "replace", "path": "/owner", "value": first}).status_code == 200
    assert patch(operator, image_id, {"op": "replace", "path": "/owner", "value": second}).json()["owner"] == second
    assert api_a.get(f"/v2/images/{image_id}").status_code == 404 and image_id not in listed(api_a)
    assert api_b.get(f"/v2/images/{image_id}").status_code == 404
    assert api_a.send("DELETE", f"/v2/images/{image_id}").status_code == 404

    given = patch(operator, image_id, {"op": "replace", "path": "/owner", "value": tenant_b.project.id})
    assert given.status_code == 200 and given.json()["owner"] == tenant_b.project.id
    image = held(image_id)
    assert image.owner_id == tenant_b.project.id and image.external_owner == ""
    assert api_b.get(f"/v2/images/{image_id}").json()["owner"] == tenant_b.project.id


def test_the_administrator_lists_held_images_under_their_recorded_owner(operator, api_a):
    owner = random_owner()
    image_id = create(operator, name="listed", owner=owner).json()["id"]
    assert image_id in listed(operator)
    assert listed(operator, owner=owner) == [image_id]
    assert image_id not in listed(api_a) and listed(api_a, owner=owner) == []


def test_the_administrator_deletes_a_held_image(operator):
    image_id = create(operator, name="gone", owner=random_owner()).json()["id"]
    assert operator.send("DELETE", f"/v2/images/{image_id}").status_code == 204
    assert operator.get(f"/v2/images/{image_id}").status_code == 404


@override_settings(IMS_PRIVATE_IMAGE_QUOTA=1)
def test_held_images_count_against_the_holding_project(operator):
    assert create(operator, name="first", owner=random_owner()).status_code == 201
    refused = create(operator, name="second", owner=random_owner())
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "IMG.0301"
    assert create(operator, name="own").status_code == 201  # the operator's own project is not full


@pytest.mark.parametrize("owner", ["x" * 256, "line\nbreak"])
def test_a_bad_owner_id_is_refused_with_the_field_named(operator, owner):
    response = create(operator, name="bad", owner=owner)
    assert response.status_code == 400 and "owner" in response.json()["error"]["message"]


def test_the_holding_project_itself_cannot_be_named_as_owner(operator):
    holding = held(create(operator, name="held", owner=random_owner()).json()["id"]).owner
    response = create(operator, name="direct", owner=holding.id)
    assert response.status_code == 400 and "holding project" in response.json()["error"]["message"]
