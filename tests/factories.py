"""Builders for the objects tests need: accounts with users of a given policy, images in a project."""

import itertools

from iam import seeding as iam
from iam.actors import actor_for_user
from iam.models import Project
from iam.policies import IMS_FULL_ACCESS, IMS_READ_ONLY, TENANT_ADMINISTRATOR
from images.choices import ImageStatus, ImageType, Visibility
from images.models import Image, ImageMember, ImageTag

PASSWORD = "Correct-Horse-42"
_numbers = itertools.count(1)


def setup_identity():
    """Regions and the system policies; every test world starts with these."""
    iam.ensure_regions()
    return iam.ensure_system_policies()


def make_account(name: str):
    return iam.ensure_account(name)


def make_user(account, username: str, *policy_names: str, project: Project | None = None):
    """A user in a group of its own holding `policy_names` (in `project`, or in all projects)."""
    policies = iam.ensure_system_policies()
    group = iam.ensure_group(account, f"group-{username}", [policies[name] for name in policy_names], project)
    user, _ = iam.ensure_user(account, username, PASSWORD, groups=[group])
    return user


def project_of(account, region_id: str = "cn-north-4") -> Project:
    projects = Project.objects.select_related("region", "account")
    return projects.get(account=account, region_id=region_id, is_default=True)


def actor(user, region_id: str = "cn-north-4"):
    return actor_for_user(user, project_of(user.iam.account, region_id), via="api")


def make_image(project: Project, *, tags: dict | None = None, **fields) -> Image:
    number = next(_numbers)
    defaults = dict(
        name=f"image-{number}",
        status=ImageStatus.ACTIVE,
        image_type=ImageType.PRIVATE,
        visibility=Visibility.PRIVATE,
        os_type="Linux",
        platform="Ubuntu",
        os_version="Ubuntu 22.04 server 64bit",
        disk_format="qcow2",
        size=1024 * number,
    )
    defaults.update(fields)
    image = Image.objects.create(region=project.region, owner=project, **defaults)
    for key, value in (tags or {}).items():
        ImageTag.objects.create(image=image, key=key, value=value)
    return image


def share(image: Image, project: Project, status: str = "pending") -> ImageMember:
    return ImageMember.objects.create(image=image, project=project, status=status)


ADMIN = (IMS_FULL_ACCESS, TENANT_ADMINISTRATOR)
READER = (IMS_READ_ONLY,)
