"""Market images: the platform operator publishes a vendor's image from a private image, and withdraws it.

A listing is a new image of type `market` sharing the source's manifest (no bytes written), visible to every tenant
of the region (`ImageQuerySet.visible_to`). The source is marked `system_support_market` while listed, which the
rules read: it cannot be shared or deleted. Tenants can only copy a market image within the region; the copy keeps
the product code, which forbids exporting it or publishing it again (`rules._restricted_origin`).

Django admin is the face (images/admin.py); demo seeding calls the same functions as a system actor.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ImsError
from iam.actors import Actor, system_actor
from iam.authz import PermissionDenied
from iam.operations import operation
from images import rules
from images.choices import ImageStatus, ImageType, Visibility
from images.models import Image, MarketListing
from images.services.copy import COPIED_FIELDS

__all__ = ["MarketProduct", "publish_market_image", "seed_demo_market", "unpublish_market_image"]

# Not a policy action: publishing belongs to the platform operator alone, whatever a tenant's policies say.
MARKET_PUBLISHING = "ims:market:publish"


@dataclass(frozen=True)
class MarketProduct:
    vendor: str
    product_code: str
    price_label: str = ""
    description: str = ""
    usage_notes: str = ""
    software: str = ""


def _authorize_operator(actor: Actor) -> None:
    user = actor.user
    if not (actor.is_system or (user is not None and user.is_active and user.is_superuser)):
        raise PermissionDenied(MARKET_PUBLISHING)


def _summary(kwargs: dict) -> dict:
    product = kwargs.get("product")
    return {"product_code": product.product_code} if product else {}


@operation("publish_market_image", summary=_summary)
def publish_market_image(actor: Actor, *, image: Image, product: MarketProduct) -> MarketListing:
    """Lists `image` (a private image) in its region's market as `product`; returns the listing."""
    _authorize_operator(actor)
    image = Image.objects.select_for_update().get(pk=image.pk)
    if refusal := rules.publish_refusal(image):
        raise refusal
    if MarketListing.objects.filter(product_code=product.product_code).exists():
        raise ImsError(
            "IMG.0624",
            _("The product code %(code)s is already used by another market image.") % {"code": product.product_code},
            409,
        )
    fields = {field: getattr(image, field) for field in COPIED_FIELDS}
    fields.update(product_code=product.product_code, system_support_market=False)
    listed = Image.objects.create(
        **fields,
        name=image.name,
        description=product.description[:1024],
        region=image.region,
        owner=image.owner,
        image_type=ImageType.MARKET,
        visibility=Visibility.PUBLIC,
        status=ImageStatus.ACTIVE,
        manifest=image.manifest,
        original_image_id=str(image.pk),
        active_at=timezone.now(),
    )
    Image.objects.filter(pk=image.pk).update(system_support_market=True, updated_at=timezone.now())
    return MarketListing.objects.create(image=listed, source=image, **product.__dict__)


@operation(
    "unpublish_market_image", target="listing", summary=lambda kwargs: {"product_code": kwargs["listing"].product_code}
)
def unpublish_market_image(actor: Actor, *, listing: MarketListing) -> None:
    """Withdraws a listing: the market image disappears from the market (copies already made stay, still bound by
    the market's export rule) and the source may again be shared or deleted."""
    _authorize_operator(actor)
    listing = MarketListing.objects.select_for_update().get(pk=listing.pk)
    if not listing.listed:
        raise ImsError("IMG.0625", _("This market image is no longer listed."), 409)
    listing.listed = False
    listing.save(update_fields=["listed"])
    Image.objects.filter(pk=listing.image_id).update(status=ImageStatus.DELETED, updated_at=timezone.now())
    if not MarketListing.objects.filter(source_id=listing.source_id, listed=True).exists():
        Image.objects.filter(pk=listing.source_id).update(system_support_market=False, updated_at=timezone.now())


# Demo products (seed_demo): each a small real disk in the platform's project, published as the operator would.
DEMO_PRODUCTS = (
    (
        "Ubuntu 22.04 server 64bit",
        "LAMP stack",
        MarketProduct(
            vendor="Demo Software Co.",
            product_code="demo-lamp-2204",
            price_label="Free",
            description="Linux, Apache, MySQL and PHP, ready to serve a site.",
            usage_notes="Put your site in /var/www/html; the MySQL root password is in /root/mysql.txt.",
            software="Ubuntu 22.04, Apache 2.4, MySQL 8.0, PHP 8.1",
        ),
    ),
    (
        "AlmaLinux 9.4 64bit",
        "PostgreSQL database server",
        MarketProduct(
            vendor="Demo Data Ltd.",
            product_code="demo-postgresql-16",
            price_label="¥0.50/hour (informational)",
            description="PostgreSQL 16 tuned for a 4 vCPU server.",
            usage_notes="Connect as postgres through a local socket; open port 5432 in the security group.",
            software="AlmaLinux 9.4, PostgreSQL 16",
        ),
    ),
    (
        "Windows Server 2022 Datacenter 64bit",
        "Windows application server",
        MarketProduct(
            vendor="Demo Software Co.",
            product_code="demo-win-iis-2022",
            price_label="BYOL",
            description="IIS and the .NET runtime on Windows Server 2022.",
            usage_notes="Sign in with the password set when the server is created; IIS listens on port 80.",
            software="Windows Server 2022 Datacenter, IIS 10, .NET 8",
        ),
    ),
)


def seed_demo_market(platform_project) -> int:
    """Publishes the demo products in the platform's project's region; repeatable. Returns how many are listed."""
    from images.public_catalog import PUBLIC_IMAGES
    from images.services.catalog import store_generated_content

    actor = system_actor(platform_project)
    for os_version, name, product in DEMO_PRODUCTS:
        if MarketListing.objects.filter(product_code=product.product_code).exists():
            continue
        entry = next(entry for entry in PUBLIC_IMAGES if entry.os_version == os_version)
        source = Image.objects.create(
            name=name,
            region=platform_project.region,
            owner=platform_project,
            image_type=ImageType.PRIVATE,
            status=ImageStatus.ACTIVE,
            os_version=entry.os_version,
            os_type=entry.os_type,
            platform=entry.platform,
            architecture=entry.architecture,
            min_disk=entry.min_disk,
            root_origin="file",
            active_at=timezone.now(),
        )
        store_generated_content(source, entry)
        source.refresh_from_db()
        publish_market_image(actor, image=source, product=product)
    return MarketListing.objects.filter(listed=True, image__region=platform_project.region).count()
