"""The Django admin face never answers 5xx to hostile input either: every admin route of the URL conf (a model
registered later joins by existing), for the platform operator and for an account's administrator, with hostile
queries (search, filters, paging), hostile form fields on every add and change form, and hostile path values."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.factories import make_image
from tests.hostile import FORM_VALUES, PATH_VALUES, routes, server_errors

ADMIN_ROUTES = routes(lambda route: route.startswith("admin/"))
ADMIN_QUERY = "?q=a%00b%E2%80%AE&o=%00&p=1e400&all=&e=1&image__id__exact=%ED%A0%80&created_at__gte=2026-02-30"
# Field names of the admin forms that take free text or numbers: each gets the hostile value.
ADMIN_FIELDS = [
    "name", "description", "username", "email", "first_name", "last_name", "password1", "password2", "document",
    "vendor", "product_code", "price_label", "usage", "software", "os", "image", "user", "action", "policy", "group",
    "project", "scope", "role", "access_key", "status",
]  # fmt: skip


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def admins(tenant_a, platform):
    tenant_a.admin.is_staff = True
    tenant_a.admin.save(update_fields=["is_staff"])
    operator = get_user_model().objects.create_superuser("operator", "operator@example.invalid", "x" * 16)
    image = make_image(tenant_a.project, name="target")
    values = {"object_id": str(image.id), "app_label": "images", "model_name": "image", "content_type_id": "1"}
    return {"operator": signed_in(operator), "account administrator": signed_in(tenant_a.admin)}, values


def test_the_sweep_covers_the_admin():
    assert any("perimagegrant" in route.route for route in ADMIN_ROUTES)
    assert len(ADMIN_ROUTES) > 30


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=[route.route for route in ADMIN_ROUTES])
def test_hostile_admin_queries_and_forms_never_answer_5xx(admins, route):
    clients, values = admins
    url = route.url(values, "x")
    responses = []
    for who, client in clients.items():
        responses.append((f"{who} GET {url}{ADMIN_QUERY}", client.get(url + ADMIN_QUERY)))
        for kind, value in FORM_VALUES.items():
            response = client.post(url, dict.fromkeys(ADMIN_FIELDS, value))
            responses.append((f"{who} POST {url} form {kind}", response))
    assert server_errors(responses) == []


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=[route.route for route in ADMIN_ROUTES])
def test_hostile_admin_path_values_never_answer_5xx(admins, route):
    clients, _values = admins
    responses = []
    for value in PATH_VALUES:
        url = route.url({}, value)
        for who, client in clients.items():
            responses.append((f"{who} GET {url}", client.get(url)))
    assert server_errors(responses) == []
