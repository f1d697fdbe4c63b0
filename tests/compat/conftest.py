"""A live server with the demo-like world, and the real clients pointed at it.

The official SDK writes `$HOME/.huaweicloud/application_id` when it is first used and `requests` honours proxy
variables, so HOME points at a temporary folder and 127.0.0.1/localhost bypass any proxy for the whole session.
"""

import os

import pytest

from iam.credentials import create_access_key
from tests import factories

REGION = "cn-north-4"


@pytest.fixture(scope="session", autouse=True)
def client_environment(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
        no_proxy = ",".join(filter(None, [os.environ.get("NO_PROXY"), "127.0.0.1", "localhost"]))
        patch.setenv("NO_PROXY", no_proxy)
        patch.setenv("no_proxy", no_proxy)
        for name in (
            "HUAWEICLOUD_SDK_AK",
            "HUAWEICLOUD_SDK_SK",
            "HUAWEICLOUD_SDK_PROJECT_ID",
            "OS_CLOUD",
            "OS_AUTH_URL",
        ):
            patch.delenv(name, raising=False)
        yield


@pytest.fixture
def world(transactional_db, live_server, tenant_a, tenant_b, public_catalog):
    """Tenants A and B, the public catalog, and a live server answering on 127.0.0.1."""
    return {"a": tenant_a, "b": tenant_b, "url": live_server.url}


@pytest.fixture
def access_key(world):
    key, secret = create_access_key(user=world["a"].admin)
    return key.access_key, secret


@pytest.fixture
def project_a(world):
    return factories.project_of(world["a"].account, REGION)
