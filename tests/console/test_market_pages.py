"""The Market tab and a market image's page: vendor and OS filters kept in the URL, a vendor column, the detail page
a tenant reads before using a vendor's image, and its copy dialog (the only copy the market allows)."""

import re

import pytest

from iam.actors import system_actor
from images.blobs.models import Manifest
from images.models import Image, Job
from images.services import market
from images.services.market import MarketProduct
from tests import factories
from tests.console.test_image_list import rows

LIST = "/console/images/"
LAMP = MarketProduct(
    vendor="Acme Software",
    product_code="acme-lamp",
    price_label="¥0.10/hour",
    description="Linux, Apache, MySQL and PHP.",
    usage_notes="Put your site in /var/www/html.",
    software="Ubuntu 22.04, Apache 2.4",
)
DATABASE = MarketProduct(vendor="Bolt Data", product_code="bolt-pg", description="PostgreSQL 16.")


def _publish(project, name: str, product: MarketProduct, **fields) -> Image:
    manifest = Manifest.objects.create(region=project.region, virtual_size=2 * 1024**3)
    source = factories.make_image(project, name=name, manifest=manifest, size=300 * 1024**2, **fields)
    return market.publish_market_image(system_actor(project), image=source, product=product).image


@pytest.fixture
def products(tenant_a):
    return (
        _publish(tenant_a.project, "lamp", LAMP, os_version="Ubuntu 22.04 server 64bit", min_disk=40),
        _publish(tenant_a.project, "postgres", DATABASE, os_version="AlmaLinux 9.4 64bit", platform="AlmaLinux"),
    )


def test_the_market_tab_names_each_vendor_and_offers_vendors_and_oses_to_filter_by(console_as, tenant_b, products):
    html = console_as(tenant_b.admin).get(LIST, {"imagetype": "market"}).content.decode()
    # Newest first, as the other tabs that are not the public catalogue.
    assert re.findall(r'data-testid="market-vendor">([^<]*)', html) == ["Bolt Data", "Acme Software"]
    vendors = re.search(r'data-testid="filter-vendor">(.*?)</select>', html, re.DOTALL).group(1)
    assert re.findall(r'<option value="([^"]+)"', vendors) == ["Acme Software", "Bolt Data"]
    oses = re.search(r'data-testid="filter-os-version">(.*?)</select>', html, re.DOTALL).group(1)
    assert re.findall(r'<option value="([^"]+)"', oses) == ["AlmaLinux 9.4 64bit", "Ubuntu 22.04 server 64bit"]


def test_other_tabs_have_no_vendor_filter(console_as, tenant_b, products):
    html = console_as(tenant_b.admin).get(LIST, {"imagetype": "private"}).content.decode()
    assert "filter-vendor" not in html and "filter-os-version" not in html


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"vendor": "Bolt Data"}, ["postgres"]),
        ({"os_version": "Ubuntu 22.04 server 64bit"}, ["lamp"]),
        ({"vendor": "Bolt Data", "os_version": "Ubuntu 22.04 server 64bit"}, []),
        ({"vendor": "Nobody"}, []),
    ],
)
def test_the_vendor_and_os_filters_narrow_the_market_and_stay_in_the_url(console_as, tenant_b, products, query, names):
    response = console_as(tenant_b.admin).get(LIST, {"imagetype": "market", **query})
    assert rows(response) == names
    html = response.content.decode()
    for name, value in query.items():
        # Kept for the detail page's way back and for the page-size form, like the other filters.
        assert f'<input type="hidden" name="{name}" value="{value}">' in html


@pytest.mark.parametrize(("search", "names"), [("lamp", ["lamp"]), ("AlmaLinux", ["postgres"]), ("nothing", [])])
def test_the_search_box_finds_market_images_by_name_or_os(console_as, tenant_b, products, search, names):
    assert rows(console_as(tenant_b.admin).get(LIST, {"imagetype": "market", "q": search})) == names


def test_the_market_tab_asks_a_fixed_number_of_queries(console_as, tenant_a, tenant_b, django_assert_max_num_queries):
    client = console_as(tenant_b.admin)
    for number in range(12):
        _publish(
            tenant_a.project, f"app-{number}", MarketProduct(vendor=f"V{number % 3}", product_code=f"app-{number}")
        )
    with django_assert_max_num_queries(11):
        response = client.get(LIST, {"imagetype": "market", "page_size": 100})
    assert len(rows(response)) == 12


def test_a_market_image_page_tells_what_it_is_and_what_the_vendor_says(console_as, tenant_b, products):
    lamp = products[0]
    response = console_as(tenant_b.admin).get(f"{LIST}{lamp.pk}?back=imagetype%3Dmarket%26vendor%3DAcme%2BSoftware")
    assert response.status_code == 200
    html = response.content.decode()
    product = re.search(r'data-testid="market-product">(.*?)</dl>', html, re.DOTALL).group(1)
    for fact in ("Acme Software", "acme-lamp", "¥0.10/hour", "Ubuntu 22.04, Apache 2.4"):
        assert fact in product
    facts = re.search(r'data-testid="basic-information">(.*?)</dl>', html, re.DOTALL).group(1)
    assert "Ubuntu 22.04 server 64bit" in facts and "x86" in facts
    assert re.search(r'data-testid="market-size">300\.0\xa0MB<', html)
    assert 'data-testid="market-min-disk">40<' in html
    assert "Linux, Apache, MySQL and PHP." in html and "Put your site in /var/www/html." in html
    assert 'data-testid="market-explained"' in html and "cannot be exported or shared" in html
    assert 'href="/console/images/?imagetype=market&amp;vendor=Acme+Software"' in html  # the way back keeps the filter
    assert f'href="/console/images/market/{lamp.pk}/copy" data-dialog data-testid="action-copy"' in html
    # Nothing a market image refuses is offered: no share, export, modify or delete buttons.
    for refused in ("action-share", "action-export", "action-modify", "action-delete"):
        assert refused not in html


def test_a_read_only_user_sees_copy_disabled_with_the_reason(console_as, tenant_b, products):
    html = console_as(tenant_b.reader).get(f"{LIST}{products[0].pk}").content.decode()
    button = re.search(r'<button[^>]*data-testid="action-copy"[^>]*>', html).group(0)
    assert "disabled" in button and "ims:images:copy" in button


def test_a_tenant_copies_a_market_image_from_its_page(console_as, tenant_b, products):
    client = console_as(tenant_b.admin)
    url = f"{LIST}market/{products[0].pk}/copy"
    dialog = client.get(url, HTTP_HX_REQUEST="true")
    assert dialog.status_code == 200 and 'value="lamp-copy"' in dialog.content.decode()
    response = client.post(url, {"name": "my-lamp"})
    job = Job.objects.get(project=tenant_b.project)
    assert response.status_code == 302 and response["Location"] == f"/console/images/jobs/{job.id}"
    assert job.job_type == "copyImageInRegion" and job.image_id == products[0].pk


def test_the_market_copy_dialog_takes_only_market_images(console_as, tenant_b):
    own = factories.make_image(tenant_b.project, name="mine")
    assert console_as(tenant_b.admin).get(f"{LIST}market/{own.pk}/copy").status_code == 404


def test_a_withdrawn_product_leaves_the_market_tab_and_its_filters(console_as, tenant_a, tenant_b, products):
    lamp = products[0]
    market.unpublish_market_image(system_actor(tenant_a.project), listing=lamp.market_listing)
    client = console_as(tenant_b.admin)
    html = client.get(LIST, {"imagetype": "market"}).content.decode()
    assert rows(client.get(LIST, {"imagetype": "market"})) == ["postgres"] and "Acme Software" not in html
    assert client.get(f"{LIST}{lamp.pk}").status_code == 404
