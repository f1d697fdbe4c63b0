"""A worker that dies (SIGKILL, power cut) is noticed from its missed heartbeats within a minute: its job fails
with IMG.0801 and frees its task-quota slot. The real SIGKILL is in tests/images/imports/test_import_recovery.py;
here the heartbeat's age is set below the application, as the clock would leave it."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from images.models import ACTIVE_JOB_STATES, Job, JobStatus
from images.services import jobs
from tests import factories


def running_job(tenant, *, heartbeat_age: timedelta) -> Job:
    actor = factories.actor(tenant.admin)
    job = jobs.new_job(actor, "createImageByFile", factories.make_image(tenant.project, status="saving"))
    jobs.start(job, "store")
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - heartbeat_age)
    return job


def test_the_schedule_notices_a_dead_worker_within_a_minute():
    schedule = settings.CELERY_BEAT_SCHEDULE["reap-stale-jobs"]["schedule"]
    assert schedule <= jobs.REAP_EVERY.total_seconds()
    # the worker beat just before dying: stale after STALE_AFTER, reaped at the next run at the latest
    assert (jobs.STALE_AFTER + jobs.REAP_EVERY).total_seconds() < 60
    # a live worker may miss a beat or two (a busy database) without its job being failed
    assert jobs.STALE_AFTER >= 3 * jobs.HEARTBEAT_INTERVAL


def test_a_job_without_a_heartbeat_for_40_seconds_fails_and_frees_its_slot(tenant_a):
    dead = running_job(tenant_a, heartbeat_age=timedelta(seconds=40))
    alive = running_job(tenant_a, heartbeat_age=timedelta(seconds=5))
    assert jobs.reap_stale_jobs() == 1
    dead.refresh_from_db()
    assert (dead.status, dead.error_code) == (JobStatus.FAIL, "IMG.0801")
    assert Job.objects.get(pk=alive.pk).status == JobStatus.RUNNING
    active = Job.objects.filter(project=tenant_a.project, status__in=ACTIVE_JOB_STATES)
    assert list(active.values_list("pk", flat=True)) == [alive.pk]


@pytest.mark.parametrize("age", [timedelta(seconds=25)])
def test_a_worker_that_beats_is_left_alone(tenant_a, age):
    job = running_job(tenant_a, heartbeat_age=age)
    assert jobs.reap_stale_jobs() == 0
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING


def test_a_worker_starting_reaps_at_once(monkeypatch):
    from images import tasks

    sent = []
    monkeypatch.setattr(tasks.reap_stale_jobs, "delay", lambda: sent.append("reap"))
    tasks.reap_on_start()
    assert sent == ["reap"]
