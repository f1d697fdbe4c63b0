"""The console as a person uses it: sign in, browse the public catalog, switch region and language, search, open."""

import re

import pytest
from playwright.sync_api import expect

from iam.models import Region
from images.choices import ImageType
from images.models import Image
from images.public_catalog import PUBLIC_IMAGES
from images.services.catalog import sync_public_catalog
from tests.browser.console import sign_in
from tests.factories import make_image, project_of

pytestmark = pytest.mark.browser

ROWS = "[data-testid=image-row]"


@pytest.fixture
def world(tenant_a, public_catalog):
    sync_public_catalog(public_catalog, Region.objects.get(pk="cn-east-3"))
    make_image(project_of(tenant_a.account, "cn-north-4"), name="north-image")
    make_image(project_of(tenant_a.account, "cn-east-3"), name="east-image")
    return tenant_a


def test_an_administrator_browses_switches_region_and_language_searches_and_opens_an_image(page, world):
    sign_in(page, world.admin.username)

    # The public tab lists the region's catalog.
    expect(page.get_by_test_id("tab-gold")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("total")).to_have_text(f"{len(PUBLIC_IMAGES)} images")
    expect(page.locator(ROWS)).to_have_count(10)

    # The region selector changes which images the private tab shows.
    page.get_by_test_id("tab-private").click()
    expect(page.locator(ROWS)).to_have_text([re.compile("north-image")])
    page.get_by_test_id("region-select").select_option("cn-east-3")
    expect(page.get_by_test_id("region-select")).to_have_value("cn-east-3")
    expect(page.locator(ROWS)).to_have_text([re.compile("east-image")])
    expect(page.get_by_test_id("tab-private")).to_have_attribute("aria-selected", "true")

    # Simplified Chinese, navigation included.
    page.get_by_test_id("lang-zh-hans").click()
    navigation = page.get_by_test_id("sidenav")
    expect(navigation).to_contain_text("公共镜像")
    expect(navigation).to_contain_text("私有镜像")
    expect(page.get_by_test_id("region-select").locator("option:checked")).to_have_text("华东-上海一")

    # Searching public images by OS type keeps only that OS type.
    windows = Image.objects.filter(region="cn-east-3", image_type=ImageType.GOLD, os_type="Windows").count()
    navigation.get_by_text("公共镜像").click()
    page.get_by_test_id("search").fill("Windows")
    page.get_by_test_id("search").press("Enter")
    expect(page).to_have_url(re.compile(r"q=Windows"))
    expect(page.get_by_test_id("total")).to_have_text(f"共 {windows} 个镜像")
    os_cells = page.locator(f"{ROWS} td:nth-child(3)")
    expect(os_cells).to_have_count(min(windows, 10))
    assert all(text.startswith("Windows") for text in os_cells.all_inner_texts())

    # The detail page shows the supported features, and the way back keeps the search.
    page.locator(ROWS).first.get_by_test_id("image-link").click()
    expect(page.get_by_test_id("features")).to_contain_text("用户数据注入")
    expect(page.get_by_test_id("basic-information")).to_contain_text("公共镜像")
    page.get_by_test_id("back-link").click()
    expect(page.get_by_test_id("search")).to_have_value("Windows")
    expect(page.get_by_test_id("total")).to_have_text(f"共 {windows} 个镜像")


def test_paging_sorting_and_page_size_keep_the_filters(page, world):
    sign_in(page, world.reader.username)
    page.get_by_test_id("filter-os-type").select_option("Linux")
    expect(page).to_have_url(re.compile(r"os_type=Linux"))
    linux_total = page.get_by_test_id("total").inner_text()

    page.get_by_test_id("next-page").click()
    expect(page.get_by_test_id("page-number")).to_have_text(re.compile(r"^Page 2 of"))
    expect(page.get_by_test_id("filter-os-type")).to_have_value("Linux")
    expect(page.get_by_test_id("total")).to_have_text(linux_total)

    page.wait_for_load_state("networkidle")  # the page-2 swap has settled: its page-size control is the live one
    page.get_by_test_id("page-size").select_option("50")
    expect(page.locator(ROWS)).to_have_count(50)
    expect(page.get_by_test_id("page-number")).to_have_text(re.compile(r"^Page 1 of"))

    first_ascending = page.locator(ROWS).first.get_by_test_id("image-link").inner_text()
    page.get_by_test_id("sort-name").click()
    expect(page.get_by_test_id("sort-name")).to_have_class(re.compile("sorted-desc"))
    expect(page.locator(ROWS).first.get_by_test_id("image-link")).not_to_have_text(first_ascending)
    expect(page.locator(ROWS)).to_have_count(50)
    expect(page.get_by_test_id("filter-os-type")).to_have_value("Linux")

    page.reload()
    expect(page.get_by_test_id("sort-name")).to_have_class(re.compile("sorted-desc"))
    expect(page.get_by_test_id("page-size")).to_have_value("50")
