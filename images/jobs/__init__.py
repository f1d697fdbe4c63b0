"""The job runners: one base (`base.Runner`) and a runner per job family, each registered by the job types it
declares. Importing this package registers them all, so no list of runner modules is kept anywhere else.

Jobs sit above the services: runners call services and the job life cycle (`images.services.jobs`); services
never import this package (they queue a job by the Celery task's name). `images.tasks` is its only importer.
"""

from images.jobs import copy, export, imports, members
from images.jobs.base import RUNNERS, Runner, run

__all__ = ["RUNNERS", "Runner", "copy", "export", "imports", "members", "run"]
