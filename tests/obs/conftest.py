"""Clients and worlds for the object storage tests: AK/SK-signed API calls with bodies, actors, buckets."""

import hashlib
import json
import os
from datetime import UTC, datetime

import pytest

from iam.credentials import create_access_key
from iam.signing import sign_request
from obs import services
from tests import factories
from tests.api_clients import HOST, USER_AGENT, query_string


class ObsClient:
    """Signs every request with the user's access key, as the official SDK does; raw bodies go unsigned
    (X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD), JSON bodies are signed."""

    def __init__(self, user, region_id: str = "cn-north-4", credentials=None):
        from django.test import Client

        self.key, self.secret = credentials or create_access_key(user=user)
        self.project_id = factories.project_of(user.iam.account, region_id).id
        self.client = Client()

    def request(
        self,
        method: str,
        path: str,
        *,
        params=None,
        json_body=None,
        body: bytes = b"",
        content_type: str | None = None,
        headers: dict | None = None,
    ):
        url = f"{path}?{query_string(params)}" if params else path
        if json_body is not None:
            body, content_type = json.dumps(json_body).encode(), "application/json"
        content_type = content_type or ("application/octet-stream" if body else "application/json")
        signed = sign_request(
            ak=self.key.access_key,
            sk=self.secret,
            method=method,
            url=f"http://{HOST}{url}",
            headers={
                "Content-Type": content_type,
                "User-Agent": USER_AGENT,
                "X-Project-Id": self.project_id,
                **(headers or {}),
            },
            body=body,
            now=datetime.now(UTC),
        )
        return self.client.generic(method, url, data=body, content_type=content_type, headers=signed)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, json_body=None, **kwargs):
        return self.request("POST", path, json_body=json_body if json_body is not None else {}, **kwargs)

    def put(self, path, body: bytes, **kwargs):
        return self.request("PUT", path, body=body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)


@pytest.fixture(autouse=True)
def objects_folder(own_var_dir):
    """Each test stores its objects in a folder of its own."""
    return own_var_dir / "objects"


@pytest.fixture
def obs_client():
    keys = {}

    def build(user, region_id: str = "cn-north-4") -> ObsClient:
        client = ObsClient(user, region_id, credentials=keys.get(user.pk))
        keys[user.pk] = (client.key, client.secret)
        return client

    return build


@pytest.fixture
def admin_a(tenant_a):
    return factories.actor(tenant_a.admin)


@pytest.fixture
def bucket_a(admin_a):
    return services.create_bucket(admin_a, name="alpha-bucket")


def random_bytes(size: int) -> bytes:
    return os.urandom(size)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
