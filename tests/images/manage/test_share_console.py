"""The console's sharing: the members panel of the detail page and the Shared tab's pending inbox."""

import pytest
from django.test import Client
from django.urls import reverse

from images.models import ImageMember
from tests.factories import make_image, share


@pytest.fixture
def image(tenant_a):
    return make_image(tenant_a.project, name="console-share")


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def post(client, url, data):
    client.get(reverse("images:image_list"))  # sets the CSRF cookie
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def test_detail_page_loads_the_members_panel(tenant_a, image):
    client = signed_in(tenant_a.admin)
    page = client.get(reverse("images:image_detail", args=[image.id])).content.decode()
    assert reverse("images:image_members", args=[image.id]) in page


def test_owner_shares_and_removes_from_the_panel(tenant_a, tenant_b, image):
    client = signed_in(tenant_a.admin)
    response = post(client, reverse("images:image_share", args=[image.id]), {"project_id": tenant_b.project.id})
    assert response.status_code == 302 and ImageMember.objects.filter(image=image).count() == 1
    panel = client.get(reverse("images:image_members", args=[image.id])).content.decode()
    assert tenant_b.project.id in panel and 'data-testid="member-remove"' in panel
    post(client, reverse("images:image_member_remove", args=[image.id, tenant_b.project.id]), {})
    assert not ImageMember.objects.filter(image=image).exists()


def test_refusal_is_a_message_and_a_disabled_button(tenant_a, tenant_b):
    encrypted = make_image(tenant_a.project, cmk_id="kms-key", name="<b>secret</b>")
    client = signed_in(tenant_a.admin)
    panel = client.get(reverse("images:image_members", args=[encrypted.id])).content.decode()
    refusal = "Images encrypted with the default key cannot be shared."
    assert 'data-testid="share-submit" disabled' in panel and refusal in panel
    response = post(client, reverse("images:image_share", args=[encrypted.id]), {"project_id": tenant_b.project.id})
    follow = client.get(response["Location"]).content.decode()
    assert "Images encrypted with the default key cannot be shared." in follow and "<b>secret</b>" not in follow
    assert not ImageMember.objects.exists()


def test_reader_sees_disabled_buttons_with_the_reason(tenant_a, image):
    panel = signed_in(tenant_a.reader).get(reverse("images:image_members", args=[image.id])).content.decode()
    assert 'share-submit" disabled' in panel and "ims:images:share" in panel


def test_post_without_csrf_token_is_refused(tenant_a, tenant_b, image):
    client = signed_in(tenant_a.admin)
    response = client.post(reverse("images:image_share", args=[image.id]), {"project_id": tenant_b.project.id})
    assert response.status_code == 403 and not ImageMember.objects.exists()


def test_member_accepts_from_the_inbox_and_rejects_from_the_detail_page(tenant_b, image):
    share(image, tenant_b.project)
    client = signed_in(tenant_b.admin)
    inbox = client.get(reverse("images:shared_inbox")).content.decode()
    assert "console-share" in inbox and 'data-testid="inbox-accept"' in inbox
    post(
        client,
        reverse("images:image_member_answer", args=[image.id]),
        {"status": "accepted", "next": "https://evil.example/"},
    )
    assert ImageMember.objects.get(image=image).status == "accepted"
    assert "console-share" not in client.get(reverse("images:shared_inbox")).content.decode()
    panel = client.get(reverse("images:image_members", args=[image.id])).content.decode()
    assert 'data-testid="member-reject"' in panel and 'data-testid="member-accept"' not in panel
    response = post(client, reverse("images:image_member_answer", args=[image.id]), {"status": "rejected"})
    assert response["Location"] == reverse("images:image_detail", args=[image.id])
    assert ImageMember.objects.get(image=image).status == "rejected"


def test_owner_cannot_answer_and_member_cannot_remove(tenant_a, tenant_b, image):
    share(image, tenant_b.project)
    post(signed_in(tenant_a.admin), reverse("images:image_member_answer", args=[image.id]), {"status": "accepted"})
    post(signed_in(tenant_b.admin), reverse("images:image_member_remove", args=[image.id, tenant_b.project.id]), {})
    assert ImageMember.objects.get(image=image).status == "pending"


def test_shared_tab_includes_the_inbox(tenant_b):
    page = signed_in(tenant_b.admin).get(reverse("images:image_list") + "?imagetype=shared").content.decode()
    assert reverse("images:shared_inbox") in page
