"""The console's audit page, trace detail, CSV export and an image's activity: the actor's account only."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import Trace
from audit.recorder import record
from tests import factories

PAGE = "/console/audit/"


def trace_for(tenant, *, user=None, days_ago: float = 0, **fields) -> Trace:
    defaults = dict(event="updateImage", operation="update_image", resource_id="res-1", resource_name="thing")
    trace = record(**{**defaults, **fields}, actor=factories.actor(user or tenant.admin))
    if days_ago:
        # Back-dating a row is only possible below the application, as a migration or an import would.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_trace SET time = %s WHERE id = %s", [timezone.now() - timedelta(days=days_ago), trace.pk]
            )
    return trace


def shown(response) -> set[str]:
    """The traces listed, leaving out the sign-ins the console clients themselves cause."""
    html = response.content.decode()
    listed = {part.split('"')[0] for part in html.split('data-trace="')[1:]}
    logins = {str(pk) for pk in Trace.objects.filter(event_name="login").values_list("pk", flat=True)}
    return listed - logins


def test_the_page_shows_only_the_actors_account(console_as, tenant_a, tenant_b):
    mine = trace_for(tenant_a, resource_name="alpha-thing")
    theirs = trace_for(tenant_b, resource_name="bravo-thing")
    response = console_as(tenant_a.reader).get(PAGE)
    assert response.status_code == 200
    assert shown(response) == {str(mine.pk)} and "bravo-thing" not in response.content.decode()
    assert console_as(tenant_a.admin).get(f"{PAGE}{theirs.pk}").status_code == 404


@pytest.mark.django_db
def test_a_user_without_ims_read_permission_sees_no_traces(console_as, tenant_a):
    trace_for(tenant_a)
    nobody = factories.make_user(tenant_a.account, "alpha-nobody")
    response = console_as(nobody).get(PAGE)
    assert response.status_code == 403 and 'data-trace="' not in response.content.decode()


def test_the_seven_day_default_hides_older_rows_and_a_start_shows_them(console_as, tenant_a):
    recent, old = trace_for(tenant_a), trace_for(tenant_a, days_ago=10)
    client = console_as(tenant_a.admin)
    assert shown(client.get(PAGE)) == {str(recent.pk)}
    start = (timezone.now() - timedelta(days=30)).date().isoformat()
    assert shown(client.get(PAGE, {"start": start})) == {str(recent.pk), str(old.pk)}
    end = (timezone.now() - timedelta(days=5)).date().isoformat()
    assert shown(client.get(PAGE, {"start": start, "end": end})) == {str(old.pk)}


def test_filters_narrow_the_list(console_as, tenant_a):
    a = trace_for(tenant_a, event="addTag", resource_id="img-1")
    b = trace_for(tenant_a, event="deleteImage", resource_id="img-2", result="failure", error_code="IMG.0099")
    c = trace_for(tenant_a, user=tenant_a.reader, resource_type="iam", resource_id="img-1")
    client = console_as(tenant_a.admin)
    assert shown(client.get(PAGE, {"event_name": "addTag"})) == {str(a.pk)}
    assert shown(client.get(PAGE, {"resource_id": "img-1"})) == {str(a.pk), str(c.pk)}
    assert shown(client.get(PAGE, {"resource_type": "iam"})) == {str(c.pk)}
    assert shown(client.get(PAGE, {"user": "alpha-reader"})) == {str(c.pk)}
    assert shown(client.get(PAGE, {"result": "failure"})) == {str(b.pk)}
    bad = client.get(PAGE, {"start": "yesterday"})
    assert bad.status_code == 200 and shown(bad) == set() and "start must be a date" in bad.content.decode()


def test_the_list_is_paginated(console_as, tenant_a):
    client = console_as(tenant_a.admin)
    for n in range(25):
        trace_for(tenant_a, resource_id=f"r{n}")
    first, second = (
        client.get(PAGE, {"event_name": "updateImage"}),
        client.get(PAGE, {"event_name": "updateImage", "page": 2}),
    )
    assert len(shown(first)) == 20 and len(shown(second)) == 5 and not shown(first) & shown(second)


def test_the_detail_shows_every_field_and_escapes_the_summary(console_as, tenant_a):
    trace = trace_for(tenant_a, summary={"name": "<script>alert(1)</script>"})
    html = console_as(tenant_a.admin).get(f"{PAGE}{trace.pk}").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for value in (trace.event_name, trace.operation, trace.project_id, trace.hash, "alpha-admin", "cn-north-4"):
        assert value in html, value


def test_the_csv_export_is_filtered_and_neutralises_formulas(console_as, tenant_a, tenant_b):
    trace_for(tenant_a, resource_name='=HYPERLINK("http://evil")', resource_id="-2+3", summary={"=cmd": "x"})
    trace_for(tenant_a, event="addTag", resource_name="plain")
    trace_for(tenant_b, resource_name="bravo-thing")
    response = console_as(tenant_a.admin).get(f"{PAGE}export.csv", {"event_name": "updateImage"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="traces-cn-north-4-') and disposition.endswith('.csv"')
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff") and "\r\n" in body
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows[0][0] == "Time (UTC)" and len(rows) == 2
    row = rows[1]
    assert row[4] == '\'=HYPERLINK("http://evil")' and row[3] == "'-2+3" and row[12] == "'=cmd=x"
    assert "bravo-thing" not in body and "plain" not in body


def test_the_image_activity_shows_that_images_events_newest_first(console_as, tenant_a, tenant_b):
    image = factories.make_image(tenant_a.project)
    older = trace_for(tenant_a, event="createImage", resource_id=str(image.id))
    newer = trace_for(tenant_a, event="addTag", resource_id=str(image.id))
    trace_for(tenant_a, event="deleteImage", resource_id="another-image")
    client = console_as(tenant_a.admin)
    detail = client.get(f"/console/images/{image.id}").content.decode()
    url = f"/console/audit/images/{image.id}/activity"
    assert 'data-testid="activity"' in detail and f'hx-get="{url}"' in detail
    html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert html.index(f'data-trace="{newer.pk}"') < html.index(f'data-trace="{older.pk}"')
    assert "deleteImage" not in html
    assert 'data-trace="' not in console_as(tenant_b.admin).get(url).content.decode()


def test_the_resource_column_shows_names_not_internal_row_numbers(console_as, tenant_a):
    trace_for(tenant_a, event="changePassword", operation="change_password", resource_id="2", resource_name="al-a")

    html = console_as(tenant_a.admin).get(PAGE).content.decode()

    row = html.split('data-testid="trace-table"', 1)[1]
    assert "al-a" in row
    assert "<code>2</code>" not in row


def test_the_event_filter_is_a_select_of_readable_names(console_as, tenant_a):
    html = console_as(tenant_a.admin).get(PAGE, {"event_name": "addMember"}).content.decode()

    assert 'name="event_name"' in html and '<input type="text" name="event_name"' not in html
    assert '<option value="addMember" selected>Share image</option>' in html
    assert '<option value="createImage">Create image</option>' in html


def test_the_audit_page_has_the_list_pages_style(console_as, tenant_a):
    trace_for(tenant_a)

    html = console_as(tenant_a.admin).get(PAGE).content.decode()

    assert '<table class="grid" data-testid="trace-table">' in html
    assert 'class="filters"' in html and 'class="pager"' in html
