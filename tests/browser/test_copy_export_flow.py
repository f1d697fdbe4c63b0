"""Copying and exporting from the image detail page, as a person does it, until the job succeeds."""

import re

import pytest
from playwright.sync_api import expect

from iam.actors import system_actor
from images.jobs import run
from images.models import Image, Job
from obs.models import StoredObject
from obs.services import create_bucket
from tests import factories
from tests.browser.console import sign_in
from tests.images.manage.helpers_copy import imported_image

pytestmark = pytest.mark.browser


@pytest.fixture
def source(tenant_a, tmp_path):
    actor = factories.actor(tenant_a.admin)
    create_bucket(system_actor(actor.project), name="exports")
    return imported_image(actor, tmp_path, name="browser-source")


def finish_job_shown(page) -> None:
    expect(page).to_have_url(re.compile(r"/jobs/[0-9a-f]+$"))
    run(page.url.rsplit("/", 1)[-1])
    expect(page.get_by_test_id("job-status")).to_have_text("Succeeded", timeout=15000)


def test_copy_and_export_from_the_detail_page(page, tenant_a, source):
    sign_in(page, tenant_a.admin.username)
    page.goto(f"/console/images/{source.pk}")
    page.get_by_test_id("action-copy").click()
    copy = page.get_by_test_id("copy-form")
    copy.locator("input[name=name]").fill("browser-copy")
    copy.get_by_test_id("dialog-submit").click()
    finish_job_shown(page)
    assert Image.objects.filter(name="browser-copy", status="active").exists()

    page.goto(f"/console/images/{source.pk}")
    page.get_by_test_id("action-export").click()
    export = page.get_by_test_id("export-form")
    export.locator("select[name=file_format]").select_option("vmdk")
    export.locator("input[name=key]").fill("browser/disk.vmdk")
    export.get_by_test_id("dialog-submit").click()
    finish_job_shown(page)
    assert StoredObject.objects.filter(bucket__name="exports", key="browser/disk.vmdk").exists()
    assert Job.objects.get(job_type="exportImage").entities["file_format"] == "vmdk"


def test_forbidden_copy_shows_why(page, tenant_a, source):
    Image.objects.filter(pk=source.pk).update(backup_id="backup-1")
    sign_in(page, tenant_a.admin.username)
    page.goto(f"/console/images/{source.pk}")
    button = page.get_by_test_id("action-copy")
    expect(button).to_be_disabled()
    expect(button).to_have_attribute("title", re.compile("Whole-machine"))
