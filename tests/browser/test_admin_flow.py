"""An account administrator in the admin site: a custom policy refused then saved, a role refused without its
dependency, a per-image grant the console then honours — and nothing of another account in sight."""

import pytest
from playwright.sync_api import expect

from audit.models import Trace
from iam.models import Grant, Policy
from images.models import Image
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

GOOD_POLICY = '{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["ims:images:get", "ims:images:list"]}]}'


def sign_in_to_admin(page, username: str) -> None:
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()


def test_an_account_administrator_manages_policies_and_grants(page, tenant_a, tenant_b):
    tenant_a.admin.is_staff = True
    tenant_a.admin.save()
    image = factories.make_image(tenant_a.project, name="granted-by-admin")
    sign_in_to_admin(page, "alpha-admin")
    expect(page.get_by_role("link", name="Policies")).to_be_visible()
    expect(page.get_by_role("link", name="Accounts")).to_have_count(0)

    page.goto("/admin/iam/policy/add/")
    page.fill("#id_name", "viewers")
    page.fill("#id_document", '{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["ims:image:get"]}]}')
    page.click("input[name=_save]")
    expect(page.locator(".errorlist")).to_contain_text('"ims:image:get" matches no action')
    page.fill("#id_document", GOOD_POLICY)
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("viewers")
    assert Policy.objects.get(name="viewers").account == tenant_a.account

    page.goto("/admin/iam/grant/add/")
    page.select_option("#id_group", label=str(tenant_a.reader.iam_groups.get()))
    page.select_option("#id_policy", label="IMS Administrator")
    page.click("input[name=_save]")
    expect(page.locator(".errornote, .errorlist").first).to_be_visible()
    expect(page.locator("body")).to_contain_text("needs Tenant Administrator")
    assert not Grant.objects.filter(policy__name="IMS Administrator").exists()
    expect(page.locator("#id_group option", has_text="bravo")).to_have_count(0)

    page.goto("/admin/images/perimagegrant/add/")
    page.select_option("#id_user", label="alpha-reader")
    page.select_option("#id_image", label=str(image))
    page.select_option("#id_action", value="ims:images:update")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_be_visible()
    assert Trace.objects.filter(event_name="grantImage", username="alpha-admin", via="admin").exists()

    page.goto("/admin/auth/user/")
    expect(page.locator("#result_list")).to_contain_text("alpha-reader")
    expect(page.locator("#result_list")).not_to_contain_text("bravo")
    assert Image.objects.get(pk=image.pk).name == "granted-by-admin"
