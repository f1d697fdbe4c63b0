"""An OpenStack client creates an image, uploads its file and downloads it back, unchanged."""

import hashlib

import pytest

from images.models import Image
from tests.compat.test_openstack import connect
from tests.images.imports.helpers import converted, pattern_disk, sha256_of
from tests.workers import wait_until

pytestmark = [pytest.mark.compat, pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")]


def test_openstack_create_upload_download_round_trip(world, job_worker, tmp_path):
    raw = pattern_disk(tmp_path / "disk.raw")
    qcow2 = converted(raw, "qcow2")
    conn = connect(world["url"], "alpha-admin", account="alpha")
    with open(qcow2, "rb") as data:
        image = conn.image.create_image(
            name="os-upload",
            data=data,
            disk_format="qcow2",
            container_format="bare",
            wait=False,
            validate_checksum=False,
        )
    wait_until(lambda: Image.objects.get(pk=image.id).status in ("active", "killed"), seconds=120)
    shown = conn.image.get_image(image.id)
    assert shown.status == "active" and shown.disk_format == "raw"
    assert shown.checksum == hashlib.md5(raw.read_bytes()).hexdigest()
    target = tmp_path / "downloaded.raw"
    with open(target, "wb") as handle:
        conn.image.download_image(shown, output=handle)  # the client checks the MD5 it receives
    assert sha256_of(target) == sha256_of(raw) == shown.hash_value
