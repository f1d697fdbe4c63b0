"""The job centre as a person watches it: a running job's row follows the job until it ends, then stops asking."""

import csv
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from images.choices import ImageStatus
from images.models import Image, Job, JobStatus
from tests.browser.console import sign_in
from tests.factories import make_image, project_of

pytestmark = pytest.mark.browser


def test_a_running_jobs_row_updates_itself_until_the_job_succeeds(page, tenant_a):
    project = project_of(tenant_a.account)
    image = make_image(project, name="importing", status=ImageStatus.SAVING)
    started = timezone.now() - timedelta(seconds=60)
    job = Job.objects.create(
        project=project,
        job_type="createImageByFile",
        status=JobStatus.RUNNING,
        image=image,
        begin_time=started,
        heartbeat_at=started,
        phase="converting",
        bytes_done=2**20,
        bytes_total=4 * 2**20,
        percent=25.0,
    )
    sign_in(page, tenant_a.admin.username)
    page.get_by_test_id("nav-jobs").click()

    row = page.locator(f"[data-testid=job-row][data-job-id='{job.id}']")
    expect(row.get_by_test_id("job-status")).to_have_text("Running")
    expect(row.get_by_test_id("job-percent")).to_have_text("25.0%")
    expect(row.get_by_test_id("job-cancel-disabled")).to_be_disabled()

    # The worker moves on; the row follows without a reload.
    Job.objects.filter(pk=job.pk).update(bytes_done=3 * 2**20, percent=75.0, phase="storing")
    expect(row.get_by_test_id("job-percent")).to_have_text("75.0%")
    expect(row).to_contain_text("storing")

    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCESS, percent=100.0, phase="done", bytes_done=4 * 2**20, end_time=timezone.now()
    )
    Image.objects.filter(pk=image.pk).update(status=ImageStatus.ACTIVE)
    expect(row.get_by_test_id("job-status")).to_have_text("Succeeded")
    expect(row).to_have_attribute("data-status", "SUCCESS")
    expect(row.get_by_test_id("job-percent")).to_have_text("100.0%")
    # A finished row no longer polls.
    expect(row).not_to_have_attribute("hx-trigger", "every 2s")
    assert row.get_attribute("hx-get") is None


def test_the_export_button_downloads_the_filtered_private_list(page, tenant_a):
    project = project_of(tenant_a.account)
    make_image(project, name="web-1")
    make_image(project, name="db-1")
    sign_in(page, tenant_a.admin.username)
    page.get_by_test_id("tab-private").click()
    page.get_by_test_id("search").fill("web")
    page.get_by_test_id("search-button").click()
    expect(page.locator("[data-testid=image-row]")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=web"))  # the button exports what the address says
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    assert download.value.suggested_filename.startswith("private-images-cn-north-4-")
    with open(download.value.path(), encoding="utf-8-sig", newline="") as handle:
        names = [row["Name"] for row in csv.DictReader(handle)]
    # By name: a substring test of the whole file once found "db-1" inside a random image id.
    assert names == ["web-1"]
