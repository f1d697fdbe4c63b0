"""`manage.py seed_demo` and `manage.py create_access_key`: the names operators and automation rely on."""

import hashlib
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from iam.authz import can
from iam.credentials import secret_for
from iam.models import Account, Project, Region
from images.choices import ImageType
from images.models import Image
from images.public_catalog import PUBLIC_IMAGES
from tests import factories


def seed(monkeypatch, password="Demo-Password-2026", *, content=False) -> str:
    monkeypatch.setenv("DEMO_PASSWORD", password)
    out = StringIO()
    call_command("seed_demo", *([] if content else ["--without-content"]), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_creates_regions_catalog_and_both_demo_tenants(monkeypatch):
    output = seed(monkeypatch)
    assert set(Region.objects.values_list("id", flat=True)) >= {
        "cn-north-4",
        "cn-east-3",
        "cn-south-1",
        "ap-southeast-1",
    }
    assert Region.objects.get(pk="cn-east-3").name_zh == "华东-上海一"
    for region in Region.objects.all():
        assert region.zones.exists()
        assert Image.objects.filter(region=region, image_type=ImageType.GOLD).count() == len(PUBLIC_IMAGES)
    for account in ("demo", "partner"):
        projects = Project.objects.filter(account__name=account)
        assert projects.count() == Region.objects.count()
        assert all(re.fullmatch(r"[0-9a-f]{32}", project.id) for project in projects)
        assert f"{account}-admin" in output and f"{account}-reader" in output
    assert "Demo-Password-2026" in output


@pytest.mark.django_db
def test_public_images_get_real_disk_content_through_the_chunk_store(monkeypatch):
    from images.blobs.store import iter_raw_disk
    from images.services.catalog import CONTENT_SIZE

    seed(monkeypatch, content=True)
    image = Image.objects.filter(image_type=ImageType.GOLD, region_id="cn-east-3", name__startswith="Ubuntu").first()
    data = b"".join(iter_raw_disk(image.manifest))
    assert len(data) == CONTENT_SIZE == image.size and data[510:512] == b"\x55\xaa"
    assert image.name.encode() in data
    assert hashlib.sha256(data).hexdigest() == image.os_hash_value and image.disk_format == "raw"


@pytest.mark.django_db
def test_seed_demo_is_repeatable_and_keeps_passwords(monkeypatch):
    seed(monkeypatch, "First-Password-2026")
    counts = (Account.objects.count(), Project.objects.count(), Image.objects.count())
    seed(monkeypatch, "Second-Password-2026")
    assert (Account.objects.count(), Project.objects.count(), Image.objects.count()) == counts
    admin = get_user_model().objects.get(username="demo-admin")
    assert admin.check_password("First-Password-2026")


@pytest.mark.django_db
def test_demo_users_get_the_roles_the_issue_names(monkeypatch):
    seed(monkeypatch)
    admin = factories.actor(get_user_model().objects.get(username="demo-admin"), "cn-south-1")
    reader = factories.actor(get_user_model().objects.get(username="partner-reader"), "ap-southeast-1")
    assert can(admin, "ims:serverImages:create") and can(admin, "ims:images:share")
    assert can(reader, "ims:images:list") and not can(reader, "ims:images:update")


@pytest.mark.django_db
def test_create_access_key_prints_ak_sk_and_the_project_of_the_region(monkeypatch):
    seed(monkeypatch)
    out = StringIO()
    call_command("create_access_key", "demo-reader", "--region", "cn-east-3", stdout=out)
    access_key, secret, project_id = out.getvalue().split()
    assert secret_for(access_key) == secret
    assert Project.objects.get(pk=project_id).region_id == "cn-east-3"
    assert Project.objects.get(pk=project_id).account.name == "demo"


@pytest.mark.django_db
def test_create_access_key_refuses_unknown_users_regions_and_a_third_key(monkeypatch):
    seed(monkeypatch)
    with pytest.raises(CommandError, match="No IAM user"):
        call_command("create_access_key", "nobody", stdout=StringIO())
    with pytest.raises(CommandError, match="not served"):
        call_command("create_access_key", "demo-admin", "--region", "mars-1", stdout=StringIO())
    call_command("create_access_key", "demo-admin", stdout=StringIO())
    call_command("create_access_key", "demo-admin", stdout=StringIO())
    with pytest.raises(CommandError, match="at most 2"):
        call_command("create_access_key", "demo-admin", stdout=StringIO())
