"""Keys and encrypted images: an administrator of tenant A, a custom key, and images imported with a key."""

import hashlib

import pytest

from images.jobs.imports import run_import
from images.models import Image, Job, JobStatus
from images.services import imports
from kms import services as kms
from tests import factories
from tests.images.imports.helpers import pattern_disk, upload


@pytest.fixture
def admin(tenant_a):
    return factories.actor(tenant_a.admin)


@pytest.fixture
def key(admin):
    return kms.create_key(admin, alias="images/alpha", description="for the tests")


def imported(actor, tmp_path, cmk_id: str | None, *, name="sealed", seed=7) -> Image:
    """An image imported through the whole pipeline, encrypted with `cmk_id` (None: not encrypted)."""
    raw = pattern_disk(tmp_path / f"{name}-{seed}.raw", seed=seed)
    job = imports.create_image(
        actor,
        name=name,
        image_url=upload(actor, raw, f"{name}-{seed}.raw"),
        min_disk=40,
        os_version="Ubuntu 22.04 server 64bit",
        cmk_id=cmk_id,
    )
    run_import(job.id)
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.SUCCESS, job.fail_reason
    return Image.objects.select_related("manifest").get(pk=job.image_id)


def original_sha256(tmp_path, *, name="sealed", seed=7) -> str:
    return hashlib.sha256((tmp_path / f"{name}-{seed}.raw").read_bytes()).hexdigest()
