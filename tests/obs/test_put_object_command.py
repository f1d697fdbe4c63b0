"""`manage.py put_object ACCOUNT REGION BUCKET:KEY FILE` for automation: creates the bucket when missing."""

import io

import pytest
from django.core.management import CommandError, call_command

from audit.models import Trace
from obs.models import Bucket, StoredObject
from tests.obs.conftest import random_bytes, sha256_of


def test_the_command_creates_the_bucket_and_streams_the_file(tenant_a, tmp_path):
    source = tmp_path / "ubuntu.qcow2"
    source.write_bytes(random_bytes(3 * 1024 * 1024 + 5))
    out = io.StringIO()
    call_command("put_object", "alpha", "cn-north-4", "images:linux/ubuntu.qcow2", str(source), stdout=out)
    stored = StoredObject.objects.select_related("bucket").get()
    assert (stored.url, stored.size, stored.sha256) == (
        "images:linux/ubuntu.qcow2",
        source.stat().st_size,
        sha256_of(source.read_bytes()),
    )
    assert stored.bucket.account == tenant_a.account and stored.bucket.region_id == "cn-north-4"
    assert "Created bucket images" in out.getvalue() and stored.sha256 in out.getvalue()
    assert Trace.objects.filter(event_name="putObject", via="system", result="success").exists()

    call_command("put_object", "alpha", "cn-north-4", "images:linux/again.qcow2", str(source), stdout=io.StringIO())
    assert Bucket.objects.count() == 1 and StoredObject.objects.count() == 2


@pytest.mark.parametrize(
    "arguments, message",
    [
        (("nobody", "cn-north-4", "images:k", "FILE"), "has no project"),
        (("alpha", "cn-north-4", "no-colon", "FILE"), "OBS.0001"),
        (("alpha", "cn-north-4", "images:../k", "FILE"), "OBS.0001"),
        (("alpha", "cn-north-4", "images:k", "/nonexistent/file"), "Cannot read"),
    ],
)
def test_the_command_explains_what_is_wrong(tenant_a, tmp_path, arguments, message):
    source = tmp_path / "file"
    source.write_bytes(b"x")
    arguments = [str(source) if value == "FILE" else value for value in arguments]
    with pytest.raises(CommandError, match=message):
        call_command("put_object", *arguments, stdout=io.StringIO())


def test_a_bucket_name_of_another_account_is_refused(tenant_a, tenant_b, tmp_path):
    source = tmp_path / "file"
    source.write_bytes(b"x")
    call_command("put_object", "bravo", "cn-north-4", "taken:k", str(source), stdout=io.StringIO())
    with pytest.raises(CommandError, match=r"OBS\.0002"):
        call_command("put_object", "alpha", "cn-north-4", "taken:k", str(source), stdout=io.StringIO())
