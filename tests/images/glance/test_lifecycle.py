"""POST /v2/images/{id}/actions/deactivate and /reactivate, and what a deactivated image may not do."""

from images.choices import ImageStatus
from images.rules import image_actions
from tests.factories import actor, make_image
from tests.images.glance.conftest import create


def action(client, image_id, name: str):
    return client.send("POST", f"/v2/images/{image_id}/actions/{name}", None)


def test_deactivate_then_reactivate(api_a, tenant_a):
    image = make_image(tenant_a.project)
    assert action(api_a, image.id, "deactivate").status_code == 204
    assert api_a.get(f"/v2/images/{image.id}").json()["status"] == "deactivated"
    assert action(api_a, image.id, "deactivate").status_code == 204  # repeating changes nothing
    assert action(api_a, image.id, "reactivate").status_code == 204
    assert api_a.get(f"/v2/images/{image.id}").json()["status"] == "active"


def test_a_deactivated_image_cannot_be_downloaded(api_a, tenant_a):
    image = make_image(tenant_a.project, status=ImageStatus.DEACTIVATED)
    response = api_a.get(f"/v2/images/{image.id}/file")
    assert response.status_code == 403 and response.json()["error"]["code"] == "IMG.0142"


def test_a_queued_image_cannot_be_deactivated(api_a):
    image_id = create(api_a, name="q").json()["id"]
    response = action(api_a, image_id, "deactivate")
    assert response.status_code == 403 and response.json()["error"]["code"] == "IMG.0140"


def test_another_projects_image_is_not_found(api_b, tenant_a):
    image = make_image(tenant_a.project)
    assert action(api_b, image.id, "deactivate").status_code == 404


def test_the_console_offers_the_lifecycle_action_the_state_allows(tenant_a):
    image = make_image(tenant_a.project)
    actions = image_actions(actor(tenant_a.admin), image)
    assert actions["deactivate"].allowed and not actions["reactivate"].allowed
    image.status = ImageStatus.DEACTIVATED
    actions = image_actions(actor(tenant_a.admin), image)
    assert actions["reactivate"].allowed and not actions["deactivate"].allowed
    assert not image_actions(actor(tenant_a.reader), image)["reactivate"].allowed


def test_the_console_deactivates_and_reactivates_through_its_dialogs(tenant_a):
    from django.test import Client
    from django.urls import reverse

    image = make_image(tenant_a.project)
    console = Client()
    console.force_login(tenant_a.admin)
    detail = console.get(reverse("images:image_actions", args=[image.pk]), headers={"HX-Request": "true"})
    assert 'data-testid="action-deactivate"' in detail.content.decode()
    response = console.post(reverse("images:image_deactivate", args=[image.pk]), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("images:image_detail", args=[image.pk])
    image.refresh_from_db()
    assert image.status == ImageStatus.DEACTIVATED
    detail = console.get(reverse("images:image_actions", args=[image.pk]), headers={"HX-Request": "true"})
    assert 'data-testid="action-reactivate"' in detail.content.decode()
    console.post(reverse("images:image_reactivate", args=[image.pk]), headers={"HX-Request": "true"})
    image.refresh_from_db()
    assert image.status == ImageStatus.ACTIVE
