"""Clients for Glance's semantics: tenant A's administrator (api_a, from tests/images/conftest.py), tenant B's,
and a cloud administrator (the platform operator: an active superuser)."""

import pytest

from tests import factories


@pytest.fixture
def operator(tenant_a, signed_client):
    user = factories.make_user(tenant_a.account, "cloud-operator", *factories.ADMIN)
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return signed_client(user)


def create(client, **body):
    return client.send("POST", "/v2/images", body)


def patch(client, image_id, *changes):
    content_type = "application/openstack-images-v2.1-json-patch"
    return client.send("PATCH", f"/v2/images/{image_id}", list(changes), content_type=content_type)


def listed(client, **params) -> list[str]:
    response = client.get("/v2/images", params)
    assert response.status_code == 200, response.content
    return [image["id"] for image in response.json()["images"]]
