"""Failure reasons that carry values (names, sizes): the API keeps the English text, the console shows them in the
page's language with the same values, from the catalogue entry and values the failure keeps on the job."""

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from core.errors import ImsError
from images.models import Job, JobStatus
from images.services.job_reasons import REASON_KEY, reason_text
from images.services.jobs import fail
from tests.images.jobs.test_job_centre import LIST, make_job, signed_in

CONTRADICTION = (
    "The image was described as %(given)s (%(given_arch)s), but the disk holds %(found)s (%(found_arch)s). "
    "Give the OS version of the disk, or leave it out to use the one found."
)
VALUES = {"given": "Ubuntu 22.04 server 64bit", "given_arch": "x86", "found": "openSUSE Leap 15.0", "found_arch": "arm"}
ENGLISH = CONTRADICTION % VALUES


def _failed(project, message: str, code: str = "IMG.0731") -> Job:
    job = make_job(project, status=JobStatus.RUNNING)
    assert fail(job, ImsError(code, message))
    job.refresh_from_db()
    return job


def _chinese(user):
    client = signed_in(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def test_a_reason_with_values_keeps_its_catalogue_entry_and_values(tenant_a):
    job = _failed(tenant_a.project, _(CONTRADICTION) % VALUES)
    assert job.fail_reason == ENGLISH
    assert job.entities[REASON_KEY] == {"msgid": CONTRADICTION, "params": VALUES}


def test_the_console_shows_a_reason_with_values_in_chinese_and_the_api_in_english(tenant_a, api_a):
    job = _failed(tenant_a.project, ENGLISH)
    with translation.override("zh-hans"):
        chinese = _(CONTRADICTION) % VALUES
    assert chinese != ENGLISH
    console = _chinese(tenant_a.admin)
    for page in (LIST, f"{LIST}/{job.id}"):
        text = console.get(page).content.decode()
        assert chinese in text and ENGLISH not in text, page
    body = api_a.get(f"/v1/{tenant_a.project.id}/jobs/{job.id}").json()
    assert body["fail_reason"] == ENGLISH and body["entities"]["error"] == ENGLISH
    assert REASON_KEY not in body["entities"]


def test_a_failure_written_while_chinese_is_active_is_stored_in_english(tenant_a):
    with translation.override("zh-hans"):
        job = make_job(tenant_a.project)
        assert fail(job, ImsError("IMG.0803", _("The job was cancelled by the user.")))
        contradiction = _failed(tenant_a.project, _(CONTRADICTION) % VALUES)
    job.refresh_from_db()
    assert job.fail_reason == "The job was cancelled by the user."
    assert contradiction.fail_reason == ENGLISH and contradiction.entities[REASON_KEY]["params"] == VALUES


def test_a_numeric_value_is_kept_as_a_number_and_shown_in_the_page_language(tenant_a):
    template = "%(failed)d of %(total)d members could not be changed: %(first)s"
    job = _failed(tenant_a.project, template % {"failed": 2, "total": 5, "first": "Project p1 does not exist."})
    assert job.entities[REASON_KEY]["params"] == {"failed": 2, "total": 5, "first": "Project p1 does not exist."}
    with translation.override("zh-hans"):
        assert reason_text(job) == _(template) % {"failed": 2, "total": 5, "first": "Project p1 does not exist."}


@pytest.mark.parametrize(
    "message",
    [
        "A reason no catalogue knows, from an older version.",
        "ab",  # shorter than any template: must not match a template made only of placeholders
    ],
)
def test_a_reason_the_catalogue_does_not_know_is_kept_and_shown_as_written(tenant_a, message):
    job = _failed(tenant_a.project, message, code="IMG.0899")
    assert job.fail_reason == message and REASON_KEY not in job.entities
    with translation.override("zh-hans"):
        assert reason_text(job) == message


@pytest.mark.parametrize(
    "kept",
    [
        {"msgid": CONTRADICTION, "params": {"given": "x"}},  # a value missing
        {"msgid": CONTRADICTION, "params": "not a mapping"},
        "not a mapping",
        {"msgid": "%(failed)d of %(total)d members could not be changed: %(first)s", "params": {"failed": "two"}},
    ],
)
def test_a_damaged_kept_reason_falls_back_to_the_stored_text(tenant_a, kept):
    job = make_job(tenant_a.project, status=JobStatus.FAIL, error_code="IMG.0731", fail_reason=ENGLISH)
    job.entities = {REASON_KEY: kept}
    with translation.override("zh-hans"):
        assert reason_text(job) == ENGLISH
