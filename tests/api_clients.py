"""API clients for tests: requests signed with an access key (AK/SK) the way the official SDK signs them,
and requests carrying a Keystone token, both sent through Django's test client."""

import json
from datetime import UTC, datetime
from urllib.parse import quote

from django.test import Client

from iam.credentials import create_access_key
from iam.signing import sign_request

HOST = "testserver"
USER_AGENT = "huaweicloud-usdk-python/3.0; os/Linux#6.1#x86_64 python/3.11 impl/CPython; app/tests"


def query_string(params) -> str:
    """The query as the SDK puts it on the wire: sorted pairs, every reserved character percent-encoded."""
    pairs = params.items() if isinstance(params, dict) else params
    return "&".join(f"{quote(str(k), safe='~')}={quote(str(v), safe='~')}" for k, v in sorted(pairs))


class SignedClient:
    """Sends SDK-HMAC-SHA256 signed requests for one access key, in one project (X-Project-Id)."""

    def __init__(self, user, *, project=None, credentials: tuple | None = None):
        self.key, self.secret = credentials or create_access_key(user=user)
        self.user = user
        self.project_id = project.id if project is not None else None
        self.client = Client()

    @property
    def access_key(self) -> str:
        return self.key.access_key

    def headers(
        self,
        method: str,
        url: str,
        *,
        secret: str | None = None,
        now: datetime | None = None,
        project_id: str | None = None,
        extra: dict | None = None,
        body: bytes = b"",
        content_type: str = "application/json",
    ) -> dict:
        headers = {"Content-Type": content_type, "User-Agent": USER_AGENT, **(extra or {})}
        project_id = project_id if project_id is not None else self.project_id
        if project_id:
            headers["X-Project-Id"] = project_id
        return sign_request(
            ak=self.access_key,
            sk=secret or self.secret,
            method=method,
            url=f"http://{HOST}{url}",
            headers=headers,
            body=body,
            now=now or datetime.now(UTC),
        )

    def get(self, path: str, params=None, **signing):
        url = f"{path}?{query_string(params)}" if params else path
        return self.client.generic("GET", url, headers=self.headers("GET", url, **signing))

    def send(
        self,
        method: str,
        path: str,
        body=None,
        *,
        data: bytes | None = None,
        content_type: str = "application/json;charset=utf-8",
        **signing,
    ):
        """A request with a body: JSON (`body`, signed like the SDK signs it) or raw bytes (`data`, unsigned)."""
        payload = json.dumps(body).encode() if data is None else data
        # For non-JSON types the signer itself declares UNSIGNED-PAYLOAD, as the SDK does.
        headers = self.headers(method, path, body=payload, content_type=content_type, **signing)
        return self.client.generic(method, path, data=payload, content_type=content_type, headers=headers)


class TokenClient:
    """Sends requests with `X-Auth-Token`, as OpenStack clients do."""

    def __init__(self, token: str):
        self.token = token
        self.client = Client()

    def get(self, path: str, params=None):
        url = f"{path}?{query_string(params)}" if params else path
        return self.client.get(url, headers={"X-Auth-Token": self.token})


def keystone_body(username: str, password: str, *, domain: dict, project: dict | None = None) -> dict:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": username, "password": password, "domain": domain}},
            }
        }
    }
    if project is not None:
        body["auth"]["scope"] = {"project": project}
    return body
