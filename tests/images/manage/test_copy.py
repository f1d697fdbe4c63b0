"""Copying images within a region and across regions: what is refused, what is copied, what travels."""

import pytest
from django.db import IntegrityError, transaction

from core.errors import ImsError
from images.api.inputs.common import parse
from images.api.inputs.copy_export import CopyCrossRegionInput, CopyInRegionInput
from images.choices import ImageStatus, ImageType, VirtualEnvType
from images.models import Image, Job, JobStatus
from images.services import copy
from tests import factories
from tests.images.manage.helpers_copy import disk_sha256, finished, imported_image

GB = 1024**3
CROSS = {"region": "cn-east-3", "project_name": "cn-east-3"}


@pytest.fixture
def admin(tenant_a):
    return factories.actor(tenant_a.admin)


@pytest.fixture
def source(admin, tmp_path):
    return imported_image(admin, tmp_path)


def refused(call, code):
    with pytest.raises(ImsError) as raised:
        call()
    assert raised.value.code == code, raised.value.message
    return raised.value


def test_copy_in_region_writes_no_bytes_and_keeps_the_disk(admin, source):
    job = copy.copy_image_in_region(admin, image=source, name="copied", description="a copy")
    job = finished(job)
    assert job.status == JobStatus.SUCCESS, job.fail_reason
    assert job.entities["bytes_moved"] == 0
    # The job covered the whole disk, though it wrote nothing: its progress says so, not "100% · 0 bytes".
    assert job.bytes_done == job.bytes_total == source.manifest.data_bytes > 0
    new = Image.objects.select_related("manifest").get(pk=job.entities["image_id"])
    assert (new.status, new.name, new.description, new.owner_id) == (
        ImageStatus.ACTIVE,
        "copied",
        "a copy",
        admin.project.id,
    )
    assert new.original_image_id == str(source.pk) and new.root_origin == source.root_origin
    assert (new.os_version, new.platform, new.min_disk, new.hw_firmware_type) == (
        source.os_version,
        source.platform,
        source.min_disk,
        source.hw_firmware_type,
    )
    assert new.manifest_id != source.manifest_id and new.manifest.new_bytes == 0
    assert disk_sha256(new) == disk_sha256(source) == source.os_hash_value


def test_safe_mode_twin_copies_too(admin, source):
    job = finished(copy.copy_image_in_region_in_safe_mode(admin, image=source, name="safe"))
    assert job.status == JobStatus.SUCCESS


@pytest.mark.parametrize(
    "change, code",
    [
        ({"status": ImageStatus.SAVING}, "IMG.0901"),
        ({"backup_id": "backup-1"}, "IMG.0902"),
        ({"virtual_env_type": VirtualEnvType.ISO_IMAGE}, "IMG.0903"),
        ({"virtual_size": 129 * GB}, "IMG.0904"),
        ({"cmk_id": "key-1"}, "KMS.0007"),  # encrypted with a key that is gone: it cannot be read
    ],
)
def test_copy_in_region_refusals(admin, source, change, code):
    Image.objects.filter(pk=source.pk).update(**change)
    source.refresh_from_db()
    refused(lambda: copy.copy_image_in_region(admin, image=source, name="copied"), code)
    assert not Job.objects.filter(job_type=copy.IN_REGION_JOB).exists()


def test_asking_for_a_copy_under_an_unknown_key_is_refused_naming_the_field(admin, source):
    error = refused(lambda: copy.copy_image_in_region(admin, image=source, name="c", cmk_id="k"), "IMG.0001")
    assert error.message.startswith("cmk_id: no key k")


def test_copy_name_follows_the_name_rules():
    refused(lambda: parse(CopyInRegionInput, {"name": " bad<name"}), "IMG.0001")


@pytest.mark.parametrize(
    "body, message",
    [
        ({"name": "c", "description": "a\rb"}, "description: "),
        ({"name": "c", "enterprise_project_id": "x" * 37}, "enterprise_project_id: at most 36 characters."),
        ({"name": "c", "enterprise_project_id": 5}, "enterprise_project_id: at most 36 characters."),
    ],
)
def test_copy_request_values_are_checked_before_the_service(body, message):
    assert refused(lambda: parse(CopyInRegionInput, body), "IMG.0001").message.startswith(message)


def test_a_copy_request_becomes_the_services_arguments():
    assert parse(CopyInRegionInput, {"name": "c", "cmk_id": "k"}) == {
        "name": "c",
        "description": "",
        "cmk_id": "k",
        "enterprise_project_id": "0",
    }
    far = {"name": "far", "region": "cn-east-3", "project_name": "cn-east-3", "agency_name": "any"}
    assert parse(CopyCrossRegionInput, far) == {
        "name": "far",
        "description": "",
        "region": "cn-east-3",
        "project_name": "cn-east-3",
    }


def test_copy_counts_against_the_image_quota(admin, source, settings):
    settings.IMS_PRIVATE_IMAGE_QUOTA = 1
    refused(lambda: copy.copy_image_in_region(admin, image=source, name="copied"), "IMG.0301")


def test_cross_region_copy_sends_only_missing_chunks(admin, tmp_path):
    first = imported_image(admin, tmp_path, name="first", seed=7)
    job = finished(copy.copy_image_cross_region(admin, image=first, **CROSS, name="far"))
    assert job.status == JobStatus.SUCCESS, job.fail_reason
    moved_first = job.entities["bytes_moved"]
    new = Image.objects.select_related("manifest", "owner").get(pk=job.entities["image_id"])
    assert new.region_id == "cn-east-3" and new.owner.account_id == admin.account.pk
    assert moved_first > 0 and disk_sha256(new) == disk_sha256(first)
    again = finished(copy.copy_image_cross_region(admin, image=first, **CROSS, name="far-again"))
    assert again.status == JobStatus.SUCCESS and again.entities["bytes_moved"] < 0.05 * moved_first


def test_cross_region_copy_refusals(admin, source):
    body = {**CROSS, "name": "far"}
    wire = {**body, "agency_name": "ims_admin_agency"}
    refused(lambda: parse(CopyCrossRegionInput, {**wire, "agency_name": ""}), "IMG.0001")
    refused(lambda: parse(CopyCrossRegionInput, {**wire, "agency_name": "  "}), "IMG.0001")
    refused(lambda: copy.copy_image_cross_region(admin, image=source, **{**body, "region": "nowhere"}), "IMG.0001")
    refused(lambda: copy.copy_image_cross_region(admin, image=source, **{**body, "region": "cn-north-4"}), "IMG.0906")
    refused(lambda: copy.copy_image_cross_region(admin, image=source, **{**body, "project_name": "x"}), "IMG.0001")
    Image.objects.filter(pk=source.pk).update(cmk_id="key-1")
    source.refresh_from_db()
    refused(lambda: copy.copy_image_cross_region(admin, image=source, **body), "IMG.0905")


def test_one_copy_task_at_a_time_per_image(admin, source):
    copy.copy_image_cross_region(admin, image=source, **CROSS, name="far")
    refused(lambda: copy.copy_image_cross_region(admin, image=source, **CROSS, name="far-2"), "IMG.0909")


def test_the_database_itself_keeps_one_copy_task_per_image(admin, source):
    Job.objects.create(job_type=copy.CROSS_REGION_JOB, project=admin.project, image=source, family="copy")
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(job_type=copy.CROSS_REGION_JOB, project=admin.project, image=source, family="copy")
    Job.objects.filter(image=source).update(status=JobStatus.SUCCESS)
    Job.objects.create(job_type=copy.CROSS_REGION_JOB, project=admin.project, image=source, family="copy")


def test_at_most_five_cross_region_copies_per_tenant(admin, source):
    for _copy in range(5):
        other = factories.make_image(admin.project, manifest=source.manifest)
        Job.objects.create(job_type=copy.CROSS_REGION_JOB, project=admin.project, image=other, family="copy")
    refused(lambda: copy.copy_image_cross_region(admin, image=source, **CROSS, name="far"), "IMG.0908")


def test_a_failed_copy_leaves_the_new_image_in_error(admin, source):
    job = copy.copy_image_in_region(admin, image=source, name="copied")
    Image.objects.filter(pk=source.pk).update(status=ImageStatus.KILLED)
    job = finished(job)
    assert (job.status, job.error_code) == (JobStatus.FAIL, "IMG.0802")
    assert Image.objects.get(pk=job.entities["image_id"]).status == ImageStatus.KILLED


def test_public_images_cannot_be_copied(admin, source):
    Image.objects.filter(pk=source.pk).update(image_type=ImageType.GOLD)
    source.refresh_from_db()
    refused(lambda: copy.copy_image_in_region(admin, image=source, name="copied"), "IMG.0910")
