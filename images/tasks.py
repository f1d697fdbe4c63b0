"""Thin Celery tasks: each loads its job and calls one step of the pipeline."""

from celery import shared_task
from celery.signals import worker_ready


@shared_task(name="images.run_job", acks_late=True)
def run_job(job_id: str) -> None:
    from images.runners import run

    run(job_id)


@shared_task(name="images.reap_stale_jobs")
def reap_stale_jobs() -> int:
    from images.services.jobs import reap_stale_jobs as reap

    return reap()


@shared_task(name="images.collect_garbage")
def collect_garbage() -> dict:
    from images.services.storage import collect_unreferenced

    return collect_unreferenced()


@worker_ready.connect
def reap_on_start(**kwargs):
    # A worker that starts after a crash fails the jobs the dead one left running.
    reap_stale_jobs.delay()
