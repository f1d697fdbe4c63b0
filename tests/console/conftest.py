"""Console clients: a browser-like test client signed in as a given user."""

import pytest
from django.test import Client


@pytest.fixture
def console_as(db):
    """`console_as(user, region_id=None)`: a client signed in as `user`, in that region when one is given."""

    def build(user, region_id: str | None = None) -> Client:
        client = Client()
        client.force_login(user)
        if region_id:
            session = client.session
            session["region"] = region_id
            session.save()
        return client

    return build
