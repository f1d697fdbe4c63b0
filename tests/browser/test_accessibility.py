"""Every console page in both languages: axe-core (npm's, installed by the setup into tests/browser/axe) finds no
serious or critical violation; the main pages are photographed at 1400 and 820 px (under VAR_DIR/screenshots,
never committed) and none of them is wider than the window."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from audit.models import Trace
from iam.actors import system_actor
from images.blobs.models import Manifest
from images.choices import ImageStatus
from images.models import Job, JobStatus
from images.services.market import MarketProduct, publish_market_image
from obs import services as obs
from tests.browser.console import sign_in
from tests.factories import make_image, project_of, share

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1400, 820)
LANGUAGES = ("en", "zh-hans")


@pytest.fixture
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed at {AXE} (make setup runs npm ci --prefix tests/browser/axe)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def world(tenant_a, tenant_b):
    """A tenant with something on every page: images of each list, a shared one, jobs, a bucket, traces."""
    project = project_of(tenant_a.account)
    disk = Manifest.objects.create(region=project.region, virtual_size=2**20)  # copy and export need a disk
    mine = make_image(project, name="web-server-2024", tags={"env": "prod"}, manifest=disk)
    data_disk = make_image(project, name="data-disk", virtual_env_type="DataImage")
    theirs = make_image(project_of(tenant_b.account), name="partner-image")
    share(theirs, project)
    share(mine, project_of(tenant_b.account), status="accepted")
    Job.objects.create(
        project=project, job_type="createImageByFile", image=mine, status=JobStatus.SUCCESS, end_time=timezone.now()
    )
    running = Job.objects.create(
        project=project,
        job_type="copyImageInRegion",
        image=mine,
        status=JobStatus.RUNNING,
        phase="copy",
        bytes_done=2**20,
        bytes_total=4 * 2**20,
        percent=25.0,
        entities={"image_id": str(make_image(project, name="copy", status=ImageStatus.SAVING).pk)},
    )
    obs.create_bucket(system_actor(project), name="images-bucket")
    vendor = project_of(tenant_b.account)
    disk = Manifest.objects.create(region=vendor.region, virtual_size=2**20)
    vendor_image = make_image(vendor, name="vendor-lamp", manifest=disk, os_version="Ubuntu 22.04 server 64bit")
    product = MarketProduct(vendor="Acme", product_code="acme-lamp", price_label="Free", description="LAMP stack.")
    listed = publish_market_image(system_actor(vendor), image=vendor_image, product=product)
    trace = Trace.objects.filter(account_id=str(tenant_a.account.pk)).first()
    return {
        "images": "/console/images/?imagetype=private",
        "public": "/console/images/?imagetype=gold",
        "shared": "/console/images/?imagetype=shared",
        "market": "/console/images/?imagetype=market",
        "market_detail": f"/console/images/{listed.image.pk}",
        "detail": f"/console/images/{mine.pk}",
        "data_detail": f"/console/images/{data_disk.pk}",
        "create": "/console/images/create",
        "jobs": "/console/images/jobs",
        "job": f"/console/images/jobs/{running.pk}",
        "buckets": "/console/obs/",
        "bucket": "/console/obs/buckets/images-bucket",
        "audit": "/console/audit/",
        "trace": f"/console/audit/{trace.pk}" if trace else None,
        "account": "/console/account/",
        "credentials": "/console/account/credentials",
    }


def _in_language(page, language: str) -> None:
    # For the whole site, as the language switcher sets it: htmx partials live under other paths.
    origin = urlsplit(page.url)
    cookie = {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "domain": origin.hostname, "path": "/"}
    page.context.add_cookies([cookie])


def _serious(page, axe_source: str) -> list[str]:
    page.add_script_tag(content=axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_console_page_has_a_serious_accessibility_violation(page, tenant_a, world, axe_source, language):
    sign_in(page, tenant_a.admin.username)
    _in_language(page, language)
    found = {}
    for name, url in world.items():
        if url is None:
            continue
        page.goto(url)
        page.wait_for_load_state("networkidle")
        violations = _serious(page, axe_source)
        if violations:
            found[name] = violations
    assert not found, "\n".join(f"{name}: {v}" for name, vs in found.items() for v in vs)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_main_pages_fit_the_window_at_1400_and_820_px_and_are_photographed(page, tenant_a, world, language):
    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    sign_in(page, tenant_a.admin.username)
    _in_language(page, language)
    overflowing = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for name in (
            "images",
            "public",
            "shared",
            "market",
            "market_detail",
            "detail",
            "create",
            "jobs",
            "job",
            "buckets",
            "audit",
            "account",
        ):
            page.goto(world[name])
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(folder / f"{name}-{width}-{language}.png"), full_page=True)
            wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            if wide > 0:
                overflowing.append((name, width, wide))
    assert not overflowing, overflowing


def _open_dialog(page, button) -> None:
    button.click()
    expect(page.get_by_test_id("image-dialog").locator("form")).to_be_visible()
    page.wait_for_load_state("networkidle")


def _close_dialog(page) -> None:
    page.get_by_test_id("image-dialog").get_by_test_id("dialog-cancel").click()
    expect(page.get_by_test_id("image-dialog")).to_be_hidden()


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_dialog_has_a_serious_accessibility_violation(page, tenant_a, world, axe_source, language):
    """Each action's dialog as it opens, and the modify and share dialogs with their errors beside the fields."""
    sign_in(page, tenant_a.admin.username)
    _in_language(page, language)
    found = {}

    def check(name):
        if violations := _serious(page, axe_source):
            found[name] = violations

    page.goto(world["detail"])
    for action in ("modify", "share", "copy", "export", "tags"):
        _open_dialog(page, page.get_by_test_id(f"action-{action}"))
        check(action)
        _close_dialog(page)
    for action, field, value in (("modify", "max_ram", "-1"), ("share", "project_id", "not a project")):
        _open_dialog(page, page.get_by_test_id(f"action-{action}"))
        dialog = page.get_by_test_id("image-dialog")
        dialog.locator(f"[name={field}]").fill(value)
        dialog.get_by_test_id("dialog-submit").click()
        expect(dialog.locator(".field-error").first).to_be_visible()
        check(f"{action} with errors")
        _close_dialog(page)
    page.goto(world["data_detail"])  # the first image has a job running: it cannot be deleted now
    _open_dialog(page, page.get_by_test_id("action-delete"))
    check("delete")
    page.goto(world["images"])
    page.get_by_test_id("select-all").check()
    for action in ("tag", "delete"):
        _open_dialog(page, page.get_by_test_id(f"batch-{action}"))
        check(f"batch {action}")
        _close_dialog(page)
    page.goto(world["market_detail"])
    _open_dialog(page, page.get_by_test_id("action-copy"))
    check("market copy")
    assert not found, "\n".join(f"{name}: {v}" for name, vs in found.items() for v in vs)
