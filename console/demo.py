"""Demo data: regions, the public catalog, three market images, and two tenants with an administrator and a
read-only user each.

Repeatable: a second run changes nothing that exists (passwords included) and fills in what is missing.
"""

import os
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from compute.services.demo import seed_demo_servers
from iam import seeding as iam
from iam.models import Project
from iam.policies import IMS_FULL_ACCESS, IMS_READ_ONLY, TENANT_ADMINISTRATOR
from images.services.catalog import sync_public_catalog
from images.services.market import seed_demo_market

PLATFORM_ACCOUNT = iam.PLATFORM_ACCOUNT
DEMO_ACCOUNTS = ("demo", "partner")


@dataclass
class DemoUser:
    account: str
    username: str
    password: str
    role: str


def demo_password() -> str:
    """DEMO_PASSWORD, or one generated on the first run and kept (owner-only) beside the data."""
    if os.environ.get("DEMO_PASSWORD"):
        return os.environ["DEMO_PASSWORD"]
    path = settings.VAR_DIR / "demo_password"
    if not path.exists():
        path.write_text("Ims-" + secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


@transaction.atomic
def seed_demo(*, with_content: bool = True) -> list[DemoUser]:
    regions = iam.ensure_regions()
    policies = iam.ensure_system_policies()
    platform = iam.ensure_account(PLATFORM_ACCOUNT, is_platform=True)
    for region in regions:
        sync_public_catalog(platform, region, with_content=with_content)
    # Three market images in the first region, each with a small real disk (cheap even without content).
    seed_demo_market(Project.objects.get(account=platform, region=regions[0], is_default=True))
    password = demo_password()
    users = []
    for name in DEMO_ACCOUNTS:
        account = iam.ensure_account(name)
        admins = iam.ensure_group(account, "admin", [policies[IMS_FULL_ACCESS], policies[TENANT_ADMINISTRATOR]])
        readers = iam.ensure_group(account, "readers", [policies[IMS_READ_ONLY]])
        for suffix, group, role in (
            ("admin", admins, "IMS FullAccess + Tenant Administrator, account administrator"),
            ("reader", readers, "IMS ReadOnlyAccess"),
        ):
            username = f"{name}-{suffix}"
            user, _ = iam.ensure_user(account, username, password, groups=[group])
            if suffix == "admin" and not user.is_staff:
                user.is_staff = True  # administers its own account in /admin/
                user.save(update_fields=["is_staff"])
            users.append(DemoUser(name, username, password, role))
        # Two servers (Linux with a data disk, Windows) and a backup in the account's project of the first region.
        seed_demo_servers(Project.objects.get(account=account, region=regions[0], is_default=True))
    return users
