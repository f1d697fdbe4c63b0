"""Console pages of market images: the detail page a tenant reads before using a vendor's image, and its copy dialog
(copying within the region is the only copy the market allows)."""

from django.http import QueryDict
from django.shortcuts import render

from images import rules, selectors
from images.choices import ImageType
from images.public_catalog import FEATURES
from images.views.copy_export import CopyView
from images.views.lists import list_query, list_url


def market_detail(request, image):
    """The detail page of a market image (the image detail page hands market images here)."""
    actor = request.actor
    listing = selectors.market_listings_of([image]).get(image.pk)
    back = list_query(QueryDict(request.GET.get("back", "")))
    back["imagetype"] = ImageType.MARKET
    return render(
        request,
        "images/market_detail.html",
        {
            "image": image,
            "listing": listing,  # a withdrawn product's image is deleted, so it is never drawn here
            "copy_refusal": rules.market_copy_action(actor, image).reason,
            "features": [(code, FEATURES.get(code, code)) for code in image.features],
            "back_url": list_url(back),
            "region_next": list_url({"imagetype": ImageType.MARKET}),
        },
    )


class MarketCopyView(CopyView):
    """The copy dialog for a market image: any tenant of the region may copy it into its own project."""

    def image_of(self, request, image_id):
        return selectors.get_market_image(request.actor, image_id)

    def refusal_of(self, request, image) -> str:
        return rules.market_copy_action(request.actor, image).reason
