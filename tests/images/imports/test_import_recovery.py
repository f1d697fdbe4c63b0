"""A worker killed mid-import leaves a clean state after recovery; quotas hold under concurrent requests."""

import os
import threading
from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.db import connection

from core.errors import ImsError
from images.blobs.models import Chunk, Manifest
from images.models import Image, Job, JobStatus
from images.selectors import show_image_quota
from images.services import imports, jobs
from tests import factories
from tests.images.imports.helpers import MiB, converted, guest_filesystem, upload
from tests.workers import wait_until


def random_disk(path, size):
    """Random data behind a small file system: a system disk import examines the disk before storing it."""
    with open(path, "wb") as handle:
        handle.write(guest_filesystem())
        for _ in range(size // MiB - 1):
            handle.write(os.urandom(MiB))
    return path


def test_worker_killed_mid_import_leaves_nothing_after_recovery(job_worker, tenant_a, tmp_path):
    actor = factories.actor(tenant_a.admin)
    source = converted(random_disk(tmp_path / "big.raw", 384 * MiB), "vmdk")
    job = imports.create_image(actor, name="doomed", image_url=upload(actor, source, "big.vmdk"), min_disk=40)
    wait_until(lambda: Job.objects.get(pk=job.pk).phase == "store", seconds=60, interval=0.02)
    job_worker.kill()
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING  # stuck until someone notices

    assert jobs.reap_stale_jobs(stale_after=timedelta(0)) == 1
    job.refresh_from_db()
    assert (job.status, job.error_code) == (JobStatus.FAIL, "IMG.0801")
    assert Image.objects.get(pk=job.image_id).status == "killed"
    # Recovery is the reaper and then the collector: together they leave nothing behind.
    out = StringIO()
    call_command("collect_garbage", "--grace-hours", "0", stdout=out)
    assert "chunk(s)" in out.getvalue()
    assert not jobs.staging_dir(job).exists()
    assert not Manifest.objects.exists() and not Chunk.objects.exists()
    assert show_image_quota(actor)[0].used == 0


def test_private_image_quota_holds_under_concurrent_requests(transactional_db, tenant_a, tmp_path, settings):
    settings.IMS_PRIVATE_IMAGE_QUOTA = 3
    actor = factories.actor(tenant_a.admin)
    url = upload(actor, random_disk(tmp_path / "d.raw", MiB), "d.raw")
    outcomes, barrier = [], threading.Barrier(8)

    def attempt():
        barrier.wait()
        try:
            imports.create_image(actor, name="racer", image_url=url, min_disk=40)
            outcomes.append("ok")
        except ImsError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 3
    assert set(outcomes) - {"ok"} <= {"IMG.0301"}
    assert Image.objects.filter(owner=tenant_a.project).count() == 3


def test_garbage_collection_removes_staging_folders_of_ended_jobs_only(tenant_a, db, own_var_dir):
    # own_var_dir: a staging area of its own, where other tests' leftovers would be counted too
    from images.services.storage import sweep_staging

    actor = factories.actor(tenant_a.admin)
    ended, running = jobs.new_job(actor, "createImageByFile", None), jobs.new_job(actor, "createImageByFile", None)
    Job.objects.filter(pk=ended.pk).update(status=JobStatus.FAIL)
    for job in (ended, running):
        jobs.staging_dir(job).mkdir(parents=True)
        (jobs.staging_dir(job) / "upload").write_bytes(b"x")
    assert sweep_staging() == 1
    assert not jobs.staging_dir(ended).exists() and jobs.staging_dir(running).exists()
