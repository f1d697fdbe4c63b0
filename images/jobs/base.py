"""One runner base for every job type: load the Job → start → heartbeat → run → succeed or fail → cleanup.

A runner declares the job types it runs (`job_types`) and is registered by that declaration. Ending the job goes
through the life cycle in `images.services.jobs`: `succeed` or the one failure path `fail`, which trace the
outcome once, as the system actor, on the job's image.
"""

import logging
import shutil
import time

from django.utils.translation import gettext as _

from core.errors import ImsError, storage_failure
from images.models import Job
from images.services import jobs

logger = logging.getLogger(__name__)
RUNNERS: dict[str, type["Runner"]] = {}


class Runner:
    """Subclasses name their `job_types`, the `first_phase` shown while they start, the relations their run reads
    (`related`) and what to tell the user when a bug stops them (`internal_error`); they implement `run()`."""

    job_types: tuple[str, ...] = ()
    first_phase = "run"
    related: tuple[str, ...] = ()
    internal_error = None  # each runner says it in its own words (gettext_lazy: read when a job fails)
    # A job that changes no image's bytes (a member job) leaves its image as it was when it fails.
    keeps_image = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for job_type in cls.job_types:
            if job_type in RUNNERS:
                raise RuntimeError(f"job type {job_type} has two runners: {RUNNERS[job_type].__name__}, {cls.__name__}")
            RUNNERS[job_type] = cls

    def __init__(self, job: Job):
        self.job = job

    @classmethod
    def handle(cls, job_id: str) -> None:
        job = Job.objects.select_related(*cls.related).filter(pk=job_id).first()
        if job is None or not jobs.start(job, cls.first_phase):
            return  # unknown, or already finished: a redelivered message must not run a job twice
        runner = cls(job)
        try:
            with jobs.Heartbeat(job):
                runner.run()
        except ImsError as error:
            runner.fail(error)
        except Exception as error:
            refusal = storage_failure(error)  # a full or read-only storage is told as such, not as IMG.0899
            if refusal is None:
                logger.exception("%s job %s failed", job.job_type, job_id)
            runner.fail(refusal or ImsError("IMG.0899", str(cls.internal_error)))
        finally:
            runner.cleanup()

    def run(self) -> None:
        raise NotImplementedError

    def fail(self, error: ImsError, **entities) -> None:
        jobs.fail(self.job, error, keep_image=self.keeps_image, entities=entities)

    def cleanup(self) -> None:
        """Whatever happened, the job's staging folder goes: the bytes that matter are in the store or a bucket."""
        shutil.rmtree(jobs.staging_dir(self.job), ignore_errors=True)


def run(job_id: str) -> None:
    """Runs job `job_id` with the runner of its type (the worker's task calls this)."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        return
    runner = RUNNERS.get(job.job_type)
    if runner is None:
        jobs.fail(job, ImsError("IMG.0899", _("This kind of job cannot run on this installation.")))
        return
    runner.handle(job_id)


class Reporter:
    """Turns byte counts into job progress, at most a few database writes a second."""

    def __init__(self, job: Job, phase: str, total: int):
        self.job, self.phase, self.total, self.last = job, phase, total, 0.0
        jobs.report(job, phase=phase, done=0, total=total)

    def __call__(self, done: int, total: int | None = None) -> None:
        now = time.monotonic()
        if now - self.last >= 0.5 or (total or self.total) == done:
            self.last = now
            jobs.report(self.job, phase=self.phase, done=done, total=total or self.total)
