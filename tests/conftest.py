"""Actors and worlds shared by the tests: two tenants with an administrator and a reader each."""
from dataclasses import dataclass

import pytest

from console.demo import PLATFORM_ACCOUNT
from iam import services as iam
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
def fast_password_hashing(settings):
    # Every world builds several users; the production hasher would spend most of each test on them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def identity(db):
    return factories.setup_identity()


def _tenant(name: str) -> Tenant:
    account = factories.make_account(name)
    return Tenant(account, factories.make_user(account, f"{name}-admin", *factories.ADMIN),
                  factories.make_user(account, f"{name}-reader", *factories.READER))


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

    sync_public_catalog(platform, Region.objects.get(pk="cn-north-4"))
    return platform
