"""The image list: four tabs, search and filters, sorting, paging, escaping, refusals and query counts."""

import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iam.policies import IMS_READ_ONLY
from images.choices import ImageType, Visibility
from images.models import Image
from images.public_catalog import PUBLIC_IMAGES
from tests.factories import make_image, make_user, project_of, share

LIST = "/console/images/"


def rows(response) -> list[str]:
    """The image names of the table's rows, in order."""
    html = response.content.decode()
    return re.findall(r'data-testid="image-link">([^<]*)</a>', html)


def total(response) -> int:
    return int(re.search(r'data-testid="total">\D*(\d+)', response.content.decode()).group(1))


def test_the_public_tab_lists_the_regions_catalog(console_as, tenant_a, public_catalog):
    response = console_as(tenant_a.admin).get(LIST + "?imagetype=gold")

    assert response.status_code == 200
    assert total(response) == len(PUBLIC_IMAGES) == 132
    assert rows(response) == sorted(rows(response))  # by name, as the product lists public images


def test_the_public_tab_is_the_default(console_as, tenant_a, public_catalog):
    response = console_as(tenant_a.admin).get(LIST)

    assert total(response) == 132
    assert 'data-testid="tab-gold"' in response.content.decode()
    assert re.search(r'class="active" data-testid="tab-gold"', response.content.decode())


def test_public_rows_show_support_status_and_the_offline_badge(console_as, tenant_a, public_catalog):
    client = console_as(tenant_a.admin)

    ended = client.get(LIST + "?q=CentOS 6.10").content.decode()
    offline = client.get(LIST + "?q=EulerOS 2.2").content.decode()

    assert "Support ended on 2020-11-30" in ended
    assert 'data-testid="offline"' not in ended
    assert 'data-testid="offline"' in offline


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Windows", {"Windows"}),
        ("windows", {"Windows"}),
        ("Linux", {"Linux"}),
    ],
)
def test_searching_public_images_by_os_type_keeps_only_that_os_type(
    console_as, tenant_a, public_catalog, query, expected
):
    response = console_as(tenant_a.admin).get(LIST, {"imagetype": "gold", "q": query, "page_size": 100})

    names = rows(response)
    assert names
    os_types = set(Image.objects.filter(name__in=names, image_type=ImageType.GOLD).values_list("os_type", flat=True))
    assert os_types == expected
    if expected == {"Windows"}:
        assert total(response) == Image.objects.filter(image_type=ImageType.GOLD, os_type="Windows").count()


def test_searching_public_images_by_name_matches_part_of_the_name(console_as, tenant_a, public_catalog):
    response = console_as(tenant_a.admin).get(LIST, {"q": "ubuntu 22.04", "page_size": 100})

    assert rows(response)
    assert all("Ubuntu 22.04" in name for name in rows(response))


def test_searching_public_images_by_id_finds_exactly_that_image(console_as, tenant_a, public_catalog):
    image = Image.objects.filter(image_type=ImageType.GOLD).order_by("name")[40]

    response = console_as(tenant_a.admin).get(LIST, {"q": str(image.id)})

    assert rows(response) == [image.name]


def test_filters_narrow_the_list(console_as, tenant_a, public_catalog):
    response = console_as(tenant_a.admin).get(LIST, {"architecture": "arm", "platform": "openEuler", "page_size": 100})

    names = rows(response)
    assert names
    assert set(Image.objects.filter(name__in=names, architecture="arm").values_list("platform", flat=True)) == {
        "openEuler"
    }
    assert "Kunpeng (ARM)" in response.content.decode()


def test_a_search_without_matches_says_so_and_offers_to_clear_it(console_as, tenant_a, public_catalog):
    response = console_as(tenant_a.admin).get(LIST, {"q": "no-such-os"})

    html = response.content.decode()
    assert rows(response) == []
    assert "No images match your search." in html
    assert 'href="?imagetype=gold"' in html


@pytest.mark.parametrize(
    "tab, message",
    [
        ("private", "You have no private images in this region."),
        ("shared", "No images have been shared with you in this region."),
        ("market", "There are no market images in this region."),
    ],
)
def test_empty_tabs_explain_themselves(console_as, tenant_a, tab, message):
    response = console_as(tenant_a.admin).get(LIST, {"imagetype": tab})

    assert message in response.content.decode()


def test_an_invalid_filter_value_is_reported_rather_than_failing(console_as, tenant_a, public_catalog):
    response = console_as(tenant_a.admin).get(LIST, {"status": "exploded"})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert rows(response) == []


def test_each_tab_shows_its_own_kind_of_image(console_as, tenant_a, tenant_b, public_catalog):
    a_private = make_image(tenant_a.project, name="a-private")
    a_shared = make_image(tenant_a.project, name="a-shared-with-b")
    share(a_shared, tenant_b.project)
    make_image(project_of(public_catalog), name="vendor-app", image_type=ImageType.MARKET, visibility=Visibility.PUBLIC)
    alpha, bravo = console_as(tenant_a.admin), console_as(tenant_b.reader)

    assert set(rows(alpha.get(LIST, {"imagetype": "private"}))) == {a_private.name, a_shared.name}
    assert rows(alpha.get(LIST, {"imagetype": "shared"})) == []
    assert rows(bravo.get(LIST, {"imagetype": "private"})) == []
    assert rows(bravo.get(LIST, {"imagetype": "shared"})) == ["a-shared-with-b"]
    assert rows(bravo.get(LIST, {"imagetype": "market"})) == ["vendor-app"]
    assert "vendor-app" not in rows(bravo.get(LIST, {"imagetype": "gold", "page_size": 100}))


def test_another_tenants_private_image_never_appears_in_any_tab(console_as, tenant_a, tenant_b):
    make_image(tenant_a.project, name="alpha-secret", os_type="Windows", platform="Windows")
    bravo = console_as(tenant_b.admin)

    for tab in ("gold", "private", "shared", "market"):
        response = bravo.get(LIST, {"imagetype": tab, "page_size": 100})
        assert "alpha-secret" not in response.content.decode(), tab


def test_pages_follow_one_another_and_keep_the_filters(console_as, tenant_a):
    for number in range(25):
        make_image(tenant_a.project, name=f"img-{number:02d}", os_type="Windows", platform="Windows")
    make_image(tenant_a.project, name="img-linux")
    client = console_as(tenant_a.admin)
    query = {"imagetype": "private", "os_type": "Windows", "sort_key": "name", "sort_dir": "asc"}

    first = client.get(LIST, query)
    html = first.content.decode()
    next_url = re.search(r'data-testid="next-page"', html) and re.search(
        r'href="(\?[^"]*)" hx-get="[^"]*" '
        r'hx-target="#image-panel" '
        r'hx-push-url="true" '
        r'data-testid="next-page"',
        html,
    )
    second = client.get(LIST + next_url.group(1).replace("&amp;", "&"))
    third = client.get(LIST, {**query, "page": 3})

    assert total(first) == 25
    assert rows(first) == [f"img-{n:02d}" for n in range(10)]
    assert "os_type=Windows" in next_url.group(1) and "page=2" in next_url.group(1)
    assert rows(second) == [f"img-{n:02d}" for n in range(10, 20)]
    assert rows(third) == [f"img-{n:02d}" for n in range(20, 25)]
    assert "Page 3 of 3" in third.content.decode()


def test_the_page_size_selector_changes_how_many_rows_a_page_shows(console_as, tenant_a):
    for number in range(25):
        make_image(tenant_a.project, name=f"img-{number:02d}")
    client = console_as(tenant_a.admin)

    twenty = client.get(LIST, {"imagetype": "private", "page_size": 20})
    unknown = client.get(LIST, {"imagetype": "private", "page_size": 7})

    assert len(rows(twenty)) == 20
    assert '<option value="20" selected>' in twenty.content.decode()
    assert len(rows(unknown)) == 10


def test_a_page_past_the_end_shows_the_last_page(console_as, tenant_a):
    for number in range(12):
        make_image(tenant_a.project, name=f"img-{number:02d}")

    response = console_as(tenant_a.admin).get(
        LIST, {"imagetype": "private", "page": 99, "sort_key": "name", "sort_dir": "asc"}
    )

    assert rows(response) == ["img-10", "img-11"]


def test_sorting_by_a_column_and_back(console_as, tenant_a):
    for name in ("bravo", "alpha", "charlie"):
        make_image(tenant_a.project, name=name)
    client = console_as(tenant_a.admin)

    newest_first = client.get(LIST, {"imagetype": "private"})
    ascending = client.get(LIST, {"imagetype": "private", "sort_key": "name", "sort_dir": "asc"})
    descending = client.get(LIST, {"imagetype": "private", "sort_key": "name", "sort_dir": "desc"})
    ignored = client.get(LIST, {"imagetype": "private", "sort_key": "owner_id"})

    assert rows(newest_first) == ["charlie", "alpha", "bravo"]
    assert rows(ascending) == ["alpha", "bravo", "charlie"]
    assert rows(descending) == ["charlie", "bravo", "alpha"]
    assert rows(ignored) == rows(newest_first)
    assert 'aria-sort="ascending"' in ascending.content.decode()
    assert "sort_key=name&amp;sort_dir=desc" in ascending.content.decode()  # the heading link flips the order


def test_an_htmx_request_gets_only_the_list_panel(console_as, tenant_a, public_catalog):
    response = console_as(tenant_a.admin).get(LIST, {"q": "Windows"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "<html" not in html and 'data-testid="image-table"' in html and 'data-testid="filters"' in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(console_as, tenant_a):
    response = console_as(tenant_a.admin).get(
        LIST, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )

    assert "<html" in response.content.decode()


def test_an_image_name_with_markup_is_escaped(console_as, tenant_a):
    image = make_image(tenant_a.project, name="<script>alert(1)</script>", description="<b>bold</b>")
    client = console_as(tenant_a.admin)

    listing = client.get(LIST, {"imagetype": "private"}).content.decode()
    detail = client.get(f"{LIST}{image.id}").content.decode()

    for html in (listing, detail):
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in detail


def test_the_search_box_value_is_escaped(console_as, tenant_a):
    response = console_as(tenant_a.admin).get(LIST, {"q": '"><script>alert(2)</script>'})

    assert "<script>alert(2)</script>" not in response.content.decode()


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, {"imagetype": "private", "page_size": 100})
    assert response.status_code == 200
    return len(queries)


def test_the_list_page_query_count_does_not_grow_with_the_number_of_images(
    console_as, tenant_a, django_assert_max_num_queries
):
    client = console_as(tenant_a.admin)
    for number in range(20):
        make_image(tenant_a.project, name=f"small-{number}", tags={"env": "test"})
    # 9 for the page, 2 for the quota line (image and task counts); the rows' Modify buttons ask no query.
    with django_assert_max_num_queries(11):
        client.get(LIST, {"imagetype": "private", "page_size": 100})
    with_twenty = _list_queries(client)

    for number in range(180):
        make_image(tenant_a.project, name=f"big-{number}", tags={"env": "test"})
    with django_assert_max_num_queries(11):
        client.get(LIST, {"imagetype": "private", "page_size": 100})

    assert _list_queries(client) == with_twenty


def test_a_user_without_any_grant_sees_a_clear_refusal(console_as, tenant_a):
    nobody = make_user(tenant_a.account, "alpha-nobody")

    response = console_as(nobody).get(LIST)

    html = response.content.decode()
    assert response.status_code == 403
    assert "No permission in this region" in html
    assert "IMS ReadOnlyAccess" in html
    assert 'data-testid="region-select"' in html  # the way out: another region


def test_a_grant_in_one_region_does_not_open_the_others(console_as, tenant_a, public_catalog):
    reader = make_user(
        tenant_a.account, "alpha-north-reader", IMS_READ_ONLY, project=project_of(tenant_a.account, "cn-north-4")
    )

    north = console_as(reader, "cn-north-4").get(LIST)
    east = console_as(reader, "cn-east-3").get(LIST)

    assert north.status_code == 200 and total(north) == 132
    assert east.status_code == 403


def test_a_user_of_no_account_is_told_where_to_go(client, db):
    from django.contrib.auth import get_user_model

    operator = get_user_model().objects.create_user("operator", password="x" * 12, is_staff=True)
    client.force_login(operator)

    response = client.get(LIST)

    assert response.status_code == 403
    assert "administration site" in response.content.decode()


def test_an_unknown_tab_falls_back_to_public_images(console_as, tenant_a, public_catalog):
    response = console_as(tenant_a.admin).get(LIST, {"imagetype": str(uuid.uuid4())})

    assert response.status_code == 200 and total(response) == 132


def test_the_private_list_filters_by_tag(console_as, tenant_a):
    from tests.factories import make_image

    make_image(tenant_a.project, name="tagged-web", tags={"role": "web"})
    make_image(tenant_a.project, name="tagged-db", tags={"role": "db"})
    html = console_as(tenant_a.reader).get("/console/images/", {"imagetype": "private", "tag": "role=web"}).content
    assert b"tagged-web" in html and b"tagged-db" not in html
