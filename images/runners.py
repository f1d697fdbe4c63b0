"""Which function runs a job of each type. Job families register theirs with `@runner("jobType")`."""

import importlib

RUNNERS: dict[str, callable] = {}
# The modules that register runners; imported once by the worker before it runs a job.
RUNNER_MODULES = ("images.pipeline", "images.services.members", "images.services.copy", "images.services.export")


def runner(*job_types: str):
    def register(func):
        for job_type in job_types:
            RUNNERS[job_type] = func
        return func

    return register


def run(job_id: str) -> None:
    from images.models import Job

    for module in RUNNER_MODULES:
        importlib.import_module(module)
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        return
    if job.job_type not in RUNNERS:
        from django.utils.translation import gettext as _

        from core.errors import ImsError
        from images.services.jobs import fail

        fail(job, ImsError("IMG.0899", _("This kind of job cannot run on this installation.")))
        return
    RUNNERS[job.job_type](job_id)
