"""The job centre: the tenant's jobs with progress, time left and errors, live rows, filters, pages and cancel."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import Trace
from core.errors import ImsError
from iam.authz import PermissionDenied
from images.choices import ImageStatus
from images.models import Image, Job, JobStatus
from images.selectors import show_image_quota
from images.services.jobs import cancel_job
from images.views.jobs import eta, job_type_label
from tests import factories
from tests.factories import PASSWORD, make_image, project_of

LIST = "/console/images/jobs"


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def console_a(tenant_a):
    return signed_in(tenant_a.admin)


def make_job(project, *, status=JobStatus.INIT, job_type="createImageByFile", image=True, **fields) -> Job:
    if image is True:
        image = make_image(project, status=ImageStatus.QUEUED if status != JobStatus.SUCCESS else ImageStatus.ACTIVE)
    return Job.objects.create(project=project, job_type=job_type, status=status, image=image or None, **fields)


def running(project, **fields) -> Job:
    started = timezone.now() - timedelta(seconds=100)
    defaults = dict(
        begin_time=started,
        heartbeat_at=started,
        phase="converting",
        bytes_done=25 * 2**20,
        bytes_total=100 * 2**20,
        percent=25.0,
    )
    return make_job(project, status=JobStatus.RUNNING, **{**defaults, **fields})


# 25 MB of 100 MB in the 100 s before the page: the 75 MB left take about 300 s. The page is drawn a moment
# after the job was made, and each second of that delay adds three to the estimate, so allow a few.
ABOUT_FIVE_MINUTES = re.compile(r"<(td|dd) data-testid=\"job-eta\">0:05:0\d</(td|dd)>")


def usage(actor) -> dict:
    return {row.type: row.used for row in show_image_quota(actor)}


def test_the_list_shows_only_the_tenants_jobs(console_a, tenant_a, tenant_b):
    mine = make_job(tenant_a.project)
    theirs = make_job(tenant_b.project)
    text = console_a.get(LIST).content.decode()
    assert mine.id in text and theirs.id not in text


def test_a_running_job_shows_phase_progress_bytes_and_time_left(console_a, tenant_a):
    job = running(tenant_a.project)
    text = console_a.get(LIST).content.decode()
    assert "Import system disk image" in text and "converting" in text and "25.0%" in text
    assert "25.0\xa0MB / 100.0\xa0MB" in text
    assert ABOUT_FIVE_MINUTES.search(text)
    assert f'hx-get="/console/images/jobs/{job.id}/row" hx-trigger="every 2s"' in text


def test_a_failed_job_shows_its_error_code_and_reason(console_a, tenant_a):
    make_job(
        tenant_a.project,
        status=JobStatus.FAIL,
        error_code="IMG.0705",
        fail_reason="The file was refused.",
        end_time=timezone.now(),
    )
    text = console_a.get(LIST).content.decode()
    assert "IMG.0705 · The file was refused." in text and "Failed" in text


def test_a_running_row_polls_and_a_finished_row_stops_polling(console_a, tenant_a):
    job = running(tenant_a.project)
    row = console_a.get(f"{LIST}/{job.id}/row", HTTP_HX_REQUEST="true").content.decode()
    assert row.count("<tr") == 1 and 'hx-trigger="every 2s"' in row and 'data-status="RUNNING"' in row
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCESS, percent=100.0, end_time=timezone.now())
    row = console_a.get(f"{LIST}/{job.id}/row", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="SUCCESS"' in row and "hx-get" not in row and "hx-trigger" not in row


def test_the_detail_page_keeps_its_live_progress_until_the_job_ends(console_a, tenant_a):
    job = running(tenant_a.project)
    page = console_a.get(f"{LIST}/{job.id}").content.decode()
    assert 'hx-trigger="every 1s"' in page and ABOUT_FIVE_MINUTES.search(page)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCESS, end_time=timezone.now())
    partial = console_a.get(f"{LIST}/{job.id}", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="SUCCESS"' in partial and "hx-trigger" not in partial


def test_jobs_of_every_type_are_listed_with_a_label(console_a, tenant_a):
    for job_type in (
        "copyImageInRegion",
        "copyImageCrossRegion",
        "exportImage",
        "addImageMember",
        "deleteImageMember",
        "shareSomethingNew",
        "oddJob",
    ):
        make_job(tenant_a.project, job_type=job_type, status=JobStatus.SUCCESS)
    text = console_a.get(LIST).content.decode()
    for label in ("Copy image", "Cross-region copy", "Export image", "Share image", "Stop sharing image", "oddJob"):
        assert label in text


def test_filters_by_status_and_type(console_a, tenant_a):
    waiting = make_job(tenant_a.project)
    failed = make_job(tenant_a.project, status=JobStatus.FAIL)
    export = make_job(tenant_a.project, job_type="exportImage", status=JobStatus.SUCCESS)
    text = console_a.get(LIST, {"status": "FAIL"}).content.decode()
    assert failed.id in text and waiting.id not in text and export.id not in text
    text = console_a.get(LIST, {"type": "exportImage"}).content.decode()
    assert export.id in text and waiting.id not in text and failed.id not in text


def test_the_list_is_paged(console_a, tenant_a):
    for _ in range(25):
        make_job(tenant_a.project, image=None, status=JobStatus.SUCCESS)
    first = console_a.get(LIST).content.decode()
    second = console_a.get(LIST, {"page": 2}).content.decode()
    assert first.count('data-testid="job-row"') == 20 and second.count('data-testid="job-row"') == 5
    assert "25 jobs" in first and "Page 2 of 2" in second


def test_cancelling_a_waiting_job_fails_it_frees_the_quota_kills_the_image_and_is_traced(console_a, tenant_a):
    actor = factories.actor(tenant_a.admin)
    job = make_job(tenant_a.project)
    before = usage(actor)
    response = console_a.post(f"{LIST}/{job.id}/cancel", {"next": LIST})
    assert response.status_code == 302 and response.url == LIST
    job.refresh_from_db()
    assert (job.status, job.error_code) == (JobStatus.FAIL, "IMG.0803") and job.end_time is not None
    assert "cancelled by the user" in job.fail_reason
    assert Image.objects.get(pk=job.image_id).status == ImageStatus.KILLED
    after = usage(actor)
    assert after["task"] == before["task"] - 1 and after["image"] == before["image"] - 1
    trace = Trace.objects.get(event_name="cancelJob")
    assert (trace.operation, trace.result, trace.resource_id) == ("cancel_job", "success", str(job.image_id))
    assert trace.username == tenant_a.admin.username
    # The job's end is traced too, once, as the system that owns the job's life.
    ended = Trace.objects.get(event_name="jobFailed")
    assert (ended.error_code, ended.via, ended.summary["job_id"]) == ("IMG.0803", "system", job.pk)


def test_a_running_job_cannot_be_cancelled_and_the_user_is_told_why(console_a, tenant_a):
    job = running(tenant_a.project)
    page = console_a.get(LIST).content.decode()
    assert 'data-testid="job-cancel-disabled"' in page and "A running job cannot be cancelled" in page
    response = console_a.post(f"{LIST}/{job.id}/cancel", follow=True)
    assert "A running job cannot be cancelled" in response.content.decode() and "IMG.0804" in response.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and Image.objects.get(pk=job.image_id).status == ImageStatus.QUEUED
    assert Trace.objects.get(event_name="cancelJob").result == "failure"


def test_the_service_refuses_running_and_ended_jobs(tenant_a):
    actor = factories.actor(tenant_a.admin)
    for status in (JobStatus.RUNNING, JobStatus.SUCCESS, JobStatus.FAIL):
        job = make_job(tenant_a.project, status=status)
        with pytest.raises(ImsError) as refused:
            cancel_job(actor, job=job)
        assert (refused.value.code, refused.value.status) == ("IMG.0804", 409)
        job.refresh_from_db()
        assert job.status == status


def test_a_reader_may_not_cancel(tenant_a):
    job = make_job(tenant_a.project)
    with pytest.raises(PermissionDenied):
        cancel_job(factories.actor(tenant_a.reader), job=job)
    job.refresh_from_db()
    assert job.status == JobStatus.INIT and Trace.objects.get(event_name="cancelJob").result == "denied"
    page = signed_in(tenant_a.reader).get(LIST).content.decode()
    assert 'data-testid="job-cancel-disabled"' in page and 'data-testid="job-cancel"' not in page


def test_a_reader_posting_a_cancel_gets_the_no_permission_page(tenant_a):
    job = make_job(tenant_a.project)
    response = signed_in(tenant_a.reader).post(f"{LIST}/{job.id}/cancel")
    assert response.status_code == 403 and "ims:images:update" in response.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.INIT and Trace.objects.get(event_name="cancelJob").result == "denied"


def test_another_tenants_job_is_not_found(console_a, tenant_b):
    job = make_job(tenant_b.project)
    assert console_a.get(f"{LIST}/{job.id}").status_code == 404
    assert console_a.get(f"{LIST}/{job.id}/row", HTTP_HX_REQUEST="true").status_code == 404
    assert console_a.post(f"{LIST}/{job.id}/cancel").status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.INIT


def test_the_service_does_not_cancel_another_projects_job(tenant_a, tenant_b):
    job = make_job(tenant_b.project)
    with pytest.raises(ImsError) as missing:
        cancel_job(factories.actor(tenant_a.admin), job=job)
    assert missing.value.status == 404
    job.refresh_from_db()
    assert job.status == JobStatus.INIT


def test_time_left_needs_a_running_job_with_bytes_moved():
    now = timezone.now()
    job = Job(status=JobStatus.RUNNING, begin_time=now - timedelta(seconds=60), bytes_done=10, bytes_total=40)
    assert eta(job, now) == timedelta(seconds=180)
    assert eta(Job(status=JobStatus.RUNNING, begin_time=now, bytes_done=0, bytes_total=40), now) is None
    assert eta(Job(status=JobStatus.SUCCESS, begin_time=now, bytes_done=40, bytes_total=40), now) is None
    assert eta(Job(status=JobStatus.INIT, bytes_total=40), now) is None


def test_job_type_labels():
    assert job_type_label("createImageByFile") == "Import system disk image"
    assert job_type_label("copyImageCrossRegion") == "Cross-region copy"
    assert job_type_label("somethingNew") == "somethingNew"


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_query_count_does_not_grow_with_the_jobs(console_a, tenant_a, count, django_assert_num_queries):
    console_a.get(LIST)
    for _ in range(count):
        running(tenant_a.project)
    # Session, user, membership, account, project, grants, the region menu; job types, count, one page with its
    # images. A query per job would add 2 or 20.
    with django_assert_num_queries(10):
        assert console_a.get(LIST).status_code == 200


# The job centre at parity (issue 14): cancel only while it may be, copies told as copies, deleted images said.
JOBS = LIST


def _job(project, image=None, **fields) -> Job:
    return Job.objects.create(project=project, job_type="createImageByFile", image=image, **fields)


def test_the_polled_progress_of_a_waiting_job_carries_its_cancel_button(tenant_a):
    job = _job(project_of(tenant_a.account), status=JobStatus.INIT)

    html = signed_in(tenant_a.admin).get(f"{JOBS}/{job.id}", HTTP_HX_REQUEST="true").content.decode()

    # The button lives inside the part the page re-fetches, so it goes away when the job ends.
    assert 'data-testid="job-cancel"' in html


def test_an_ended_jobs_page_offers_no_cancel(tenant_a):
    job = _job(project_of(tenant_a.account), status=JobStatus.SUCCESS, end_time=timezone.now())

    html = signed_in(tenant_a.admin).get(f"{JOBS}/{job.id}").content.decode()

    assert "job-cancel" not in html


def test_cancelling_a_job_that_already_ended_says_so_and_is_not_traced_as_a_failed_cancel(tenant_a):
    job = _job(project_of(tenant_a.account), status=JobStatus.SUCCESS, end_time=timezone.now())

    response = signed_in(tenant_a.admin).post(f"{JOBS}/{job.id}/cancel", follow=True)

    assert response.status_code == 200
    assert "This job has already ended." in response.content.decode()
    assert not Trace.objects.filter(event_name="cancelJob").exists()


def test_a_finished_copy_job_shows_its_bytes_and_links_to_the_copy(tenant_a):
    project = project_of(tenant_a.account)
    source, copy = make_image(project, name="source-image"), make_image(project, name="the-copy")
    job = Job.objects.create(
        project=project,
        job_type="copyImageInRegion",
        image=source,
        status=JobStatus.SUCCESS,
        percent=100.0,
        phase="done",
        bytes_done=8 * 2**20,
        bytes_total=8 * 2**20,
        entities={"image_id": str(copy.pk), "image_name": "the-copy", "source_image_id": str(source.pk)},
        end_time=timezone.now(),
    )

    for url in (JOBS, f"{JOBS}/{job.id}"):
        html = signed_in(tenant_a.admin).get(url).content.decode()
        assert f'href="/console/images/{copy.pk}"' in html, url
        assert "0 bytes" not in html, url
        assert "8.0\xa0MB / 8.0\xa0MB" in html, url


def test_a_cross_region_copy_job_names_its_destination_region(tenant_a):
    project = project_of(tenant_a.account)
    source = make_image(project, name="source-image")
    target = make_image(project_of(tenant_a.account, "cn-east-3"), name="far-copy", status=ImageStatus.SAVING)
    job = Job.objects.create(
        project=project,
        job_type="copyImageCrossRegion",
        image=source,
        status=JobStatus.RUNNING,
        entities={"image_id": str(target.pk), "image_name": "far-copy", "region": "cn-east-3"},
    )

    for url in (JOBS, f"{JOBS}/{job.id}"):
        html = signed_in(tenant_a.admin).get(url).content.decode()
        assert 'data-testid="job-destination"' in html, url
        assert "far-copy" in html and "CN East-Shanghai1" in html, url


def test_a_job_of_a_deleted_image_says_deleted_instead_of_linking_to_a_missing_page(tenant_a):
    project = project_of(tenant_a.account)
    gone = make_image(project, name="gone-image", status=ImageStatus.DELETED)
    job = _job(project, gone, status=JobStatus.SUCCESS, end_time=timezone.now())

    for url in (JOBS, f"{JOBS}/{job.id}"):
        html = signed_in(tenant_a.admin).get(url).content.decode()
        assert f'href="/console/images/{gone.pk}"' not in html, url
        assert 'data-testid="image-deleted"' in html, url


def test_phases_and_failure_reasons_are_shown_in_chinese(tenant_a):
    job = _job(
        project_of(tenant_a.account),
        status=JobStatus.FAIL,
        phase="inspect",
        error_code="IMG.0803",
        fail_reason="The job was cancelled by the user.",
        end_time=timezone.now(),
    )
    client = signed_in(tenant_a.admin)
    client.cookies["ims_language"] = "zh-hans"

    html = client.get(f"{JOBS}/{job.id}").content.decode()

    assert "The job was cancelled by the user." not in html and "被用户取消" in html
    assert ">inspect<" not in html and "检查中" in html
