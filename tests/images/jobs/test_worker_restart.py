"""A worker restarted after a crash, within the heartbeat threshold, fails at start-up the jobs its dead
predecessor left RUNNING: `start` records the process running a job ("<hostname>:<pid>"), and a worker starting
on that host fails the RUNNING jobs of a process that no longer exists at once, without waiting for their heartbeat
to go stale. Jobs of live processes and of other hosts are left to the heartbeat reaper."""

import os
import socket
import subprocess

from images.models import Job, JobStatus
from images.services import jobs
from tests import factories
from tests.workers import start_worker, wait_until


def a_dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def running_job(tenant, worker: str) -> Job:
    actor = factories.actor(tenant.admin)
    job = jobs.new_job(actor, "createImageByFile", factories.make_image(tenant.project, status="saving"))
    assert jobs.start(job, "store")
    Job.objects.filter(pk=job.pk).update(worker=worker)  # the heartbeat stays fresh: the reaper would wait
    return job


def test_start_records_the_process_running_the_job(tenant_a):
    actor = factories.actor(tenant_a.admin)
    job = jobs.new_job(actor, "createImageByFile", factories.make_image(tenant_a.project, status="saving"))
    assert jobs.start(job, "store")
    assert Job.objects.get(pk=job.pk).worker == f"{socket.gethostname()}:{os.getpid()}"


def test_at_start_up_the_jobs_of_dead_processes_of_this_host_fail_at_once(tenant_a):
    host = socket.gethostname()
    dead = running_job(tenant_a, f"{host}:{a_dead_pid()}")
    alive = running_job(tenant_a, f"{host}:{os.getpid()}")
    elsewhere = running_job(tenant_a, f"another-{host}:{a_dead_pid()}")
    unknown = running_job(tenant_a, "")
    assert jobs.fail_jobs_of_dead_workers() == 1
    dead.refresh_from_db()
    assert (dead.status, dead.error_code) == (JobStatus.FAIL, "IMG.0801")
    for job in (alive, elsewhere, unknown):
        assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING
    assert jobs.reap_stale_jobs() == 0  # their heartbeats are fresh: the periodic reaper alone would have waited


def test_a_real_worker_restarted_within_the_threshold_fails_the_dead_workers_job(transactional_db, tenant_a):
    job = running_job(tenant_a, f"{socket.gethostname()}:{a_dead_pid()}")
    alive = running_job(tenant_a, f"{socket.gethostname()}:{os.getpid()}")
    worker = start_worker()
    try:
        wait_until(
            lambda: Job.objects.get(pk=job.pk).status == JobStatus.FAIL, seconds=jobs.STALE_AFTER.total_seconds()
        )
    finally:
        worker.stop()
    job.refresh_from_db()
    assert job.error_code == "IMG.0801"
    assert Job.objects.get(pk=alive.pk).status == JobStatus.RUNNING
