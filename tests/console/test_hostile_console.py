"""The console face never answers 5xx to hostile input: every console route of the URL conf (a new page joins by
existing), GET with hostile queries, POST with hostile form fields (NUL, bidi overrides, numbers beyond a float,
impossible dates) and with hostile JSON, and hostile path parameters."""

import pytest
from django.test import Client

from tests.factories import make_image
from tests.hostile import FORM_FIELDS, FORM_VALUES, JSON_BODIES, PATH_VALUES, QUERY, routes, server_errors

CONSOLE_ROUTES = routes(lambda route: route.startswith("console/"))


@pytest.fixture
def browser(tenant_a):
    client = Client(raise_request_exception=False)
    client.force_login(tenant_a.admin)
    image = make_image(tenant_a.project, name="target", status="active", tags={"role": "web"})
    values = {"image_id": str(image.id), "project_id": tenant_a.project.id, "bucket": "alpha-bucket"}
    return client, values


def test_the_sweep_covers_the_console():
    assert any(route.route.startswith("console/audit/") for route in CONSOLE_ROUTES)
    assert len(CONSOLE_ROUTES) > 20


@pytest.mark.parametrize("route", CONSOLE_ROUTES, ids=[route.route for route in CONSOLE_ROUTES])
def test_hostile_forms_and_queries_never_answer_5xx(browser, route):
    client, values = browser
    url = route.url(values, "x")
    responses = [(f"GET {url}{QUERY}", client.get(url + QUERY))]
    for kind, value in FORM_VALUES.items():
        response = client.post(url, dict.fromkeys(FORM_FIELDS, value))
        responses.append((f"POST {url} form {kind}", response))
    for kind in ("deep", "surrogate", "huge-number"):
        response = client.post(url, JSON_BODIES[kind], content_type="application/json")
        responses.append((f"POST {url} json {kind}", response))
    assert server_errors(responses) == []


@pytest.mark.parametrize("route", CONSOLE_ROUTES, ids=[route.route for route in CONSOLE_ROUTES])
def test_hostile_path_parameters_never_answer_5xx(browser, route):
    client, _values = browser
    responses = []
    for value in PATH_VALUES:
        url = route.url({}, value)
        responses += [(f"GET {url}", client.get(url)), (f"POST {url}", client.post(url, {"name": "x"}))]
    assert server_errors(responses) == []
