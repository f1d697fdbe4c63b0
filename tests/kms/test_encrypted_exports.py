"""Exports of encrypted images are encrypted at rest (SSE-KMS): nothing of the image in clear in the data folder or
in S3, the object reads back transparently through obs (download, import), and its key's state is obeyed."""

import hashlib
import re

import pytest

from audit.models import Trace
from iam.actors import system_actor
from images.jobs.imports import run_import
from images.models import Image, Job, JobStatus
from images.services import export, imports, jobs
from kms import services as kms
from obs.models import StoredObject
from obs.services import create_bucket, delete_object, open_object_for_reading
from obs.storage import s3_bucket_name, s3_client
from tests.images.manage.helpers_copy import disk_sha256, finished
from tests.kms.conftest import imported, original_sha256
from tests.kms.test_encrypted_images import plaintext_found, samples
from tests.obs.conftest import ObsClient

EXPORTED = "out/disk.qcow2"


def exported(admin, image) -> StoredObject:
    """`image` exported as qcow2 (qemu-img leaves its clusters uncompressed: the control finds them) to
    `exports:out/disk.qcow2`, the tenant's upload removed so that only the image's own copies remain."""
    create_bucket(system_actor(admin.project), name="exports")
    job = finished(export.export_image(admin, image=image, bucket_url=f"exports:{EXPORTED}", file_format="qcow2"))
    assert job.status == JobStatus.SUCCESS, job.fail_reason
    assert not jobs.staging_dir(job).exists()
    delete_object(system_actor(admin.project), bucket="images", key=f"{image.name}-13.raw")
    stored = StoredObject.objects.get(bucket__name="exports", key=EXPORTED)
    assert (stored.size, stored.sha256) == (job.entities["file_size"], job.entities["file_sha256"])
    return stored


def read_exported(admin) -> bytes:
    stream, _stored = open_object_for_reading(admin, admin.project.region_id, f"exports:{EXPORTED}")
    with stream:
        return stream.read()


@pytest.mark.parametrize("encrypted", [True, False], ids=["with-key", "control-without-key"])
def test_an_export_of_an_encrypted_image_leaves_no_plaintext_in_the_data_folder(
    own_var_dir, local_mode, admin, key, encrypted
):
    image = imported(admin, own_var_dir / "..", str(key.pk) if encrypted else None, name="exp", seed=13)
    stored = exported(admin, image)
    found = plaintext_found(own_var_dir, samples(own_var_dir / ".." / "exp-13.raw"))

    if encrypted:
        assert found == [] and stored.encrypted and stored.cmk_id == str(key.pk) and stored.wrapped_data_key
    else:  # the control proves the scan finds the exported plaintext where it is
        assert any(path.startswith("objects") for path in found) and not stored.encrypted
    # What obs lists is the plaintext's size and checksum either way.
    plaintext = read_exported(admin)
    assert (len(plaintext), hashlib.sha256(plaintext).hexdigest()) == (stored.size, stored.sha256)


@pytest.mark.parametrize("encrypted", [True, False], ids=["with-key", "control-without-key"])
def test_in_s3_mode_no_s3_object_holds_plaintext_of_an_encrypted_export(s3_storage, own_var_dir, admin, key, encrypted):
    image = imported(admin, own_var_dir / "..", str(key.pk) if encrypted else None, name="exp", seed=13)
    exported(admin, image)
    needles, client = samples(own_var_dir / ".." / "exp-13.raw"), s3_client()
    found = []
    for purpose in ("objects", "chunks"):
        bucket = s3_bucket_name(purpose, admin.project.region_id)
        for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
            content = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            found += [item["Key"]] if any(needle in content for needle in needles) else []

    assert found == [] if encrypted else f"exports/{EXPORTED}" in found
    assert plaintext_found(own_var_dir, needles) == []  # and nothing was left behind on the worker's disk


def test_the_encrypted_export_downloads_as_written_and_imports_again(admin, key, tenant_a, tmp_path):
    stored = exported(admin, imported(admin, tmp_path, str(key.pk), name="exp", seed=13))

    got = ObsClient(tenant_a.admin).get(f"/v1/obs/buckets/exports/objects/{EXPORTED}")
    assert got.status_code == 200 and got["Content-Length"] == str(stored.size)
    assert (got["X-Obs-Server-Side-Encryption"], got["X-Obs-Server-Side-Encryption-Kms-Key-Id"]) == ("kms", str(key.pk))
    assert hashlib.sha256(b"".join(got.streaming_content)).hexdigest() == stored.sha256

    job = imports.create_image(
        admin, name="again", image_url=f"exports:{EXPORTED}", min_disk=40, os_version="Ubuntu 22.04 server 64bit"
    )
    run_import(job.id)
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.SUCCESS, job.fail_reason
    again = Image.objects.select_related("manifest").get(pk=job.image_id)
    assert not again.cmk_id and disk_sha256(again) == original_sha256(tmp_path, name="exp", seed=13)


def test_the_console_marks_the_encrypted_export_and_downloads_its_plaintext(admin, key, tenant_a, client, tmp_path):
    stored = exported(admin, imported(admin, tmp_path, str(key.pk), name="exp", seed=13))
    client.force_login(tenant_a.admin)
    page = client.get("/console/obs/buckets/exports").content.decode()
    assert 'data-testid="encrypted"' in page and str(key.pk) in page

    download = client.get(re.search(r'href="([^"]+)" download', page).group(1))
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == stored.sha256


def test_a_disabled_key_refuses_the_exported_object_naming_the_key_until_enabled(admin, key, tenant_a, tmp_path):
    stored = exported(admin, imported(admin, tmp_path, str(key.pk), name="exp", seed=13))
    api = ObsClient(tenant_a.admin)
    kms.disable_key(admin, key_id=str(key.pk))

    refused = api.get(f"/v1/obs/buckets/exports/objects/{EXPORTED}")
    error = refused.json()["error"]
    assert (refused.status_code, error["code"]) == (409, "KMS.0007"), error
    assert "images/alpha" in error["message"] and "Disabled" in error["message"]

    kms.enable_key(admin, key_id=str(key.pk))
    assert hashlib.sha256(read_exported(admin)).hexdigest() == stored.sha256
    uses = Trace.objects.filter(event_name="useKeyForObject", resource_id=str(key.pk)).order_by("id")
    assert [(use.operation, use.error_code, use.summary["object"]) for use in uses] == [
        ("putObject", "", f"exports:{EXPORTED}"),
        ("getObject", "KMS.0007", f"exports:{EXPORTED}"),
        ("getObject", "", f"exports:{EXPORTED}"),
    ]
