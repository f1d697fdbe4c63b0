"""The image detail page."""

from django.http import QueryDict
from django.shortcuts import render

from iam.pages import ConsolePage, error_page  # noqa: F401  (other console modules import them from here)
from images import selectors
from images.choices import ImageType, VirtualEnvType
from images.public_catalog import FEATURES
from images.views.lists import list_query, list_url, tab_of
from images.views.market import market_detail
from kms.rules import image_key


class ImageDetailView(ConsolePage):
    def get(self, request, image_id):
        image = selectors.get_image(request.actor, image_id)
        if image.image_type == ImageType.MARKET:
            return market_detail(request, image)
        image_type = image.image_type_for(request.actor.project)
        back = list_query(QueryDict(request.GET.get("back", "")))
        back["imagetype"] = tab_of(back.get("imagetype", image_type))
        return render(
            request,
            "images/image_detail.html",
            {
                "image": image,
                "image_type": image_type,
                "tab": back["imagetype"],
                "data_disk": image.virtual_env_type == VirtualEnvType.DATA_IMAGE,
                "features": [(code, FEATURES.get(code, code)) for code in image.features],
                "tags": list(image.tags.all()),
                # The key's name and state, to its owner (a member sees only that the image is encrypted).
                "key": image_key(image) if image.encrypted and image.owner_id == request.actor.project.id else None,
                "back_url": list_url(back),
                "region_next": list_url({"imagetype": back["imagetype"]}),
            },
        )
