"""The copy job: builds the new image's manifest from its source's (within a region no bytes are written; to
another region only the chunks that region lacks travel) and activates it.

The job names the source image (which it locks: one copy task at a time per image, a database constraint); its
entities name the new image, which the one failure path puts in the error state.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ImsError
from iam.actors import system_actor
from images.choices import ImageStatus
from images.jobs.base import Reporter, Runner
from images.models import Image, Job
from images.services import jobs
from images.services.copy import CROSS_REGION_JOB, IN_REGION_JOB
from kms.services import open_image_data_key


class CopyRunner(Runner):
    job_types = (IN_REGION_JOB, CROSS_REGION_JOB)
    first_phase = "copy"
    related = ("image", "project")
    internal_error = gettext_lazy(
        "The copy failed because of an internal error; nothing was kept. Please try again or contact the operator."
    )

    def run(self) -> None:
        copy_disk(self.job)


def _recode(job: Job, source: Image, copy: Image):
    """Encrypts, re-keys or decrypts: every chunk is opened with the source's data key and sealed with the copy's
    (or stored plain), in memory; the keys' states are checked again now, as the job may run later."""
    from images.blobs.store import recode_manifest

    actor = system_actor(job.project)
    source_key = open_image_data_key(actor, source, purpose=job.job_type)
    target_key = open_image_data_key(actor, copy, purpose=job.job_type)
    report = Reporter(job, "copy", source.manifest.virtual_size)
    result = recode_manifest(source.manifest, source_key=source_key, target_key=target_key, on_progress=report)
    if source.os_hash_algo == "sha256" and source.os_hash_value and result.sha256 != source.os_hash_value:
        raise ImsError("IMG.0806", _("The copied disk does not match its source's checksum; nothing was kept."))
    return result.manifest, result.stored_new_bytes


def copy_disk(job: Job) -> None:
    from images.blobs.store import copy_manifest

    source = job.image
    copy = Image.objects.select_related("region").filter(pk=job.entities["image_id"]).first()
    if source is None or source.manifest is None or source.status != ImageStatus.ACTIVE:
        raise ImsError("IMG.0802", _("The source image was deleted or changed while it was being copied."))
    if copy is None:
        raise ImsError("IMG.0802", _("The new image was deleted while it was being copied."))
    jobs.report(job, phase="copy", done=0, total=source.manifest.data_bytes)
    if copy.wrapped_data_key == source.wrapped_data_key:  # the same data key, or none: the chunks are shared
        manifest, moved = copy_manifest(source.manifest, target_region=copy.region)
    else:
        manifest, moved = _recode(job, source, copy)
    # The whole disk is covered, whether its chunks travelled or were already there.
    jobs.report(job, phase="copy", done=source.manifest.data_bytes, total=source.manifest.data_bytes)
    with transaction.atomic():
        updated = Image.objects.filter(pk=copy.pk, status=ImageStatus.SAVING).update(
            status=ImageStatus.ACTIVE, manifest=manifest, active_at=timezone.now(), updated_at=timezone.now()
        )
        if not updated:
            raise ImsError("IMG.0802", _("The new image was deleted while it was being copied."))
        jobs.succeed(job, bytes_moved=moved)
