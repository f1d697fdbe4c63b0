"""The one runner base: runners registered by what they declare, one way to end a job, its outcome traced once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import Trace
from core.errors import ImsError
from iam.actors import SYSTEM_USERNAME
from images.choices import ImageStatus
from images.jobs import RUNNERS, Runner, run
from images.models import Image, Job, JobStatus
from images.services import jobs
from tests import factories
from tests.factories import make_image

PRODUCT_JOB_TYPES = {
    "createImageByFile",
    "createDataImageByFile",
    "createIsoImage",
    "importImageQuick",
    "registerImage",
    "uploadImage",
    "copyImageInRegion",
    "copyImageCrossRegion",
    "exportImage",
    "addImageMember",
    "updateImageMember",
    "deleteImageMember",
}


@pytest.fixture
def admin(tenant_a):
    return factories.actor(tenant_a.admin)


@pytest.fixture
def test_runners():
    """Runners of job types of this test only, registered by declaring them and unregistered afterwards."""
    behaviours = {}

    class Scripted(Runner):
        job_types = ("testSucceeds", "testRefused", "testBreaks")
        internal_error = "The test job broke."

        def run(self):
            jobs.staging_dir(self.job).mkdir(parents=True, exist_ok=True)
            behaviours[self.job.job_type](self.job)

    class Keeping(Scripted):
        job_types = ("testKeepsImage",)
        keeps_image = True

    behaviours.update(
        testSucceeds=lambda job: jobs.succeed(job, answer=42),
        testRefused=lambda job: _raise(ImsError("IMG.0705", "The file was refused.")),
        testBreaks=lambda job: 1 / 0,
        testKeepsImage=lambda job: _raise(ImsError("IMG.0612", "1 of 1 members could not be changed.")),
    )
    yield {"Scripted": Scripted, "Keeping": Keeping}
    for job_type in (*Scripted.job_types, *Keeping.job_types):
        RUNNERS.pop(job_type, None)


def _raise(error):
    raise error


def queued(admin, job_type: str) -> Job:
    image = make_image(admin.project, name="in-the-making", status=ImageStatus.SAVING)
    return jobs.new_job(admin, job_type, image)


def outcomes(job: Job) -> list[tuple]:
    rows = Trace.objects.filter(summary__job_id=job.pk).order_by("id")
    return [(t.event_name, t.result, t.error_code, t.username, t.via, t.operation, t.resource_id) for t in rows]


def test_every_product_job_type_has_one_runner_registered_by_declaration():
    assert set(RUNNERS) >= PRODUCT_JOB_TYPES
    families = {RUNNERS[job_type].__module__ for job_type in PRODUCT_JOB_TYPES}
    assert families == {"images.jobs.imports", "images.jobs.copy", "images.jobs.export", "images.jobs.members"}


def test_a_job_type_cannot_have_two_runners(test_runners):
    with pytest.raises(RuntimeError, match="testSucceeds"):

        class Twin(Runner):
            job_types = ("testSucceeds",)


def test_a_succeeded_job_is_traced_once_as_the_system_on_its_image(db, admin, test_runners):
    job = queued(admin, "testSucceeds")
    run(job.id)
    run(job.id)  # a redelivered message runs nothing and traces nothing
    job.refresh_from_db()
    assert (job.status, job.percent, job.entities["answer"]) == (JobStatus.SUCCESS, 100.0, 42)
    assert outcomes(job) == [
        ("jobSucceeded", "success", "", SYSTEM_USERNAME, "system", "testSucceeds", str(job.image_id))
    ]
    assert not jobs.staging_dir(job).exists()


def test_a_refused_job_fails_once_kills_its_image_and_removes_its_staging(db, admin, test_runners):
    job = queued(admin, "testRefused")
    run(job.id)
    job.refresh_from_db()
    assert (job.status, job.error_code, job.fail_reason) == (JobStatus.FAIL, "IMG.0705", "The file was refused.")
    assert job.end_time is not None
    assert Image.objects.get(pk=job.image_id).status == ImageStatus.KILLED
    assert not jobs.staging_dir(job).exists()
    assert outcomes(job) == [
        ("jobFailed", "failure", "IMG.0705", SYSTEM_USERNAME, "system", "testRefused", str(job.image_id))
    ]


def test_a_bug_in_a_runner_fails_the_job_with_the_runners_own_words(db, admin, test_runners):
    job = queued(admin, "testBreaks")
    run(job.id)
    job.refresh_from_db()
    assert (job.status, job.error_code, job.fail_reason) == (JobStatus.FAIL, "IMG.0899", "The test job broke.")
    assert [row[:3] for row in outcomes(job)] == [("jobFailed", "failure", "IMG.0899")]


def test_a_runner_that_changes_no_bytes_leaves_its_image_as_it_was(db, admin, test_runners):
    job = queued(admin, "testKeepsImage")
    run(job.id)
    job.refresh_from_db()
    assert (job.status, job.error_code) == (JobStatus.FAIL, "IMG.0612")
    assert Image.objects.get(pk=job.image_id).status == ImageStatus.SAVING


def test_a_job_ends_once_a_later_end_changes_nothing(db, admin):
    job = queued(admin, "createImageByFile")
    assert jobs.fail(job, ImsError("IMG.0801", "first"))
    assert not jobs.fail(job, ImsError("IMG.0802", "second"))
    assert not jobs.succeed(job)
    job.refresh_from_db()
    assert (job.status, job.error_code) == (JobStatus.FAIL, "IMG.0801")
    assert [row[:3] for row in outcomes(job)] == [("jobFailed", "failure", "IMG.0801")]


def test_the_reapers_failures_are_traced_too(db, admin):
    job = queued(admin, "createImageByFile")
    jobs.start(job, "fetch")
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    assert jobs.reap_stale_jobs() == 1
    assert [row[:3] for row in outcomes(job)] == [("jobFailed", "failure", "IMG.0801")]


def test_a_job_is_sent_to_the_worker_by_its_task_name_once_committed(
    db, admin, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr("celery.current_app.send_task", lambda name, args: sent.append((name, args)))
    job = queued(admin, "createImageByFile")
    with django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue(job)
        assert sent == []  # not before the row is committed
    assert sent == [("images.run_job", [job.id])]


def test_a_job_the_queue_cannot_take_fails_cleanly(db, admin, monkeypatch, django_capture_on_commit_callbacks):
    def unreachable(name, args):
        raise ConnectionError("broker down")

    monkeypatch.setattr("celery.current_app.send_task", unreachable)
    job = queued(admin, "createImageByFile")
    with django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue(job)
    job.refresh_from_db()
    assert (job.status, job.error_code) == (JobStatus.FAIL, "IMG.0804")
    assert Image.objects.get(pk=job.image_id).status == ImageStatus.KILLED


def test_the_run_job_task_is_registered_under_the_name_services_send():
    from images.tasks import run_job

    assert run_job.name == jobs.RUN_JOB_TASK


def test_a_job_of_an_unknown_type_fails_instead_of_waiting_forever(db, admin):
    job = jobs.new_job(admin, "noSuchJob", None)
    run(job.id)
    job.refresh_from_db()
    assert (job.status, job.error_code) == (JobStatus.FAIL, "IMG.0899")


def test_the_reaper_fails_jobs_no_worker_ever_started(db, admin):
    job = jobs.new_job(admin, "createImageByFile", None)
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=25))
    assert jobs.reap_stale_jobs() == 1
    assert Job.objects.get(pk=job.pk).error_code == "IMG.0805"


def test_a_failed_copy_kills_the_image_it_was_making_not_its_source(db, admin, tenant_a):
    source = factories.make_image(tenant_a.project, status="active")
    target = factories.make_image(tenant_a.project, status="saving")
    job = jobs.new_job(admin, "copyImageInRegion", source, image_id=str(target.id))
    jobs.fail(job, ImsError("IMG.0899", "test"))
    source.refresh_from_db()
    target.refresh_from_db()
    assert (source.status, target.status) == ("active", "killed")
