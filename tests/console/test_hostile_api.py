"""The API face never answers 5xx to hostile input: every API route of the URL conf (a new one joins by existing),
every method, with bodies nested 100,000 deep, lone surrogates, numbers beyond a float, NUL and bidi overrides,
wrong types; hostile queries; and hostile path parameters."""

import pytest
from django.test import Client

from iam.credentials import issue_token
from tests.factories import make_image
from tests.hostile import JSON_BODIES, METHODS, PATH_VALUES, QUERY, routes, server_errors

API_ROUTES = routes(lambda route: not route.startswith(("console/", "admin/", "api/docs", "i18n/")))


@pytest.fixture
def caller(tenant_a):
    token, _ = issue_token(user=tenant_a.admin, project=tenant_a.project)
    client = Client(raise_request_exception=False, headers={"X-Auth-Token": token})
    image = make_image(tenant_a.project, name="target", status="active")
    values = {"image_id": str(image.id), "project_id": tenant_a.project.id, "bucket": "alpha-bucket"}
    return client, values


def test_the_sweep_covers_the_api():
    names = {route.name for route in API_ROUTES}
    assert {"create_token", "glance_update_image", "create_image", "list_traces", "object"} <= {
        name.split(":")[-1] for name in names
    }
    assert len(API_ROUTES) > 50


@pytest.mark.parametrize("route", API_ROUTES, ids=[route.route for route in API_ROUTES])
def test_hostile_bodies_never_answer_5xx(caller, route):
    client, values = caller
    url = route.url(values, "x")
    responses = []
    for method in METHODS[1:]:
        for kind, body in JSON_BODIES.items():
            response = getattr(client, method)(url, body, content_type="application/json")
            responses.append((f"{method.upper()} {url} {kind}", response))
    assert server_errors(responses) == []


@pytest.mark.parametrize("route", API_ROUTES, ids=[route.route for route in API_ROUTES])
def test_hostile_queries_and_paths_never_answer_5xx(caller, route):
    client, values = caller
    responses = [(f"GET {route.url(values, 'x')}{QUERY}", client.get(route.url(values, "x") + QUERY))]
    for value in PATH_VALUES:
        url = route.url({}, value)
        for method in ("get", "delete"):
            responses.append((f"{method.upper()} {url}", getattr(client, method)(url)))
    assert server_errors(responses) == []
