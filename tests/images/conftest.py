"""Clients for the image API tests: requests signed with an access key (AK/SK) as the official SDK signs them."""

import pytest

from tests.api_clients import SignedClient
from tests.factories import project_of


@pytest.fixture
def signed_client():
    """`signed_client(user, region_id="cn-north-4")`: a client signing with an access key of `user`, in that project."""

    keys = {}  # a user has at most two access keys: one per user serves every client of a test

    def build(user, region_id: str = "cn-north-4") -> SignedClient:
        client = SignedClient(user, project=project_of(user.iam.account, region_id), credentials=keys.get(user.pk))
        keys[user.pk] = (client.key, client.secret)
        return client

    return build


@pytest.fixture
def api_a(tenant_a, signed_client) -> SignedClient:
    """Tenant A's administrator (IMS FullAccess) in cn-north-4."""
    return signed_client(tenant_a.admin)


@pytest.fixture
def api_b(tenant_b, signed_client) -> SignedClient:
    return signed_client(tenant_b.admin)
