"""The console at parity (issue 14), as a person meets it: deletions ask first, stale buttons do no harm."""

import pytest
from playwright.sync_api import expect

from iam.credentials import create_access_key
from iam.models import AccessKey
from images.models import ImageTag
from tests.browser.console import sign_in
from tests.factories import make_image, project_of

pytestmark = pytest.mark.browser


def _answer_dialogs(page, accept: bool) -> list[str]:
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.on("dialog", answer)
    return asked


def test_deleting_an_access_key_asks_first_and_keeps_the_key_when_declined(page, tenant_a):
    key, _secret = create_access_key(user=tenant_a.admin, description="ci")
    sign_in(page, tenant_a.admin.username)
    page.goto("/console/account/")
    asked = _answer_dialogs(page, accept=False)

    page.get_by_test_id("delete-key").click()

    expect(page.get_by_test_id("delete-key")).to_be_visible()
    assert asked and "Programs using it will stop working" in asked[0]
    assert AccessKey.objects.filter(pk=key.pk).exists()


def test_deleting_a_tag_asks_first(page, tenant_a):
    image = make_image(project_of(tenant_a.account), name="tagged", tags={"env": "prod"})
    sign_in(page, tenant_a.admin.username)
    page.goto(f"/console/images/{image.pk}")
    asked = _answer_dialogs(page, accept=False)

    page.get_by_test_id("tag-delete").click()

    expect(page.get_by_test_id("tag-delete")).to_be_visible()
    assert asked and "env" in asked[0]
    assert ImageTag.objects.filter(image=image, key="env").exists()


def test_a_confirmed_tag_deletion_asks_once_and_deletes(page, tenant_a):
    image = make_image(project_of(tenant_a.account), name="tagged", tags={"env": "prod"})
    sign_in(page, tenant_a.admin.username)
    page.goto(f"/console/images/{image.pk}")
    asked = _answer_dialogs(page, accept=True)

    page.get_by_test_id("tag-delete").click()

    expect(page.get_by_test_id("tag-delete")).to_have_count(0)
    assert len(asked) == 1
    assert not ImageTag.objects.filter(image=image, key="env").exists()


def test_choosing_vmdk_changes_the_export_files_extension(page, tenant_a, tmp_path):
    from iam.actors import system_actor
    from obs.services import create_bucket
    from tests import factories
    from tests.images.manage.helpers_copy import imported_image

    actor = factories.actor(tenant_a.admin)
    create_bucket(system_actor(actor.project), name="exports")
    image = imported_image(actor, tmp_path)
    sign_in(page, tenant_a.admin.username)
    page.goto(f"/console/images/{image.pk}/export")  # the dialog as a page, as it opens without the modal

    key = page.locator("#export-key")
    expect(key).to_have_value(f"{image.name}.qcow2")
    page.locator("#export-format").select_option("vmdk")
    expect(key).to_have_value(f"{image.name}.vmdk")


def test_the_wizard_shows_each_sources_fields_and_the_os_versions_of_the_architecture(page, tenant_a):
    sign_in(page, tenant_a.admin.username)
    page.goto("/console/images/create")
    os_field, os_type = page.locator("[data-field=os_version]"), page.locator("[data-field=os_type]")
    expect(os_field).to_be_visible()
    expect(os_type).to_be_hidden()

    page.locator("input[name=kind][value=data]").check()
    expect(os_field).to_be_hidden()
    expect(page.locator("[data-field=hw_firmware_type]")).to_be_hidden()
    expect(os_type).to_be_visible()

    page.locator("input[name=kind][value=system]").check()
    arm = page.locator("option[value='CentOS 7.6 64bit with ARM']")
    assert arm.is_disabled()
    page.get_by_label("Architecture").select_option("arm")
    assert not arm.is_disabled()
    assert page.locator("option[value='CentOS 8.2 64bit']").is_disabled()
