"""Real imported images for the copy and export tests: a pattern disk imported through the pipeline."""

import hashlib

from images.blobs.store import iter_raw_disk
from images.jobs import run
from images.jobs.imports import run_import
from images.models import Image, Job, JobStatus
from images.services import imports
from tests.images.imports.helpers import pattern_disk, upload


def imported_image(actor, tmp_path, *, name="source", seed=7, **fields) -> Image:
    raw = pattern_disk(tmp_path / f"{name}-{seed}.raw", seed=seed)
    job = imports.create_image(
        actor,
        name=name,
        image_url=upload(actor, raw, f"{name}-{seed}.raw"),
        min_disk=40,
        os_version="Ubuntu 22.04 server 64bit",
    )
    run_import(job.id)
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.SUCCESS, job.fail_reason
    if fields:
        Image.objects.filter(pk=job.image_id).update(**fields)
    return Image.objects.select_related("manifest").get(pk=job.image_id)


def finished(job) -> Job:
    run(job.id)
    return Job.objects.get(pk=job.pk)


def disk_sha256(image) -> str:
    digest = hashlib.sha256()
    for piece in iter_raw_disk(image.manifest):
        digest.update(piece)
    return digest.hexdigest()
