"""The list API's query count does not grow with the number of images (no query per image or per tag)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from images.models import Image, ImageTag

# The access key with its user and account, the project, the grants, one page of images with their tags.
LIST_QUERIES = 4


def fill(project, count: int) -> None:
    images = Image.objects.bulk_create(
        Image(region=project.region, owner=project, name=f"bulk-{n:04d}", status="active") for n in range(count)
    )
    ImageTag.objects.bulk_create(ImageTag(image=image, key="n", value=str(n)) for n, image in enumerate(images))


def queries_of_a_page(client) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get("/v2/cloudimages", {"limit": 100})
    assert response.status_code == 200 and len(response.json()["images"]) == 100
    return [query["sql"] for query in context.captured_queries]


@pytest.fixture
def warm_api(api_a):
    api_a.get("/v2/cloudimages", {"limit": 1})  # the first call notes the key's use: a write later calls skip
    return api_a


@pytest.mark.parametrize("count", [20, 300])
def test_list_page_query_count_is_pinned(warm_api, tenant_a, public_catalog, count, django_assert_max_num_queries):
    fill(tenant_a.project, count)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = warm_api.get("/v2/cloudimages", {"limit": 100})
    assert len(response.json()["images"]) == 100


def test_list_page_query_count_is_the_same_for_20_and_300_images(warm_api, tenant_a, public_catalog):
    fill(tenant_a.project, 20)
    few = queries_of_a_page(warm_api)
    fill(tenant_a.project, 280)
    many = queries_of_a_page(warm_api)
    assert len(few) == len(many) == LIST_QUERIES, "\n".join(many)


def test_glance_list_page_query_count_is_pinned(warm_api, tenant_a, public_catalog, django_assert_max_num_queries):
    fill(tenant_a.project, 300)
    with django_assert_max_num_queries(LIST_QUERIES):
        assert warm_api.get("/v2/images", {"limit": 100}).status_code == 200


def test_each_listed_image_shows_its_own_tags_by_key(warm_api, tenant_a):
    fill(tenant_a.project, 30)
    image = Image.objects.filter(owner=tenant_a.project).first()
    number = ImageTag.objects.get(image=image).value  # fill() gave it n=<its number>
    ImageTag.objects.bulk_create(ImageTag(image=image, key=key, value=value) for key, value in [("zz", ""), ("a", "1")])
    listed = {row["id"]: row["tags"] for row in warm_api.get("/v2/images", {"limit": 100}).json()["images"]}
    assert listed[str(image.pk)] == ["a=1", f"n={number}", "zz"]
    others = [tags for image_id, tags in listed.items() if image_id != str(image.pk)]
    assert len(others) == 29 and all(len(tags) == 1 and tags[0].startswith("n=") for tags in others)
    untagged = Image.objects.create(region=tenant_a.project.region, owner=tenant_a.project, status="active")
    listed = {row["id"]: row["tags"] for row in warm_api.get("/v2/images", {"limit": 100}).json()["images"]}
    assert listed[str(untagged.pk)] == []
