"""The console: the Keys page, the "Encryption" choice of the import wizard and of the copy dialog, and the key on
the image's detail page."""

import pytest
from django.test import Client
from django.urls import reverse

from images.models import Image, Job
from kms import services as kms
from kms.models import KeyState, MasterKey
from tests.factories import PASSWORD
from tests.images.imports.helpers import pattern_disk, upload
from tests.kms.conftest import imported


@pytest.fixture
def console(tenant_a):
    client = Client()
    assert client.login(username=tenant_a.admin.username, password=PASSWORD)
    return client


def test_the_keys_page_lists_creates_disables_enables_and_schedules_deletion(console, admin):
    page = console.get(reverse("kms:key_list"))
    assert page.status_code == 200 and b"ims/default" in page.content  # made on first use
    assert b'data-testid="nav-kms" class="active" aria-current="page"' in page.content

    console.post(reverse("kms:key_list"), {"alias": "console/key", "description": "mine"})
    key = MasterKey.objects.get(alias="console/key")
    for action, state in (("disable", KeyState.DISABLED), ("enable", KeyState.ENABLED)):
        console.post(reverse("kms:key_action", args=[key.pk, action]))
        key.refresh_from_db()
        assert key.state == state
    console.post(reverse("kms:key_action", args=[key.pk, "schedule-deletion"]), {"days": "30"})
    key.refresh_from_db()
    assert key.state == KeyState.PENDING_DELETION
    page = console.get(reverse("kms:key_list"), headers={"Accept-Language": "zh-hans"})
    assert b"cancel-deletion" in page.content


def test_a_refused_key_change_is_shown_as_a_message(console):
    response = console.post(reverse("kms:key_list"), {"alias": "bad alias"}, follow=True)
    assert b"key_alias: 1 to 255 characters" in response.content
    assert not MasterKey.objects.filter(alias="bad alias").exists()


def test_the_wizard_offers_the_keys_and_encrypts_the_import(console, admin, key, tmp_path):
    page = console.get("/console/images/create")
    assert str(key.pk).encode() in page.content and b"ims/default" in page.content
    url = upload(admin, pattern_disk(tmp_path / "d.raw"), "d.raw")
    console.post(
        "/console/images/create",
        {
            "kind": "data",
            "image_url": url,
            "architecture": "x86",
            "hw_firmware_type": "bios",
            "min_disk": "40",
            "name": "sealed-data",
            "cmk_id": str(key.pk),
        },
    )
    assert Job.objects.get(job_type="createDataImageByFile").image.cmk_id == str(key.pk)


def test_the_copy_dialog_offers_the_keys_and_re_keys(console, admin, key, tmp_path):
    source = imported(admin, tmp_path, str(key.pk))
    other = kms.create_key(admin, alias="console/other")
    dialog = console.get(reverse("images:image_copy", args=[source.pk]), headers={"HX-Request": "true"})
    assert f'<option value="{key.pk}" selected>'.encode() in dialog.content and str(other.pk).encode() in dialog.content

    console.post(reverse("images:image_copy", args=[source.pk]), {"name": "rekeyed", "cmk_id": str(other.pk)})
    job = Job.objects.get(job_type="copyImageInRegion")
    assert job.image_id == source.pk
    assert Image.objects.get(pk=job.entities["image_id"]).cmk_id == str(other.pk)


def test_the_detail_page_names_the_key_and_its_state(console, admin, key, tmp_path):
    image = imported(admin, tmp_path, str(key.pk))
    kms.disable_key(admin, key_id=str(key.pk))
    page = console.get(reverse("images:image_detail", args=[image.pk])).content.decode()
    assert "images/alpha (Disabled)" in page and str(key.pk) in page
