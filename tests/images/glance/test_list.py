"""GET /v2/images with Glance's filters: size_min/size_max, sort by size, member status of shared images."""

import pytest

from images.models import ImageMember
from tests.factories import make_image
from tests.images.glance.conftest import listed


def test_size_filters_keep_the_images_within_the_bounds(api_a, tenant_a):
    small, middle, large = (make_image(tenant_a.project, size=size) for size in (1000, 2000, 3000))
    assert set(listed(api_a, size_min=1500, size_max=2500)) == {str(middle.id)}
    assert set(listed(api_a, size_min=1500)) == {str(middle.id), str(large.id)}
    assert set(listed(api_a, size=1000)) == {str(small.id)}
    assert api_a.get("/v2/images", {"size_min": "big"}).status_code == 400


def test_sorting_by_size_in_both_spellings(api_a, tenant_a):
    ids = [str(make_image(tenant_a.project, size=size).id) for size in (3000, 1000, 2000)]
    by_size_desc = [ids[0], ids[2], ids[1]]
    assert listed(api_a, sort="size:desc") == by_size_desc
    assert listed(api_a, sort_key="size", sort_dir="desc") == by_size_desc
    assert listed(api_a, sort="size:asc") == by_size_desc[::-1]
    assert api_a.get("/v2/images", {"sort": "size:sideways"}).status_code == 400


def test_a_shared_image_is_listed_to_the_member_once_accepted(api_a, api_b, tenant_a, tenant_b):
    from tests.factories import project_of

    image = make_image(tenant_a.project)
    member = ImageMember.objects.create(image=image, project=project_of(tenant_b.account, "cn-north-4"))
    assert str(image.id) not in listed(api_b)
    assert listed(api_b, visibility="shared", member_status="pending") == [str(image.id)]
    member.status = "accepted"
    member.save()
    assert str(image.id) in listed(api_b)


def test_a_list_shows_each_image_as_its_own_page_does(api_a, tenant_a):
    """The list reads the tags of a whole page in one query: the same tags, in the same order, as the image."""
    tagged = make_image(tenant_a.project, tags={"zone": "b", "app": "", "env": "prod"})
    plain = make_image(tenant_a.project)
    response = api_a.get("/v2/images")
    assert response.status_code == 200
    listed_images = {image["id"]: image for image in response.json()["images"]}
    for image in (tagged, plain):
        shown = api_a.get(f"/v2/images/{image.id}").json()
        assert listed_images[str(image.id)] == shown
    assert listed_images[str(tagged.id)]["tags"] == ["app", "env=prod", "zone=b"]


def test_a_bad_filter_value_is_refused_among_others_with_its_own_name(api_a, tenant_a):
    """Only the filters a query names are validated, and the first bad one is named as the client spelled it."""
    make_image(tenant_a.project)
    response = api_a.get("/v2/images", {"name": "x", "status": "nonsense"})
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Invalid value for status:")
    response = api_a.get("/v2/images", {"status": "nonsense", "__os_type": "Plan9"})
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Invalid value for __os_type:")


def test_a_plain_list_keeps_glance_member_status_without_a_filterset(api_a, api_b, tenant_a, tenant_b, monkeypatch):
    """A list naming no filter but Glance's default member status applies it directly; the shared images still
    follow the member's answer, and a filter named beside it still goes through the filterset."""
    from images import filtersets
    from tests.factories import project_of

    pending, accepted = make_image(tenant_a.project), make_image(tenant_a.project)
    member_project = project_of(tenant_b.account, "cn-north-4")
    ImageMember.objects.create(image=pending, project=member_project)
    ImageMember.objects.create(image=accepted, project=member_project, status="accepted")
    own = make_image(tenant_b.project)
    with monkeypatch.context() as patched:
        patched.setattr(filtersets, "_filterset_of", lambda names: pytest.fail(f"a filterset for {set(names)}"))
        assert set(listed(api_b)) >= {str(accepted.id), str(own.id)}
        assert str(pending.id) not in listed(api_b)
    assert listed(api_b, visibility="shared", member_status="pending") == [str(pending.id)]
    assert api_b.get("/v2/images", {"member_status": "maybe"}).status_code == 400
