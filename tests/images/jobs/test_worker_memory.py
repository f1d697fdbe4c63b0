"""The worker's memory stays flat during an import and an export, whatever the disk's size.

A worker process with Django and the project loaded holds about 115 MB before it runs a job (bench/import_pipeline.py
prints it). For the whole worker to stay below 200 MB, a job may add at most 85 MB to that, at its peak; the data
buffers are bounded (a fixed pool of chunk buffers on import, a bounded cache of decoded chunks on export), so the
peak must not grow with the disk. The peak resident set of this process is reset as each job starts (Linux
`clear_refs`) and read when it ends, so the figure is the job's own: its threads, buffers and caches.
"""

import os
import subprocess
from pathlib import Path

import pytest

from images.jobs import run
from images.jobs.imports import run_import
from images.models import Job, JobStatus
from images.services import export, imports
from obs.services import create_bucket
from tests import factories
from tests.images.imports.helpers import upload

MiB = 1024 * 1024
JOB_GROWTH_LIMIT = 85 * MiB  # 200 MB for the worker, less the 115 MB it holds before any job
DISK_SIZE = 768 * MiB


def _kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(field)


def peak_growth(work) -> int:
    """Runs `work` here: the peak of this process's resident set above where it stood when `work` began."""
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current resident set
    start = _kib("VmRSS")
    outcome = work()
    assert outcome == JobStatus.SUCCESS, outcome
    return _kib("VmHWM") - start


def sparse_disk(path: Path) -> Path:
    """768 MiB: 4 MiB of random data every 32 MiB (about 100 MB of data), the rest holes and zeros."""
    with open(path, "wb") as handle:
        handle.truncate(DISK_SIZE)
        for offset in range(0, DISK_SIZE, 32 * MiB):
            handle.seek(offset)
            handle.write(os.urandom(4 * MiB))
    qcow2 = path.with_suffix(".qcow2")
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", path, qcow2], check=True)
    return qcow2


@pytest.fixture
def admin(tenant_a):
    return factories.actor(tenant_a.admin)


def test_an_import_and_an_export_of_a_large_disk_keep_the_worker_below_its_bound(admin, tmp_path):
    url = upload(admin, sparse_disk(tmp_path / "disk.raw"), "disk.qcow2")
    job = imports.create_data_image(admin, name="big", image_url=url, min_disk=40)

    def import_it():
        run_import(job.id)
        return Job.objects.get(pk=job.pk).status

    assert peak_growth(import_it) < JOB_GROWTH_LIMIT
    image = Job.objects.select_related("image").get(pk=job.pk).image
    create_bucket(admin, name="exports")
    exporting = export.export_image(admin, image=image, bucket_url="exports:out.qcow2", file_format="qcow2")

    def export_it():
        run(exporting.id)
        return Job.objects.get(pk=exporting.pk).status

    assert peak_growth(export_it) < JOB_GROWTH_LIMIT
