"""Well-formed but impossible dates and times on the audit page, its CSV export and GET /v3/traces are refused
with the page's message or a 400 IMG.0001, never a 500."""

import pytest

IMPOSSIBLE = [
    "2026-02-30",
    "2026-13-45",
    "2026-01-01T25:00",
    "2026-01-01T10:61:00",
    "9999-12-31",
    "2026-01-01T10:00+99:00",
]


@pytest.mark.parametrize("field", ["start", "end"])
@pytest.mark.parametrize("value", IMPOSSIBLE)
def test_the_api_refuses_impossible_dates(tenant_a, signed_client, field, value):
    response = signed_client(tenant_a.admin).get("/v3/traces", {field: value})
    if value == "9999-12-31" and field == "start":
        assert response.status_code == 200  # a real day, with no traces after it
        return
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "IMG.0001" and field in error["message"]


@pytest.mark.parametrize("value", IMPOSSIBLE[:3])
def test_the_page_shows_the_refusal(console_as, tenant_a, value):
    response = console_as(tenant_a.admin).get("/console/audit/", {"start": value})
    assert response.status_code == 200 and "start must be a date" in response.content.decode()


@pytest.mark.parametrize("value", IMPOSSIBLE[:3])
def test_the_export_refuses_impossible_dates(console_as, tenant_a, value):
    response = console_as(tenant_a.admin).get("/console/audit/export.csv", {"end": value})
    assert response.status_code == 400 and "end must be a date" in response.content.decode()
