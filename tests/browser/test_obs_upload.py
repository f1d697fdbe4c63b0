"""Uploading a large file from the bucket page: parts go in parallel, failed parts are retried, a reload in the
middle resumes from the parts the server already has, and the server checks the browser's SHA-256."""

import hashlib
import os
import re
import time
from collections import Counter

import pytest
from playwright.sync_api import expect

from obs import services
from obs.models import StoredObject, UploadPart
from tests.browser.console import sign_in
from tests.factories import actor

pytestmark = pytest.mark.browser

MiB = 1024 * 1024
PART = 5 * MiB
PARTS = "**/v1/obs/uploads/*/parts/*"


def part_number(route) -> int:
    return int(route.request.url.rsplit("/", 1)[1])


def eventually(page, check, seconds: float = 30) -> None:
    """Wait for a condition on the server's side; Playwright keeps serving the routes meanwhile."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(100)


def test_a_large_upload_survives_failing_parts_and_a_reload_and_is_verified(page, tenant_a, tmp_path):
    services.create_bucket(actor(tenant_a.admin), name="browser-bucket")
    data = os.urandom(4 * PART + 1_234_567)  # about 21 MiB: five parts, the last one short
    source = tmp_path / "disk.raw"
    source.write_bytes(data)
    sign_in(page, tenant_a.admin.username)
    page.get_by_test_id("nav-obs").click()
    page.get_by_test_id("bucket-link").click()
    expect(page.get_by_test_id("bucket-title")).to_have_text("browser-bucket")
    page.goto(f"{page.url}?part_size={PART}")  # small parts, so that a few megabytes make several

    # First the network fails: part 2 once, parts 3 to 5 every time.
    attempts = Counter()

    def network_down(route):
        number = part_number(route)
        attempts[number] += 1
        if number >= 3 or (number == 2 and attempts[2] == 1):
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(PARTS, network_down)
    page.get_by_test_id("upload-file").set_input_files(str(source))
    page.get_by_test_id("upload-start").click()
    eventually(page, lambda: UploadPart.objects.count() == 2)
    assert attempts[2] == 2 and attempts[3] >= 1
    expect(page.get_by_test_id("upload-message")).to_contain_text("trying part")
    expect(page.get_by_test_id("upload-percent")).to_contain_text(re.compile(r"\d+\.\d% · "))
    expect(page.get_by_test_id("upload-speed")).to_contain_text("MB/s")
    assert page.get_by_test_id("upload-progress").evaluate("node => node.value") > 40

    # The page is reloaded mid-upload; it remembers the unfinished upload. The network comes back only after the
    # reload: the old page's retries must not slip a part through in between.
    page.reload()
    page.unroute(PARTS)
    expect(page.get_by_test_id("unfinished-upload")).to_contain_text("disk.raw")

    # Choosing the same file resumes: only the missing parts are sent (part 4 fails once more on the way).
    sent = []

    def flaky(route):
        sent.append(part_number(route))
        if part_number(route) == 4 and sent.count(4) == 1:
            route.abort("failed")
        else:
            route.continue_()

    page.route(PARTS, flaky)
    page.get_by_test_id("upload-file").set_input_files(str(source))
    expect(page.get_by_test_id("upload-key")).to_have_value("disk.raw")
    page.get_by_test_id("upload-start").click()
    expect(page.get_by_test_id("upload-message")).to_contain_text("SHA-256 matches the file", timeout=60_000)

    assert sorted(set(sent)) == [3, 4, 5] and sent.count(4) == 2
    stored = StoredObject.objects.get()
    assert (stored.url, stored.size, stored.sha256) == (
        "browser-bucket:disk.raw",
        len(data),
        hashlib.sha256(data).hexdigest(),
    )
    expect(page.get_by_test_id("upload-hash")).to_contain_text(stored.sha256)
    expect(page.get_by_test_id("upload-percent")).to_contain_text("100.0%")
    expect(page.get_by_test_id("object-row")).to_have_count(1)
    expect(page.get_by_test_id("object-row")).to_contain_text("disk.raw")
    expect(page.get_by_test_id("unfinished-upload")).to_have_count(0)
