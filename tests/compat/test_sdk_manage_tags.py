"""The official IMS SDK, unchanged, modifying, tagging and deleting images on a live server."""

import pytest

from images.choices import ImageStatus
from images.models import Image, ImageTag
from tests.compat.test_sdk import client_for, sdk
from tests.factories import make_image

pytestmark = [pytest.mark.compat, pytest.mark.filterwarnings("ignore::DeprecationWarning")]
# images.api.urls routes GET /v2/images/{id} ahead of PATCH and DELETE: see the note in test_update_api.


@pytest.fixture
def ims_client(world, access_key, project_a):
    return client_for(world["url"], *access_key, project_a.id)


def test_update_image_with_string_typed_values(ims_client, project_a):
    *_, ims = sdk()
    image = make_image(project_a, name="before")
    response = ims_client.update_image(
        ims.UpdateImageRequest(
            image_id=str(image.id),
            body=[
                ims.UpdateImageRequestBody(op="replace", path="/name", value="after"),
                ims.UpdateImageRequestBody(op="replace", path="/min_ram", value="1024"),
            ],
        )
    )
    assert response.name == "after" and response.min_ram == 1024 and isinstance(response.protected, bool)
    assert Image.objects.get(pk=image.pk).min_ram == 1024


def test_update_image_refusal_reaches_the_sdk_as_a_client_error(ims_client, project_a):
    _, ClientRequestException, _, ims = sdk()
    image = make_image(project_a)
    with pytest.raises(ClientRequestException) as refused:
        ims_client.update_image(
            ims.UpdateImageRequest(
                image_id=str(image.id), body=[ims.UpdateImageRequestBody(op="replace", path="/status", value="killed")]
            )
        )
    assert refused.value.status_code == 400 and refused.value.error_code == "IMG.0001"


def test_add_list_and_batch_tags(ims_client, project_a):
    *_, ims = sdk()
    image = make_image(project_a)
    ims_client.add_image_tag(
        ims.AddImageTagRequest(
            image_id=str(image.id), body=ims.AddImageTagRequestBody(tag=ims.ResourceTag(key="env", value="prod"))
        )
    )
    ims_client.batch_add_or_delete_tags(
        ims.BatchAddOrDeleteTagsRequest(
            image_id=str(image.id),
            body=ims.BatchAddOrDeleteTagsRequestBody(
                action="create", tags=[ims.ResourceTag(key="team", value="web"), ims.ResourceTag(key="tier", value="1")]
            ),
        )
    )
    ims_client.batch_add_or_delete_tags(
        ims.BatchAddOrDeleteTagsRequest(
            image_id=str(image.id),
            body=ims.BatchAddOrDeleteTagsRequestBody(action="delete", tags=[ims.ResourceTag(key="tier", value="1")]),
        )
    )
    listed = ims_client.list_image_tags(ims.ListImageTagsRequest(image_id=str(image.id))).tags
    assert [(t.key, t.value) for t in listed] == [("env", "prod"), ("team", "web")]


def test_list_image_by_tags_with_string_limit_and_offset(ims_client, project_a):
    *_, ims = sdk()
    wanted = make_image(project_a, name="wanted", tags={"env": "prod"})
    make_image(project_a, name="other", tags={"env": "test"})
    response = ims_client.list_image_by_tags(
        ims.ListImageByTagsRequest(
            body=ims.ListImageByTagsRequestBody(
                action="filter", tags=[ims.Tags(key="env", values=["prod"])], limit="10", offset="0"
            )
        )
    )
    assert response.total_count == 1 and response.resources[0].resource_id == str(wanted.id)
    assert response.resources[0].resource_detail.status == "active"
    assert [(t.key, t.value) for t in response.resources[0].tags] == [("env", "prod")]


def test_glance_update_image(ims_client, project_a):
    *_, ims = sdk()
    image = make_image(project_a)
    response = ims_client.glance_update_image(
        ims.GlanceUpdateImageRequest(
            image_id=str(image.id),
            body=[
                ims.GlanceUpdateImageRequestBody(op="replace", path="/name", value="via glance"),
                ims.GlanceUpdateImageRequestBody(op="add", path="/__description", value="set by the SDK"),
            ],
        )
    )
    assert response.name == "via glance" and response.description == "set by the SDK"


def test_glance_delete_image(ims_client, project_a):
    *_, ims = sdk()
    image = make_image(project_a)
    ims_client.glance_delete_image(
        ims.GlanceDeleteImageRequest(image_id=str(image.id), body=ims.GlanceDeleteImageRequestBody(delete_backup=False))
    )
    assert Image.objects.get(pk=image.pk).status == ImageStatus.DELETED
    other = make_image(project_a)
    ims_client.glance_delete_image(ims.GlanceDeleteImageRequest(image_id=str(other.id)))
    assert Image.objects.get(pk=other.pk).status == ImageStatus.DELETED
    assert not ImageTag.objects.filter(image=image).exists()
