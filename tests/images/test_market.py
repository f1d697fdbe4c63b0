"""Market images (issue 16): the operator publishes one from a private image in the Django admin; tenants of the
region list it (`__imagetype=market` with `__productcode`) and may copy it within the region, and nothing else."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from iam.actors import system_actor
from iam.authz import PermissionDenied
from images import rules
from images.blobs.models import Manifest
from images.choices import ImageStatus, ImageType
from images.models import Image, Job, MarketListing
from images.services import copy, market
from images.services.market import MarketProduct
from images.tasks import run_job
from tests import factories
from tests.factories import PASSWORD

LAMP = MarketProduct(
    vendor="Acme", product_code="acme-lamp", price_label="Free", description="LAMP stack", software="Ubuntu, Apache"
)


@pytest.fixture
def source(tenant_a):
    manifest = Manifest.objects.create(region=tenant_a.project.region, virtual_size=1024 * 1024)
    return factories.make_image(tenant_a.project, name="lamp", manifest=manifest, size=1024 * 1024)


@pytest.fixture
def listing(tenant_a, source):
    return market.publish_market_image(system_actor(tenant_a.project), image=source, product=LAMP)


def test_publishing_lists_a_market_image_sharing_the_source_disk(listing, source):
    image = listing.image
    assert (image.image_type, image.status, image.product_code) == (ImageType.MARKET, ImageStatus.ACTIVE, "acme-lamp")
    assert image.manifest_id == source.manifest_id and image.original_image_id == str(source.pk)
    source.refresh_from_db()
    assert source.system_support_market and listing.vendor == "Acme" and listing.listed


def test_another_tenant_lists_market_images_with_their_product_code(listing, api_b):
    answer = api_b.get("/v2/cloudimages?__imagetype=market").json()
    assert [(row["id"], row["__imagetype"], row["__productcode"]) for row in answer["images"]] == [
        (str(listing.image.pk), "market", "acme-lamp")
    ]


def test_another_region_does_not_see_the_market_image(listing, tenant_b, signed_client):
    client = signed_client(tenant_b.admin, region_id="cn-east-3")
    assert client.get("/v2/cloudimages?__imagetype=market").json()["images"] == []


def test_a_tenant_copies_a_market_image_within_the_region(listing, tenant_b):
    actor = factories.actor(tenant_b.admin)
    job = copy.copy_image_in_region(actor, image_id=str(listing.image.pk), name="my-lamp")
    run_job(job.id)
    job = Job.objects.get(pk=job.pk)
    mine = Image.objects.get(pk=job.entities["image_id"])
    assert (job.status, mine.owner_id, mine.product_code) == ("SUCCESS", tenant_b.project.id, "acme-lamp")
    assert mine.virtual_size == listing.image.virtual_size and mine.original_image_id == str(listing.image.pk)
    assert rules.export_refusal(mine).code == "IMG.0912"  # derived from the market: never exported
    assert rules.publish_refusal(mine).code == "IMG.0623"  # nor published again


def test_a_market_image_cannot_be_exported_shared_or_deleted(listing):
    image = listing.image
    assert rules.export_refusal(image).code == "IMG.0911"
    assert rules.share_refusal(image).code == "IMG.0601"
    assert rules.deletion_refusal(image).code == "IMG.0033"
    assert rules.copy_in_region_refusal(image) is None
    assert rules.copy_cross_region_refusal(image).code == "IMG.0910"  # copying in the region is the only copy


def test_the_listed_source_cannot_be_shared_deleted_or_published_twice(listing, source):
    source.refresh_from_db()
    assert rules.share_refusal(source).code == "IMG.0603"
    assert rules.deletion_refusal(source).code == "IMG.0033"
    assert rules.publish_refusal(source).code == "IMG.0622"


def test_a_tenant_cannot_publish_even_with_full_access(tenant_a, source):
    with pytest.raises(PermissionDenied):
        market.publish_market_image(factories.actor(tenant_a.admin), image=source, product=LAMP)
    assert not MarketListing.objects.exists()


def test_withdrawing_hides_the_market_image_and_frees_the_source(listing, source, api_b):
    market.unpublish_market_image(system_actor(source.owner), listing=listing)
    source.refresh_from_db()
    assert not source.system_support_market and rules.deletion_refusal(source) is None
    assert api_b.get("/v2/cloudimages?__imagetype=market").json()["images"] == []


@pytest.fixture
def operator(db):
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("market-operator", "", PASSWORD))
    return client


def test_the_operator_publishes_and_withdraws_in_the_django_admin(operator, source):
    form = {
        "source": source.pk,
        "vendor": "Acme",
        "product_code": "acme-db",
        "price_label": "Free",
        "description": "A database server",
        "usage_notes": "Log in as admin",
        "software": "PostgreSQL 16",
    }
    assert operator.post("/admin/images/marketlisting/add/", form).status_code == 302
    listing = MarketListing.objects.get(product_code="acme-db")
    assert listing.image.image_type == ImageType.MARKET and listing.usage_notes == "Log in as admin"
    page = operator.post("/admin/images/marketlisting/add/", {**form, "product_code": "acme-db-2"})
    assert page.status_code == 200 and MarketListing.objects.count() == 1  # the source is listed already
    answer = operator.post(f"/admin/images/marketlisting/{listing.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302
    listing.refresh_from_db()
    assert not listing.listed and Image.objects.get(pk=listing.image_id).status == ImageStatus.DELETED


def test_a_tenant_administrator_cannot_open_the_market_admin(tenant_a):
    tenant_a.admin.is_staff = True
    tenant_a.admin.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(tenant_a.admin)
    assert client.get("/admin/images/marketlisting/add/").status_code in (302, 403)


@pytest.mark.django_db
def test_seed_demo_publishes_three_market_images_with_real_disks_once(monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    from images.blobs.store import iter_raw_disk

    monkeypatch.setenv("DEMO_PASSWORD", "Demo-Password-2026")
    for _run in range(2):
        call_command("seed_demo", "--without-content", stdout=StringIO())
    listed = Image.objects.filter(image_type=ImageType.MARKET, status=ImageStatus.ACTIVE)
    assert sorted(listed.values_list("product_code", flat=True)) == [
        "demo-lamp-2204",
        "demo-postgresql-16",
        "demo-win-iis-2022",
    ]
    for image in listed:
        disk = b"".join(iter_raw_disk(image.manifest))
        assert len(disk) == image.size > 0 and disk[510:512] == b"\x55\xaa", image.product_code
        assert image.market_listing.vendor and image.market_listing.software and image.os_version
    assert listed.get(product_code="demo-win-iis-2022").platform == "Windows"


def test_the_console_market_tab_lists_the_market_image(listing, tenant_b):
    client = Client()
    client.force_login(tenant_b.admin)
    page = client.get("/console/images/?imagetype=market").content.decode()
    assert listing.image.name in page and str(listing.image.pk) in page


@pytest.mark.usefixtures("own_var_dir")
@pytest.mark.parametrize("made_from", ["instance", "whole_instance", "system_volume", "backup"])
def test_a_server_from_a_market_image_and_every_image_of_it_stay_bound_by_the_market(
    tenant_a, tenant_b, tmp_path, made_from
):
    """Created by a tenant from the market image, a server's images (of the server, of its system disk, of a
    backup) keep the product code: they cannot be exported or published again."""
    from compute import services as compute
    from images.services import imports
    from tests.compute.helpers import content_image, make_server

    source = content_image(tenant_a.project, tmp_path, name="lamp-source", os_version="Ubuntu 22.04 server 64bit")
    listed = market.publish_market_image(system_actor(tenant_a.project), image=source, product=LAMP).image
    actor = factories.actor(tenant_b.admin)
    server = make_server(actor, listed)
    assert server.image_id == listed.pk
    if made_from == "instance":
        job = imports.create_image(actor, name="mine", instance_id=str(server.pk))
    elif made_from == "whole_instance":
        job = imports.create_whole_image(actor, name="mine", instance_id=str(server.pk))
    elif made_from == "system_volume":
        job = imports.create_image(actor, name="mine", volume_id=str(server.system_disk.pk))
    else:
        backup = compute.create_checkpoint(actor, server_id=str(server.pk), name="nightly")
        job = imports.create_whole_image(
            actor, name="mine", backup_id=str(backup.pk), whole_image_type="CBR", vault_id=str(backup.vault_id)
        )
    mine = Image.objects.get(pk=job.entities["image_id"])
    assert (mine.owner_id, mine.product_code) == (tenant_b.project.id, "acme-lamp")
    # A whole-machine image is never exported anyway; a system disk image is not, for the market.
    whole = made_from in ("whole_instance", "backup")
    assert rules.export_refusal(mine).code == ("IMG.0902" if whole else "IMG.0912")
    assert rules.publish_refusal(mine).code == "IMG.0623"
