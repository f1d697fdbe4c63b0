"""The action bar of the image detail page: buttons enabled by the services' own rules, forms that start jobs."""

import pytest
from django.test import Client
from django.urls import reverse

from iam.actors import system_actor
from images.models import Image, Job
from obs.services import create_bucket
from tests import factories
from tests.factories import PASSWORD
from tests.images.manage.helpers_copy import imported_image


@pytest.fixture
def console(tenant_a):
    client = Client()
    assert client.login(username=tenant_a.admin.username, password=PASSWORD)
    return client


@pytest.fixture
def source(tenant_a, tmp_path):
    actor = factories.actor(tenant_a.admin)
    create_bucket(system_actor(actor.project), name="exports")
    return imported_image(actor, tmp_path)


def test_detail_page_loads_the_action_bar(console, source):
    page = console.get(reverse("images:image_detail", args=[source.pk]))
    assert reverse("images:image_actions", args=[source.pk]) in page.content.decode()
    bar = console.get(reverse("images:image_actions", args=[source.pk])).content.decode()
    for name in ("modify", "share", "copy", "copy-region", "export", "tags", "delete"):
        assert f'data-testid="action-{name}">' in bar, name
    assert " disabled" not in bar and "onclick" not in bar and "confirm(" not in bar
    region = console.get(reverse("images:image_copy_region", args=[source.pk]), headers={"HX-Request": "true"})
    assert (
        '<option value="cn-east-3">CN East-Shanghai1</option>' in region.content.decode()
    )  # named as the header names it
    export = console.get(reverse("images:image_export", args=[source.pk]), headers={"HX-Request": "true"})
    assert "<option>exports</option>" in export.content.decode()


def test_forbidden_actions_are_disabled_with_the_reason(console, source):
    Image.objects.filter(pk=source.pk).update(backup_id="backup-1")
    bar = console.get(reverse("images:image_actions", args=[source.pk])).content.decode()
    assert bar.count(" disabled title=") == 4 and "Whole-machine images cannot be copied" in bar


def test_copy_and_export_forms_start_jobs(console, source):
    response = console.post(reverse("images:image_copy", args=[source.pk]), {"name": "copied"})
    job = Job.objects.get(job_type="copyImageInRegion")
    assert response.url == reverse("images:job_detail", args=[job.id])
    response = console.post(
        reverse("images:image_export", args=[source.pk]), {"bucket": "exports", "key": "a.vmdk", "file_format": "vmdk"}
    )
    job = Job.objects.get(job_type="exportImage")
    assert response.url == reverse("images:job_detail", args=[job.id]) and job.entities["file_format"] == "vmdk"
    response = console.post(
        reverse("images:image_copy_region", args=[source.pk]), {"name": "far", "region": "cn-east-3"}
    )
    assert Job.objects.get(job_type="copyImageCrossRegion").entities["region"] == "cn-east-3"


def test_a_refusal_returns_to_the_image_with_its_message(console, source):
    response = console.post(
        reverse("images:image_export", args=[source.pk]),
        {"bucket": "exports", "key": "a", "file_format": "zvhd"},
        follow=True,
    )
    assert "proprietary" in response.content.decode()


def test_another_tenants_image_has_no_actions(tenant_b, source):
    client = Client()
    assert client.login(username=tenant_b.admin.username, password=PASSWORD)
    assert client.get(reverse("images:image_actions", args=[source.pk])).status_code == 404
    assert client.post(reverse("images:image_copy", args=[source.pk]), {"name": "x"}).status_code == 404


@pytest.mark.parametrize(
    "view, post, message",
    [
        ("images:image_copy", {"name": " bad<name"}, "name: 1 to 128 characters"),
        ("images:image_copy", {"name": "ok", "description": "a<b"}, "description: at most 1024 characters"),
        ("images:image_copy_region", {"name": "", "region": "cn-east-3"}, "name: 1 to 128 characters"),
        ("images:image_copy_region", {"name": "far", "region": "nowhere"}, "region: the id of a region"),
        ("images:image_export", {"bucket": "exports", "key": "", "file_format": "qcow2"}, "bucket_url: must name"),
        ("images:image_export", {"bucket": "exports", "key": "a", "file_format": "vdi"}, "file_format: must be one"),
    ],
)
def test_the_action_forms_refuse_what_the_api_refuses_with_its_message(console, source, view, post, message):
    response = console.post(reverse(view, args=[source.pk]), post, follow=True)
    started = Job.objects.filter(image=source).exclude(job_type="createImageByFile")
    # The console shows the API's wording without its "field: " prefix (the form names the field itself).
    assert message.split(": ", 1)[1] in response.content.decode() and not started.exists()


def test_a_quick_export_from_the_console_exports_the_raw_disk(console, source):
    console.post(
        reverse("images:image_export", args=[source.pk]), {"bucket": "exports", "key": "a", "file_format": "quick"}
    )
    job = Job.objects.get(job_type="exportImage")
    assert (job.entities["file_format"], job.entities["quick"]) == ("raw", True)


def test_a_copy_refused_by_its_form_is_traced_as_a_failed_attempt(console, source):
    from audit.models import Trace, TraceResult

    console.post(reverse("images:image_copy", args=[source.pk]), {"name": "<bad name>"})
    trace = Trace.objects.get(event_name="copyImage")
    assert trace.result == TraceResult.FAILURE and trace.error_code == "IMG.0001"
    assert trace.resource_id == str(source.pk) and trace.via == "console"
    assert not Job.objects.filter(job_type="copyImageInRegion").exists()


def test_the_export_dialog_asks_before_overwriting_an_existing_object(console, source):
    from obs.models import StoredObject

    url = reverse("images:image_export", args=[source.pk])
    dialog = console.get(url, HTTP_HX_REQUEST="true").content.decode()
    # The object name follows the chosen format (console.js), and overwriting is a separate, unticked choice.
    assert 'data-extension-for="export-key"' in dialog
    assert 'name="overwrite"' in dialog and "checked" not in dialog.split('name="overwrite"', 1)[1].split(">", 1)[0]
    StoredObject.objects.create(bucket_id=_bucket_id(), key="taken.qcow2", size=1)

    refused = console.post(url, {"bucket": "exports", "key": "taken.qcow2", "file_format": "qcow2"}, follow=True)
    assert "already exists" in refused.content.decode()
    assert not Job.objects.filter(job_type="exportImage").exists()

    console.post(url, {"bucket": "exports", "key": "taken.qcow2", "file_format": "qcow2", "overwrite": "on"})
    assert Job.objects.filter(job_type="exportImage").exists()


def _bucket_id():
    from obs.models import Bucket

    return Bucket.objects.get(name="exports").pk


def test_the_cross_region_copy_dialog_names_regions_as_the_header_does(console, source):
    dialog = console.get(reverse("images:image_copy_region", args=[source.pk]), HTTP_HX_REQUEST="true")

    assert '<option value="cn-east-3">CN East-Shanghai1</option>' in dialog.content.decode()
