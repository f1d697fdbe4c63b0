"""The tag editor on the image detail page: an htmx panel for owners, disabled with a reason for others."""

import pytest

from audit.models import Trace, TraceResult
from images.models import ImageTag
from tests.factories import make_image, share

DETAIL = "/console/images/{}"
PANEL = "/console/images/{}/tags"


@pytest.fixture
def console_as(db):
    from django.test import Client

    def build(user):
        client = Client()
        client.force_login(user)
        return client

    return build


def test_the_detail_page_loads_the_tag_editor(console_as, tenant_a):
    image = make_image(tenant_a.project)
    html = console_as(tenant_a.admin).get(DETAIL.format(image.id)).content.decode()
    assert f'hx-get="/console/images/{image.id}/tags"' in html


def test_the_owner_sees_tags_with_add_and_delete(console_as, tenant_a):
    image = make_image(tenant_a.project, tags={"env": "prod"})
    response = console_as(tenant_a.admin).get(PANEL.format(image.id))
    html = response.content.decode()
    assert response.status_code == 200 and "env" in html and "prod" in html
    assert 'data-testid="tag-add"' in html and 'data-testid="tag-delete"' in html


def test_adding_a_tag_with_htmx_answers_the_refreshed_panel(console_as, tenant_a):
    image = make_image(tenant_a.project)
    response = console_as(tenant_a.admin).post(
        PANEL.format(image.id), {"key": "team", "value": "web"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and "team" in response.content.decode()
    assert dict(ImageTag.objects.filter(image=image).values_list("key", "value")) == {"team": "web"}
    assert Trace.objects.get(event_name="addTag").result == TraceResult.SUCCESS


def test_without_htmx_a_post_redirects_to_the_detail_page(console_as, tenant_a):
    image = make_image(tenant_a.project)
    response = console_as(tenant_a.admin).post(PANEL.format(image.id), {"key": "team"})
    assert response.status_code == 302 and response.url == DETAIL.format(image.id)


def test_a_bad_tag_is_shown_in_the_panel(console_as, tenant_a):
    image = make_image(tenant_a.project)
    response = console_as(tenant_a.admin).post(
        PANEL.format(image.id), {"key": "bad key!"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and 'data-testid="tag-error"' in response.content.decode()
    assert not ImageTag.objects.filter(image=image).exists()


def test_deleting_a_tag(console_as, tenant_a):
    image = make_image(tenant_a.project, tags={"env": "prod", "team": "web"})
    response = console_as(tenant_a.admin).post(f"{PANEL.format(image.id)}/env/delete", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert list(ImageTag.objects.filter(image=image).values_list("key", flat=True)) == ["team"]


def test_a_full_image_offers_no_add_form(console_as, tenant_a):
    image = make_image(tenant_a.project, tags={f"k{n}": "" for n in range(10)})
    html = console_as(tenant_a.admin).get(PANEL.format(image.id)).content.decode()
    assert 'data-testid="tag-add"' not in html and "at most 10 tags" in html


def test_a_reader_sees_disabled_buttons_with_the_reason_and_cannot_post(console_as, tenant_a):
    image = make_image(tenant_a.project, tags={"env": "prod"})
    client = console_as(tenant_a.reader)
    html = client.get(PANEL.format(image.id)).content.decode()
    assert 'data-testid="tag-refusal"' in html and "ims:images:update" in html
    assert 'data-testid="tag-add"' not in html and "disabled" in html
    response = client.post(PANEL.format(image.id), {"key": "x"}, headers={"HX-Request": "true"})
    assert "tag-error" in response.content.decode()
    assert Trace.objects.get(event_name="addTag").result == TraceResult.DENIED
    assert list(ImageTag.objects.filter(image=image).values_list("key", flat=True)) == ["env"]


def test_a_member_project_sees_the_tags_of_a_shared_image_but_cannot_change_them(console_as, tenant_a, tenant_b):
    image = make_image(tenant_a.project, tags={"env": "prod"})
    share(image, tenant_b.project, "accepted")
    client = console_as(tenant_b.admin)
    html = client.get(PANEL.format(image.id)).content.decode()
    assert "Only the project that owns the image" in html and 'data-testid="tag-add"' not in html
    assert client.post(PANEL.format(image.id), {"key": "x"}).status_code == 404
    assert client.post(f"{PANEL.format(image.id)}/env/delete").status_code == 404


def test_another_tenant_cannot_even_see_the_panel(console_as, tenant_a, tenant_b):
    image = make_image(tenant_a.project, tags={"env": "prod"})
    assert console_as(tenant_b.admin).get(PANEL.format(image.id)).status_code == 404
