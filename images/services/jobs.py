"""The life of a Job, as services and runners share it: created with its image, queued once its row is committed,
started, kept alive, reported on, and ended exactly once, by `succeed` or by the one failure path `fail`.

A failed job leaves: the job FAIL with a stable code and a reason a user understands, its image in the error
state (which frees the image quota), its staging files removed, and its chunks free to the collector. However a
job ends (its runner, the reaper, a cancel, a queue that cannot be reached), the end is traced once, as the
system actor, on the job's image. The runners themselves live in `images.jobs`, above the services.
"""

import logging
import os
import shutil
import socket
import threading
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import TraceResult
from audit.recorder import record
from core.errors import ImsError
from iam.actors import Actor, system_actor
from iam.catalogue import JOB_FAILED, JOB_SUCCEEDED
from iam.operations import operation
from images.choices import ImageStatus
from images.models import ACTIVE_JOB_STATES, Image, Job, JobStatus
from images.selectors import get_job
from images.services.job_reasons import REASON_KEY, english_reason

logger = logging.getLogger(__name__)
# The Celery task that runs a job (images.tasks): sent by name, so services need not import the task module.
RUN_JOB_TASK = "images.run_job"
# A running job writes its heartbeat at least this often; three missed beats (and a little slack for a busy
# database) mean its worker died. With the reaper every REAP_EVERY, a dead worker is noticed within a minute.
HEARTBEAT_INTERVAL = timedelta(seconds=10)
STALE_AFTER = timedelta(seconds=35)
REAP_EVERY = timedelta(seconds=15)
# Queued jobs wait for a free worker; one waiting this long was lost (its message never arrived).
NEVER_STARTED_AFTER = timedelta(hours=24)


def staging_dir(job: Job):
    return settings.VAR_DIR / "staging" / job.id


def new_job(actor: Actor, job_type: str, image: Image | None, **entities) -> Job:
    return Job.objects.create(
        job_type=job_type,
        project=actor.project,
        user=actor.user if actor.user else None,
        image=image,
        entities=entities,
    )


def enqueue(job: Job) -> None:
    """Sends the job to a worker once the transaction that created it has committed."""

    def send():
        try:
            current_app.send_task(RUN_JOB_TASK, args=[job.id])
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


def worker_identity(pid: int | None = None) -> str:
    """ "<hostname>:<pid>" of the process running a job (recorded on the job by `start`)."""
    return f"{socket.gethostname()}:{os.getpid() if pid is None else pid}"


def start(job: Job, phase: str) -> bool:
    """Marks the job running; False when it already ended (a redelivered message must not rerun it)."""
    now = timezone.now()
    updated = Job.objects.filter(pk=job.pk, status__in=ACTIVE_JOB_STATES).update(
        status=JobStatus.RUNNING, begin_time=now, heartbeat_at=now, phase=phase, worker=worker_identity()
    )
    return bool(updated)


def report(job: Job, *, phase: str, done: int = 0, total: int = 0, percent: float | None = None) -> None:
    if percent is None:
        percent = round(100.0 * done / total, 1) if total else 0.0
    job.phase, job.bytes_done, job.bytes_total, job.percent = phase, done, total, percent
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        phase=phase, bytes_done=done, bytes_total=total, percent=percent, heartbeat_at=timezone.now()
    )


def succeed(job: Job, **entities) -> bool:
    """Ends the job SUCCESS with `entities` added; False when it had already ended (then nothing changes)."""
    with transaction.atomic():
        ended = Job.objects.filter(pk=job.pk, status__in=ACTIVE_JOB_STATES).update(
            status=JobStatus.SUCCESS,
            end_time=timezone.now(),
            percent=100.0,
            phase="done",
            entities={**job.entities, **entities},
        )
        if ended:
            _trace_end(job, TraceResult.SUCCESS)
    return bool(ended)


def fail(
    job: Job, error: ImsError, *, keep_image: bool = False, entities: dict | None = None, only_from=ACTIVE_JOB_STATES
) -> bool:
    """The one failure path: job FAIL, its image in the error state, staging removed, the failure traced.

    `keep_image`: the job changes no image's bytes (a member job), so a failure leaves its image as it was.
    `only_from`: the states the job may end from (a cancel takes only a job that has not started). False when
    the job was not in one of them: a job ends once, and nothing is changed then. Chunks the job wrote are
    referenced by no image, so the collector removes them after its grace period.
    """
    # The API keeps the English text; the reason's catalogue entry and values let the console translate it.
    fail_reason, reason = english_reason(error.message)
    entities = {**(entities or {}), **({REASON_KEY: reason} if reason else {})}
    with transaction.atomic():
        ended = Job.objects.filter(pk=job.pk, status__in=only_from).update(
            status=JobStatus.FAIL,
            end_time=timezone.now(),
            error_code=error.code,
            fail_reason=fail_reason,
            # Entities only when given: the row may hold entities this copy of the job never saw.
            **({"entities": {**job.entities, **entities}} if entities else {}),
        )
        if not ended:
            return False
        if not keep_image:
            _kill_images(job)
        _trace_end(job, TraceResult.FAILURE, error.code)
    shutil.rmtree(staging_dir(job), ignore_errors=True)
    return True


def _kill_images(job: Job) -> None:
    # The job's image, and the image it was making (a copy names its new image in its entities); a finished
    # image (a copy's source) is never touched.
    made = {job.image_id, job.entities.get("image_id")} - {None, ""}
    if made:
        Image.objects.filter(
            pk__in=made, status__in=[ImageStatus.QUEUED, ImageStatus.SAVING, ImageStatus.IMPORTING]
        ).update(status=ImageStatus.KILLED, manifest=None)


def _trace_end(job: Job, result: str, error_code: str = "") -> None:
    """The job's outcome in the audit trail: the system did the work, on the image the job names. The request
    that queued the job was traced under the operation's own event; this row tells how the work ended."""
    image = Image.objects.filter(pk=job.image_id).only("name").first() if job.image_id else None
    record(
        event=JOB_SUCCEEDED if result == TraceResult.SUCCESS else JOB_FAILED,
        operation=job.job_type,
        actor=system_actor(job.project),
        resource_id=str(job.image_id or ""),
        resource_name=image.name if image else "",
        result=result,
        error_code=error_code,
        summary={"job_id": job.pk, "job_type": job.job_type},
    )


def reap_stale_jobs(*, stale_after: timedelta = STALE_AFTER) -> int:
    """Fails the jobs whose worker died (no heartbeat for `stale_after`).

    A periodic task and worker start-up call it."""
    cutoff = timezone.now() - stale_after
    count = 0
    for job in Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff):
        count += fail(
            job,
            ImsError(
                "IMG.0801",
                _("The worker running this job stopped before it finished; nothing of it was kept. Please try again."),
            ),
            only_from=(JobStatus.RUNNING,),
        )
    for job in Job.objects.filter(status=JobStatus.INIT, created_at__lt=timezone.now() - NEVER_STARTED_AFTER):
        error = ImsError("IMG.0805", _("No worker picked this job up in time; nothing was kept. Please try again."))
        count += fail(job, error, only_from=(JobStatus.INIT,))
    return count


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def fail_jobs_of_dead_workers() -> int:
    """At worker start-up: fails at once the RUNNING jobs claimed by a process of this host that no longer exists
    (a worker that crashed and was restarted within the heartbeat threshold), instead of waiting for the reaper.
    Jobs of other hosts, of live processes and of no recorded process are left to the heartbeat reaper (a reused
    pid keeps a dead job alive only until then)."""
    prefix = f"{socket.gethostname()}:"
    count = 0
    for job in Job.objects.filter(status=JobStatus.RUNNING, worker__startswith=prefix):
        pid = job.worker[len(prefix) :]
        if not pid.isdigit() or _process_exists(int(pid)):
            continue
        count += fail(
            job,
            ImsError(
                "IMG.0801",
                _("The worker running this job stopped before it finished; nothing of it was kept. Please try again."),
            ),
            only_from=(JobStatus.RUNNING,),
        )
    return count


def why_not_cancellable(job: Job) -> str | None:
    if job.status == JobStatus.INIT:
        return None
    if job.status == JobStatus.RUNNING:
        return _(
            "A running job cannot be cancelled: its work is already under way and stopping it halfway "
            "could leave a broken image. Wait until it ends; you can then delete the image."
        )
    return _("This job has already ended.")


def _job_summary(kwargs: dict) -> dict:
    job = kwargs.get("job")
    return {"job_id": job.pk if job is not None else kwargs.get("job_id", "")}


@operation("cancel_job", target="job", find=get_job, summary=_job_summary)
def cancel_job(actor: Actor, *, job: Job) -> Job:
    """Cancels a job that has not started: FAIL with IMG.0803, its image in the error state, quota freed."""
    # Ended by a conditional update, so a worker starting the job at this moment cannot also run it.
    if not fail(job, ImsError("IMG.0803", _("The job was cancelled by the user.")), only_from=(JobStatus.INIT,)):
        job.refresh_from_db()
        raise ImsError("IMG.0804", why_not_cancellable(job) or _("This job has already ended."), 409)
    job.refresh_from_db()
    return job
