"""The "Create private image" wizard at parity (issue 14): each source shows its own fields, the OS list follows the
architecture, limits said once, every error at once in plain words, the pre-check kept, and a fast import."""

import re

import pytest
from django.test import Client

from images.forms import MIN_DISK, CreateImageForm
from images.models import Job
from tests import factories
from tests.factories import PASSWORD
from tests.images.imports.helpers import converted, pattern_disk, upload

CREATE = "/console/images/create"


@pytest.fixture
def console(tenant_a):
    client = Client()
    assert client.login(username=tenant_a.admin.username, password=PASSWORD)
    return client


@pytest.fixture
def qcow2_url(tenant_a, tmp_path):
    return upload(factories.actor(tenant_a.admin), converted(pattern_disk(tmp_path / "d.raw"), "qcow2"), "d.qcow2")


@pytest.fixture
def raw_url(tenant_a, tmp_path):
    return upload(factories.actor(tenant_a.admin), pattern_disk(tmp_path / "d.raw"), "d.raw")


def system(url, **fields) -> dict:
    return {
        "kind": "system",
        "image_url": url,
        "os_version": "",
        "architecture": "x86",
        "hw_firmware_type": "bios",
        "min_disk": 40,
        "name": "from-wizard",
        **fields,
    }


def test_each_source_shows_only_its_fields(console, qcow2_url):
    html = console.get(CREATE).content.decode()

    def kinds(field):
        return re.search(rf'<div class="field" data-field="{field}" data-kinds="([^"]+)"', html).group(1).split()

    assert "data" not in kinds("os_version") and "data" not in kinds("hw_firmware_type")
    assert kinds("os_type") == ["data"]
    assert set(kinds("name")) == {"system", "data", "iso", "fast"}


def test_the_os_list_is_grouped_by_platform_and_each_os_names_its_architecture(console):
    html = console.get(CREATE).content.decode()

    assert '<optgroup label="CentOS">' in html
    assert '<option value="CentOS 7.6 64bit with ARM" data-arch="arm">' in html
    assert '<option value="CentOS 8.2 64bit" data-arch="x86">' in html


def test_an_os_of_the_other_architecture_is_refused(console, qcow2_url):
    response = console.post(CREATE, system(qcow2_url, os_version="CentOS 7.6 64bit with ARM"))

    assert response.status_code == 400 and not Job.objects.exists()
    assert "CentOS 7.6 64bit with ARM is an ARM system" in response.content.decode()


def test_leaving_the_os_empty_is_said_plainly(console):
    html = console.get(CREATE).content.decode()

    assert '<option value="">Detect from the disk (else Other Linux)</option>' in html


def test_changing_the_type_reruns_the_pre_check(console, qcow2_url):
    html = console.get(CREATE).content.decode()

    kind = re.search(r'<fieldset class="choices"[^>]*>', html).group(0)
    assert 'hx-post="/console/images/create/check"' in kind and 'hx-trigger="change"' in kind
    # And the check answers for the chosen type: the same QCOW2 file passes as a system disk, not as an ISO.

    def verdict(kind):
        answer = console.post(f"{CREATE}/check", {"image_url": qcow2_url, "kind": kind}).content.decode()
        return re.search(r'data-testid="dry-run-verdict">(.)', answer).group(1)

    assert (verdict("system"), verdict("iso")) == ("✔", "✘")


def test_the_help_text_and_the_error_give_the_same_limits(console, qcow2_url):
    help_text = str(CreateImageForm().fields["min_disk"].help_text)
    for kind, (low, high) in MIN_DISK.items():
        assert f"{low}–{high} GB" in help_text, kind

    text = console.post(CREATE, system(qcow2_url, min_disk=5)).content.decode()
    assert "must be between 40 and 1024." in text


def test_every_error_is_shown_at_once_without_field_prefixes(console, qcow2_url):
    response = console.post(CREATE, system(qcow2_url, name=" bad<name", min_disk=5, tags="bad key=1"))

    text = response.content.decode()
    assert response.status_code == 400
    summary = text.split('data-testid="form-errors"', 1)[1].split("</div>", 1)[0]
    for message in ("1 to 128 characters", "must be between 40 and 1024.", "tag keys are 1 to 36"):
        assert message in summary, message
    assert not re.search(r"\b(name|min_disk|tags): ", text)


def test_the_typed_values_and_the_pre_check_survive_a_validation_error(console, qcow2_url):
    response = console.post(CREATE, system(qcow2_url, name=" bad<name", description="keep me", sha256=""))

    text = response.content.decode()
    assert "keep me" in text and f'<option value="{qcow2_url}" selected>' in text
    dry_run = re.search(r'<div id="dry-run"[^>]*>', text).group(0)
    assert 'hx-trigger="load"' in dry_run


def test_a_fast_import_takes_a_raw_file(console, raw_url):
    html = console.get(CREATE).content.decode()
    assert "Fast import (RAW, up to 1 TB)" in html

    response = console.post(CREATE, system(raw_url, kind="fast", os_version="CentOS 8.2 64bit"))

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Job.objects.get().job_type == "importImageQuick"
