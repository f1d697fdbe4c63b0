"""The console's CSV download of the image list: file, encoding, quoting, formula neutralising, scope, queries."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.spreadsheet import BOM, csv_lines, neutralise
from images.models import Image, ImageTag
from tests.factories import PASSWORD, make_image

URL = "/console/images/export.csv"
# Session, user, membership, account, project, grants; the operation's savepoint (2); the images; their tags.
EXPORT_QUERIES = 10


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def console_a(tenant_a):
    return signed_in(tenant_a.admin)


def download(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content[:500]
    return response, b"".join(response.streaming_content)


def rows_of(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def by_name(rows) -> dict[str, list[str]]:
    return {row[0]: row for row in rows[1:]}


def test_private_export_is_an_attachment_named_after_region_and_time_with_a_bom(console_a, tenant_a):
    make_image(tenant_a.project, name="web-server")
    response, raw = download(console_a, imagetype="private")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="private-images-cn-north-4-\d{14}\.csv"', response["Content-Disposition"]
    )
    assert raw.startswith(b"\xef\xbb\xbf") and not raw.startswith(b"\xef\xbb\xbf\xef\xbb\xbf")


def test_public_export_is_named_public_and_holds_only_public_images(console_a, tenant_a, public_catalog):
    make_image(tenant_a.project, name="my-private-image")
    response, raw = download(console_a)
    assert re.fullmatch(r'attachment; filename="public-images-cn-north-4-\d{14}\.csv"', response["Content-Disposition"])
    names = set(by_name(rows_of(raw)))
    public = set(Image.objects.filter(region="cn-north-4", image_type="gold").values_list("name", flat=True))
    assert names == public and "my-private-image" not in names


def test_rows_carry_the_columns_of_the_product(console_a, tenant_a):
    image = make_image(
        tenant_a.project,
        name="web-server",
        description="nginx 网站",
        min_disk=50,
        size=2048,
        architecture="arm",
        tags={"env": "prod", "team": "ims"},
    )
    rows = rows_of(download(console_a, imagetype="private")[1])
    assert rows[0] == [
        "Name",
        "ID",
        "Status",
        "OS",
        "OS type",
        "Image type",
        "Architecture",
        "Disk format",
        "Min disk (GB)",
        "Size (bytes)",
        "Created (UTC)",
        "Description",
        "Tags",
    ]
    assert by_name(rows)["web-server"] == [
        "web-server",
        str(image.id),
        "Normal",
        "Ubuntu 22.04 server 64bit",
        "Linux",
        "ECS system disk image",
        "Kunpeng (ARM)",
        "QCOW2",
        "50",
        "2048",
        image.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        "nginx 网站",
        "env=prod; team=ims",
    ]


def test_commas_quotes_and_line_breaks_are_quoted_as_rfc_4180_says(console_a, tenant_a):
    make_image(tenant_a.project, name="quoted", description='one, "two"\nthree')
    raw = download(console_a, imagetype="private")[1]
    assert b'"one, ""two""\nthree"' in raw
    assert raw.count(b"\r\n") == 2  # the header and the one row end with CRLF; the cell's line break stays inside
    assert by_name(rows_of(raw))["quoted"][11] == 'one, "two"\nthree'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_neutralised(console_a, tenant_a, start):
    make_image(tenant_a.project, name="formula", description=f'{start}HYPERLINK("http://x")', tags={"k": f"{start}1+1"})
    row = by_name(rows_of(download(console_a, imagetype="private")[1]))["formula"]
    assert row[11] == f'\'{start}HYPERLINK("http://x")'
    assert row[12] == f"k={start}1+1"  # the tag cell starts with its key, which is harmless


def test_a_name_starting_with_a_formula_sign_is_neutralised(console_a, tenant_a):
    make_image(tenant_a.project, name="=cmd|' /C calc'!A0")
    rows = rows_of(download(console_a, imagetype="private")[1])
    assert [row[0] for row in rows[1:]] == ["'=cmd|' /C calc'!A0"]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1", "'=1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=1", "a=1"),
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_csv_lines_start_with_a_byte_order_mark_and_quote_as_rfc_4180_says():
    lines = list(csv_lines([["a", 'say "hi"', "x,y"], ["line\nbreak", "", "2"]]))
    assert lines == [BOM, 'a,"say ""hi""","x,y"\r\n', '"line\nbreak",,2\r\n']


def test_another_tenants_private_images_never_appear(console_a, tenant_a, tenant_b):
    make_image(tenant_a.project, name="mine")
    make_image(tenant_b.project, name="theirs")
    names = set(by_name(rows_of(download(console_a, imagetype="private")[1])))
    assert names == {"mine"}


def test_the_export_applies_the_lists_filters(console_a, tenant_a):
    make_image(tenant_a.project, name="web-1")
    make_image(tenant_a.project, name="db-1")
    rows = rows_of(download(console_a, imagetype="private", q="web")[1])
    assert [row[0] for row in rows[1:]] == ["web-1"]


def test_a_reader_may_export(tenant_a):
    make_image(tenant_a.project, name="readable")
    rows = rows_of(download(signed_in(tenant_a.reader), imagetype="private")[1])
    assert [row[0] for row in rows[1:]] == ["readable"]


def test_shared_and_market_lists_cannot_be_exported(console_a):
    for tab in ("shared", "market"):
        response = console_a.get(URL, {"imagetype": tab})
        assert response.status_code == 400 and b"Only the public and private" in response.content


def test_signed_out_visitors_are_sent_to_sign_in():
    response = Client().get(URL)
    assert response.status_code == 302 and "/login" in response.url


def fill(project, count: int) -> None:
    images = Image.objects.bulk_create(
        Image(region=project.region, owner=project, name=f"bulk-{n:04d}", status="active") for n in range(count)
    )
    ImageTag.objects.bulk_create(ImageTag(image=image, key="n", value=str(n)) for n, image in enumerate(images))


def queries_of_an_export(client, expected_rows: int) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        _response, raw = download(client, imagetype="private")
    assert len(rows_of(raw)) == expected_rows + 1
    return [query["sql"][:120] for query in context.captured_queries]


def test_export_query_count_is_pinned_and_does_not_grow_with_the_images(console_a, tenant_a):
    console_a.get(URL, {"imagetype": "private"})  # the first request of a session may write it
    fill(tenant_a.project, 20)
    few = queries_of_an_export(console_a, 20)
    fill(tenant_a.project, 280)
    many = queries_of_an_export(console_a, 300)
    assert len(few) == len(many) == EXPORT_QUERIES, "\n".join(many)
