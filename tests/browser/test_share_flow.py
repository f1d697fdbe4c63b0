"""Sharing in the browser: A shares an image from its detail page, B finds it in the Shared tab and accepts it."""

import pytest
from playwright.sync_api import expect

from images.models import ImageMember
from tests.browser.console import sign_in
from tests.factories import make_image

pytestmark = pytest.mark.browser


def sign_out(page) -> None:
    page.context.clear_cookies()


def test_a_shares_b_accepts(page, tenant_a, tenant_b):
    image = make_image(tenant_a.project, name="shared-by-a")
    sign_in(page, tenant_a.admin.username)
    page.goto(f"/console/images/{image.id}")
    page.get_by_test_id("share-project-id").fill(tenant_b.project.id)
    page.get_by_test_id("share-submit").click()
    expect(page.get_by_test_id("messages")).to_contain_text(tenant_b.project.id)
    expect(page.get_by_test_id("member-table")).to_contain_text(tenant_b.project.id)

    sign_out(page)
    sign_in(page, tenant_b.admin.username)
    page.get_by_test_id("tab-shared").click()
    inbox = page.get_by_test_id("inbox-table")
    expect(inbox).to_contain_text("shared-by-a")
    inbox.get_by_test_id("inbox-accept").click()
    expect(page.get_by_test_id("messages")).to_contain_text("You accepted the shared image.")
    expect(page.get_by_test_id("tab-shared")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("image-panel")).to_contain_text("shared-by-a")
    assert ImageMember.objects.get(image=image).status == "accepted"
