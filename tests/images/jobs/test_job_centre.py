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
from tests.factories import PASSWORD, make_image

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
