"""Creating the identity objects: regions, accounts with their projects, users, groups and grants."""

from django.contrib.auth import get_user_model
from django.db import transaction

from iam.models import Account, AvailabilityZone, Grant, Group, Member, Policy, Project, Region
from iam.policies import SYSTEM_POLICIES, document_for
from iam.regions import REGIONS, zone_names


def ensure_regions() -> list[Region]:
    regions = []
    for position, (region_id, name_en, name_zh, zones) in enumerate(REGIONS):
        region, _ = Region.objects.update_or_create(
            id=region_id, defaults={"name_en": name_en, "name_zh": name_zh, "position": position}
        )
        for zone_id in zones:
            zone_en, zone_zh = zone_names(zone_id)
            AvailabilityZone.objects.update_or_create(
                id=zone_id, defaults={"region": region, "name_en": zone_en, "name_zh": zone_zh}
            )
        regions.append(region)
    return regions


def ensure_system_policies() -> dict[str, Policy]:
    policies = {}
    for spec in SYSTEM_POLICIES:
        policies[spec.name], _ = Policy.objects.update_or_create(
            account=None,
            name=spec.name,
            defaults={"kind": spec.kind, "description": spec.description, "document": document_for(spec.actions)},
        )
    for spec in SYSTEM_POLICIES:
        policies[spec.name].depends_on.set([policies[name] for name in spec.depends_on])
    return policies


# The platform operator's account: it owns the public catalog and each region's holding project (iam/holding.py).
PLATFORM_ACCOUNT = "ims-platform"


@transaction.atomic
def ensure_account(name: str, *, is_platform: bool = False) -> Account:
    """The account and its default project in every region, named after the region as the product names them."""
    account, _ = Account.objects.get_or_create(name=name, defaults={"is_platform": is_platform})
    for region in Region.objects.all():
        Project.objects.get_or_create(account=account, region=region, is_default=True, defaults={"name": region.id})
    return account


@transaction.atomic
def ensure_user(account: Account, username: str, password: str | None, *, groups: list[Group]):
    """Creates the user, or leaves an existing one's password alone (seeding must be repeatable)."""
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
    Member.objects.update_or_create(user=user, defaults={"account": account})
    for group in groups:
        group.users.add(user)
    return user, created


def ensure_group(account: Account, name: str, policies: list[Policy], project: Project | None = None) -> Group:
    group, _ = Group.objects.get_or_create(account=account, name=name)
    for policy in policies:
        Grant.objects.get_or_create(group=group, policy=policy, project=project)
    return group
