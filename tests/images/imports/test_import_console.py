"""The console's "Create private image" wizard: dry run, submission, and the job page with live progress."""

import subprocess

import pytest
from django.test import Client

from images.jobs.imports import run_import
from images.models import Job
from tests import factories
from tests.factories import PASSWORD
from tests.images.imports.helpers import converted, pattern_disk, upload


@pytest.fixture
def console(tenant_a):
    client = Client()
    assert client.login(username=tenant_a.admin.username, password=PASSWORD)
    return client


@pytest.fixture
def qcow2_url(tenant_a, tmp_path):
    return upload(factories.actor(tenant_a.admin), converted(pattern_disk(tmp_path / "d.raw"), "qcow2"), "d.qcow2")


def test_wizard_lists_the_bucket_files(console, qcow2_url):
    page = console.get("/console/images/create")
    assert page.status_code == 200
    assert qcow2_url.encode() in page.content


def test_dry_run_shows_format_size_verdict_and_quota(console, qcow2_url):
    page = console.post(
        "/console/images/create/check", {"image_url": qcow2_url, "kind": "system"}, HTTP_HX_REQUEST="true"
    )
    text = page.content.decode()
    assert page.status_code == 200 and "QCOW2" in text and "12.0\xa0MB" in text
    assert "The headers passed" in text and "0 of 100 private images used" in text


def test_dry_run_names_the_failed_check_of_a_hostile_file(console, tenant_a, tmp_path):
    evil = tmp_path / "evil.qcow2"
    subprocess.run(
        ["qemu-img", "create", "-f", "qcow2", "-b", "/etc/passwd", "-F", "raw", str(evil), "1M"],
        check=True,
        capture_output=True,
    )
    url = upload(factories.actor(tenant_a.admin), evil, "evil.qcow2")
    text = console.post("/console/images/create/check", {"image_url": url, "kind": "system"}).content.decode()
    assert "IMG.0705" in text and "refused" in text


def test_submitting_the_wizard_starts_a_job_and_its_page_follows_progress(console, qcow2_url):
    response = console.post(
        "/console/images/create",
        {
            "kind": "system",
            "image_url": qcow2_url,
            "os_version": "CentOS 7.9 64bit",
            "architecture": "x86",
            "hw_firmware_type": "bios",
            "min_disk": 40,
            "name": "from-console",
            "tags": "env=test\nteam=ims",
        },
    )
    job = Job.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/jobs/{job.id}")
    page = console.get(response.url).content.decode()
    assert 'hx-trigger="every 1s"' in page  # a waiting job refreshes itself
    run_import(job.id)
    partial = console.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="SUCCESS"' in partial and "every 1s" not in partial and "from-console" in partial
    assert {t.key: t.value for t in job.image.tags.all()} == {"env": "test", "team": "ims"}


def test_wizard_shows_the_service_refusal_in_the_form(console, qcow2_url):
    response = console.post(
        "/console/images/create",
        {
            "kind": "system",
            "image_url": qcow2_url,
            "os_version": "",
            "architecture": "x86",
            "hw_firmware_type": "bios",
            "min_disk": 5,
            "name": "too-small",
        },
    )
    assert response.status_code == 400 and b"must be between 40 and 1024." in response.content
    assert not Job.objects.exists()


def test_read_only_user_is_told_it_may_not_create(tenant_a, qcow2_url):
    client = Client()
    client.login(username=tenant_a.reader.username, password=PASSWORD)
    response = client.post(
        "/console/images/create",
        {
            "kind": "system",
            "image_url": qcow2_url,
            "architecture": "x86",
            "hw_firmware_type": "bios",
            "min_disk": 40,
            "name": "nope",
        },
    )
    assert response.status_code == 403 and b"may not create images" in response.content
    assert not Job.objects.exists()
    assert client.get("/console/images/create").status_code == 403


def test_another_tenants_job_page_is_not_found(console, tenant_b):
    other = Job.objects.create(job_type="createImageByFile", project=tenant_b.project)
    assert console.get(f"/console/images/jobs/{other.id}").status_code == 404


def test_the_dry_run_needs_the_permission_of_the_import_it_checks_for(tenant_a, qcow2_url):
    """A dry run checks what the submission will need: a data-disk-only user may check a data disk import,
    not a system disk import; `ims:images:create` alone (Glance's create) opens neither."""
    from core.errors import ImsError
    from images.services.dry_run import check_image_file
    from tests.iam.test_custom_policies import custom_policy, user_with

    reading = ["ims:quotas:get", "obs:objects:get", "obs:objects:list", "obs:buckets:list"]
    data_only = custom_policy(
        tenant_a.account, "data-disks", {"Effect": "Allow", "Action": ["ims:dataImages:create", *reading]}
    )
    glance_only = custom_policy(
        tenant_a.account, "glance-create", {"Effect": "Allow", "Action": ["ims:images:create", *reading]}
    )
    data_user = factories.actor(user_with(tenant_a.account, "alpha-data", data_only))
    glance_user = factories.actor(user_with(tenant_a.account, "alpha-glance", glance_only))
    assert check_image_file(data_user, url=qcow2_url, operation="create_data_image").safe
    for actor, operation in [
        (data_user, "create_image"),
        (glance_user, "create_image"),
        (glance_user, "create_data_image"),
    ]:
        with pytest.raises(ImsError) as refused:
            check_image_file(actor, url=qcow2_url, operation=operation)
        assert refused.value.status == 403
    client = Client()
    client.force_login(data_user.user)
    page = client.post("/console/images/create/check", {"image_url": qcow2_url, "kind": "data"}).content.decode()
    assert "The headers passed" in page
    page = client.post("/console/images/create/check", {"image_url": qcow2_url, "kind": "system"}).content.decode()
    assert "The headers passed" not in page


def test_the_wizard_checks_each_field_as_the_api_does(console, qcow2_url):
    base = {"kind": "data", "image_url": qcow2_url, "architecture": "x86", "hw_firmware_type": "bios"}
    response = console.post("/console/images/create", {**base, "min_disk": 3000, "name": "big", "tags": "bad key=1"})
    text = response.content.decode()
    assert response.status_code == 400 and not Job.objects.exists()
    # Each error beside its field and in the summary, without the API's "field: " prefix.
    assert "must be between 40 and 2048." in text and "tag keys are 1 to 36" in text and "min_disk:" not in text
    response = console.post("/console/images/create", {**base, "min_disk": 2048, "name": "big", "os_type": "Windows"})
    job = Job.objects.get()
    assert response.status_code == 302 and job.job_type == "createDataImageByFile"
    assert (job.image.min_disk, job.image.os_type, job.image.virtual_env_type) == (2048, "Windows", "DataImage")
