"""A full or read-only chunk store fails an import with its own code (IMG.0830 full, IMG.0831 read-only) and a
message naming the cause, not the generic IMG.0899, and leaves no partial chunk file.

The faults are injected at the storage edge: the OSError a full disk (ENOSPC) or a read-only mount (EROFS)
raises comes from writing the encoded chunk into its temporary file (`PlainCodec.encode_to`)."""

import errno
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from core.errors import ImsError
from images.blobs import objects
from images.blobs.objects import chunk_storage
from images.blobs.store import write_raw_disk
from images.jobs.imports import run_import
from images.models import Image
from images.services import imports
from tests import factories
from tests.images.imports.helpers import MiB, converted, pattern_disk, upload

# These faults are OS errors of local files; S3's are in tests/obs/test_s3_storage_faults.py.
pytestmark = pytest.mark.usefixtures("local_mode")


@pytest.mark.parametrize(
    ("number", "code", "status"), [(errno.ENOSPC, "IMG.0830", 507), (errno.EROFS, "IMG.0831", 503)]
)
def test_a_failing_chunk_store_is_told_as_such_and_keeps_nothing(
    own_var_dir, tenant_a, tmp_path, monkeypatch, number, code, status
):
    def encode_to(self, data, handle):
        handle.write(b"half a chunk")
        raise OSError(number, "injected")

    monkeypatch.setattr(objects.PlainCodec, "encode_to", encode_to)
    disk = tmp_path / "disk.raw"
    disk.write_bytes(os.urandom(2 * MiB))
    with pytest.raises(ImsError) as refused:
        write_raw_disk(tenant_a.project.region, disk)
    assert (refused.value.code, refused.value.status) == (code, status)
    root = chunk_storage(tenant_a.project.region_id).path("")
    assert not [name for _path, _dirs, files in os.walk(root) for name in files]


@pytest.fixture
def short_var_dir(settings):
    """A data folder of its own with a short path: qemu-nbd's socket path must stay under 108 bytes."""
    from obs.storage import storage_for

    folder = tempfile.mkdtemp(prefix="ims-")
    settings.VAR_DIR = Path(folder)
    storage_for.cache_clear()
    yield settings.VAR_DIR
    storage_for.cache_clear()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize(("number", "code"), [(errno.ENOSPC, "IMG.0830"), (errno.EROFS, "IMG.0831")])
def test_an_import_into_a_failing_chunk_store_fails_with_the_cause(
    short_var_dir, tenant_a, tmp_path, monkeypatch, number, code
):
    actor = factories.actor(tenant_a.admin)
    url = upload(actor, converted(pattern_disk(tmp_path / "disk.raw"), "qcow2"), "disk.qcow2")
    job = imports.create_image(actor, name="doomed", image_url=url, min_disk=40)

    def encode_to(self, data, handle):
        raise OSError(number, "injected")

    monkeypatch.setattr(objects.PlainCodec, "encode_to", encode_to)
    run_import(job.id)
    job.refresh_from_db()
    assert (job.status, job.error_code) == ("FAIL", code), job.fail_reason
    assert Image.objects.get(pk=job.image_id).status == "killed"
    root = chunk_storage(tenant_a.project.region_id).path("")
    assert not [name for _path, _dirs, files in os.walk(root) for name in files]
