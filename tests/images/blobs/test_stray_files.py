"""The collector removes every file of the chunk store that no row names once it is older than the grace period:
partial writes (`.part-*`) and whole objects whose row a killed worker never committed. Files are made in the
local chunk store as a killed worker leaves them; named objects are kept."""

import os
import time
from io import StringIO

import pytest
from django.core.management import call_command

from images.blobs.objects import chunk_storage
from images.blobs.store import write_raw_disk
from tests.factories import make_image
from tests.images.imports.helpers import MiB

# Stray files are files of the local chunk store; S3's staging sweep is in tests/obs/test_s3_mode.py.
pytestmark = pytest.mark.usefixtures("local_mode")

REGION = "cn-north-4"


def stray(storage, name: str, *, age_hours: float = 0, size: int = 1000) -> str:
    path = storage.path(name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(os.urandom(size))
    old = time.time() - age_hours * 3600
    os.utime(path, (old, old))
    return path


@pytest.fixture
def storage(own_var_dir, tenant_a):
    return chunk_storage(REGION)


def test_collect_garbage_removes_partial_writes_and_unnamed_objects(storage, tenant_a, tmp_path):
    disk = tmp_path / "disk.raw"
    disk.write_bytes(os.urandom(MiB))
    kept = write_raw_disk(tenant_a.project.region, disk).manifest
    make_image(tenant_a.project, status="active", manifest=kept)
    kept_files = {path for path, _d, files in os.walk(storage.path("sha256")) for path in files}
    part = stray(storage, "sha256/ab/cd/.part-x1y2z3", size=4 * MiB)
    unnamed = stray(storage, "sha256/ab/cd/abcd" + "0" * 60 + ".0011223344556677")
    out = StringIO()
    call_command("collect_garbage", "--grace-hours", "0", stdout=out)
    assert not os.path.exists(part) and not os.path.exists(unnamed)
    assert "Removed 2 stray file(s)" in out.getvalue()
    assert kept.entries.exists()
    left = {path for path, _d, files in os.walk(storage.path("sha256")) for path in files}
    assert left == kept_files


def test_young_strays_are_spared_during_the_grace_period(storage):
    part = stray(storage, "sha256/ab/cd/.part-young", age_hours=1)
    old = stray(storage, "sha256/ab/cd/.part-old", age_hours=7)
    call_command("collect_garbage", stdout=StringIO())
    assert os.path.exists(part) and not os.path.exists(old)
