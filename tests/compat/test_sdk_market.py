"""Market images through the official SDK: `ListImagesRequest(imagetype="market")` lists them with `productcode`
(the SDK's ImageInfo has no market-info field, so none is sent)."""

import pytest

from iam.actors import system_actor
from images.blobs.models import Manifest
from images.services import market
from tests.compat.test_sdk import sdk
from tests.factories import make_image, project_of

pytestmark = [pytest.mark.compat, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


@pytest.fixture
def ims_client(world, access_key, project_a):
    from tests.compat.test_sdk import client_for

    return client_for(world["url"], *access_key, project_a.id)


def test_the_sdk_lists_market_images_with_their_product_code(world, ims_client):
    vendor_project = project_of(world["b"].account)
    manifest = Manifest.objects.create(region=vendor_project.region, virtual_size=1024 * 1024)
    source = make_image(vendor_project, name="vendor-db", manifest=manifest, size=1024 * 1024)
    product = market.MarketProduct(vendor="Acme", product_code="acme-db-16", price_label="Free")
    listing = market.publish_market_image(system_actor(vendor_project), image=source, product=product)
    *_, ims = sdk()
    images = ims_client.list_images(ims.ListImagesRequest(imagetype="market")).images
    assert [(image.id, image.imagetype, image.productcode) for image in images] == [
        (str(listing.image.pk), "market", "acme-db-16")
    ]
