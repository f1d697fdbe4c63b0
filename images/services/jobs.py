"""The life of a Job: started with its image, progress reported, finished, or failed cleanly.

A failed job leaves: the job FAIL with a stable code and a reason a user understands, its image in the
error state (which frees the image quota), its staging files removed, and its chunks free to the collector.
"""

import logging
import shutil
import threading
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ImsError
from images.choices import ImageStatus
from images.models import Image, Job, JobStatus

logger = logging.getLogger(__name__)
ACTIVE_STATES = (JobStatus.INIT, JobStatus.RUNNING)
# A running job writes its heartbeat at least this often; twice as long without one means its worker died.
HEARTBEAT_INTERVAL = timedelta(seconds=30)
STALE_AFTER = timedelta(minutes=5)
# Queued jobs wait for a free worker; one waiting this long was lost (its message never arrived).
NEVER_STARTED_AFTER = timedelta(hours=24)


def staging_dir(job: Job):
    return settings.VAR_DIR / "staging" / job.id


def enqueue(job: Job) -> None:
    """Sends the job to a worker once the transaction that created it has committed."""
    from images.tasks import run_job

    def send():
        try:
            run_job.delay(job.id)
        except Exception:
            logger.exception("job %s could not be queued", job.id)
            fail(
                job,
                ImsError(
                    "IMG.0804",
                    _(
                        "The job could not be handed to a worker (the job queue is not "
                        "reachable); nothing was kept. Please try again later."
                    ),
                ),
            )

    transaction.on_commit(send)


class Heartbeat:
    """Keeps a running job's heartbeat fresh while a long step (a qemu-img check, a big read) has the thread."""

    def __init__(self, job: Job):
        self.job, self.stop = job, threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"heartbeat-{job.id}", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    def _beat(self) -> None:
        from django.db import connection

        try:
            while not self.stop.wait(HEARTBEAT_INTERVAL.total_seconds()):
                Job.objects.filter(pk=self.job.pk, status=JobStatus.RUNNING).update(heartbeat_at=timezone.now())
        finally:
            connection.close()


def new_job(actor, job_type: str, image: Image | None, **entities) -> Job:
    return Job.objects.create(
        job_type=job_type,
        project=actor.project,
        user=actor.user if actor.user else None,
        image=image,
        entities=entities,
    )


def start(job: Job, phase: str) -> bool:
    """Marks the job running; False when it already ended (a redelivered message must not rerun it)."""
    now = timezone.now()
    updated = Job.objects.filter(pk=job.pk, status__in=ACTIVE_STATES).update(
        status=JobStatus.RUNNING, begin_time=now, heartbeat_at=now, phase=phase
    )
    return bool(updated)


def report(job: Job, *, phase: str, done: int = 0, total: int = 0, percent: float | None = None) -> None:
    if percent is None:
        percent = round(100.0 * done / total, 1) if total else 0.0
    job.phase, job.bytes_done, job.bytes_total, job.percent = phase, done, total, percent
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        phase=phase, bytes_done=done, bytes_total=total, percent=percent, heartbeat_at=timezone.now()
    )


def succeed(job: Job, **entities) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCESS,
        end_time=timezone.now(),
        percent=100.0,
        phase="done",
        entities={**job.entities, **entities},
    )


def fail(job: Job, error: ImsError) -> None:
    """The one failure path: job FAIL, image in the error state, staging removed.

    Chunks the job wrote are referenced by no image, so the collector removes them after its grace period.
    """
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAIL, end_time=timezone.now(), error_code=error.code, fail_reason=error.message
        )
        # The job's image, and the image it was making (a copy names its new image in its entities); a finished
        # image (a copy's source) is never touched.
        made = {job.image_id, job.entities.get("image_id")} - {None, ""}
        if made:
            Image.objects.filter(pk__in=made, status__in=[ImageStatus.QUEUED, ImageStatus.SAVING]).update(
                status=ImageStatus.KILLED, manifest=None
            )
    shutil.rmtree(staging_dir(job), ignore_errors=True)


def reap_stale_jobs(*, stale_after: timedelta = STALE_AFTER) -> int:
    """Fails the jobs whose worker died (no heartbeat for `stale_after`).

    A periodic task and worker start-up call it."""
    cutoff = timezone.now() - stale_after
    count = 0
    for job in Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff):
        fail(
            job,
            ImsError(
                "IMG.0801",
                _("The worker running this job stopped before it finished; nothing of it was kept. Please try again."),
            ),
        )
        count += 1
    for job in Job.objects.filter(status=JobStatus.INIT, created_at__lt=timezone.now() - NEVER_STARTED_AFTER):
        fail(job, ImsError("IMG.0805", _("No worker picked this job up in time; nothing was kept. Please try again.")))
        count += 1
    return count
