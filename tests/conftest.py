"""Actors and worlds shared by the tests: two tenants with an administrator and a reader each."""

import uuid
from dataclasses import dataclass

import pytest

from console.demo import PLATFORM_ACCOUNT
from iam import seeding as iam
from images.services.catalog import sync_public_catalog
from tests import factories


@dataclass
class Tenant:
    account: object
    admin: object
    reader: object

    @property
    def project(self):
        return factories.project_of(self.account)


@pytest.fixture(autouse=True)
def english_outside_requests():
    """A console request in Chinese leaves its language active in the test's thread; start every test in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Every world builds several users; the production hasher would spend most of each test on them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def own_var_dir(settings, tmp_path):
    """This test's objects, parts, chunks and staging in a folder of its own (and storage opened afresh there)."""
    from obs.storage import storage_for

    settings.VAR_DIR = tmp_path
    storage_for.cache_clear()
    yield tmp_path
    storage_for.cache_clear()


@pytest.fixture
def local_mode(settings):
    """For tests about local files (their bytes, their OS errors): the local folder mode even where the suite runs
    in S3 mode."""
    from obs.storage import storage_for

    settings.STORAGE_BACKEND = "local"
    storage_for.cache_clear()
    yield
    storage_for.cache_clear()


@pytest.fixture
def identity(db):
    return factories.setup_identity()


def _tenant(name: str) -> Tenant:
    account = factories.make_account(name)
    return Tenant(
        account,
        factories.make_user(account, f"{name}-admin", *factories.ADMIN),
        factories.make_user(account, f"{name}-reader", *factories.READER),
    )


@pytest.fixture
def tenant_a(identity) -> Tenant:
    return _tenant("alpha")


@pytest.fixture
def tenant_b(identity) -> Tenant:
    return _tenant("bravo")


@pytest.fixture
def platform(identity):
    return iam.ensure_account(PLATFORM_ACCOUNT, is_platform=True)


@pytest.fixture
def public_catalog(platform):
    """The public catalog in cn-north-4 (one region keeps the fixture quick)."""
    from iam.models import Region

    sync_public_catalog(platform, Region.objects.get(pk="cn-north-4"), with_content=False)
    return platform


@pytest.fixture(scope="session")
def s3_server():
    """A real S3-protocol endpoint on loopback (moto's server), for tests of the S3 storage mode."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def local_chunks(settings, tmp_path):
    """Chunk folders (and every other stored file) under this test's own temporary folder."""
    from obs.storage import storage_for

    settings.VAR_DIR = tmp_path / "var"
    settings.STORAGE_BACKEND = "local"
    storage_for.cache_clear()
    yield
    storage_for.cache_clear()


@pytest.fixture
def s3_storage(settings, s3_server):
    """Switches the storages to S3 mode against the loopback endpoint for one test."""
    from obs.storage import storage_for

    settings.STORAGE_BACKEND = "s3"
    settings.S3_ENDPOINT_URL = s3_server
    settings.S3_ACCESS_KEY_ID = "test-access-key"
    settings.S3_SECRET_ACCESS_KEY = "test-secret-key"
    settings.S3_BUCKET_PREFIX = f"t{uuid.uuid4().hex[:8]}"
    storage_for.cache_clear()
    yield s3_server
    storage_for.cache_clear()


@pytest.fixture
def job_worker(transactional_db):
    """A real worker process running the jobs the test starts (on the test database and broker)."""
    from tests.workers import start_worker

    worker = start_worker()
    yield worker
    worker.stop()
