"""Thin Celery tasks: each hands its job id to the runner of the job's type, or calls one service."""

import logging

from celery import shared_task
from celery.signals import worker_ready

from images.services.jobs import RUN_JOB_TASK

logger = logging.getLogger(__name__)


@shared_task(name=RUN_JOB_TASK, acks_late=True)
def run_job(job_id: str) -> None:
    from images.jobs import run

    run(job_id)


@shared_task(name="images.reap_stale_jobs")
def reap_stale_jobs() -> int:
    from images.services.jobs import reap_stale_jobs as reap

    return reap()


@shared_task(name="images.collect_garbage")
def collect_garbage() -> dict:
    from images.services.storage import collect_unreferenced

    return collect_unreferenced()


@shared_task(name="images.audit_chunks")
def audit_chunks() -> dict:
    from images.services.chunk_audit import audit_stored_chunks

    return audit_stored_chunks()


@worker_ready.connect
def reap_on_start(**kwargs):
    # A worker that starts after a crash fails at once the jobs its dead predecessor on this host left running
    # (their process is gone), then the reaper fails those of silent workers anywhere.
    from images.services.jobs import fail_jobs_of_dead_workers

    try:
        fail_jobs_of_dead_workers()
    except Exception:  # the worker must start all the same; the periodic reaper tries again
        logger.exception("could not fail the jobs of dead workers at start-up")
    reap_stale_jobs.delay()
