"""Console pages of the image service: the image list with its four tabs, and the image detail page."""
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from console.errors import ImsError
from images import selectors
from images.choices import Architecture, ImageStatus, ImageType, OsType, Platform, SortKey
from images.public_catalog import FEATURES

TABS = (
    (ImageType.GOLD, _("Public images")),
    (ImageType.PRIVATE, _("Private images")),
    (ImageType.SHARED, _("Shared images")),
    (ImageType.MARKET, _("Market images")),
)
PAGE_SIZES = (10, 20, 50, 100)
CONSOLE_FILTERS = ("q", "os_type", "platform", "architecture", "status", "sort_key", "sort_dir")


class ConsolePage(LoginRequiredMixin, View):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.actor is None:
            return render(request, "console/error.html", {"status": 403, "message": _(
                "Your user belongs to no account. The platform operator works in the administration site.")},
                status=403)
        try:
            return super().dispatch(request, *args, **kwargs)
        except ImsError as error:
            return render(request, "console/error.html", {"status": error.status, "message": error.message},
                          status=error.status)


def _page_size(raw) -> int:
    return int(raw) if raw in {str(size) for size in PAGE_SIZES} else PAGE_SIZES[0]


class ImageListView(ConsolePage):
    def get(self, request):
        actor = request.actor
        tab = request.GET.get("imagetype") or ImageType.GOLD
        if tab not in ImageType.values:
            tab = ImageType.GOLD
        query = {key: request.GET[key] for key in CONSOLE_FILTERS if request.GET.get(key)}
        query.setdefault("sort_key", SortKey.NAME if tab == ImageType.GOLD else SortKey.CREATED_AT)
        query.setdefault("sort_dir", "asc" if tab == ImageType.GOLD else "desc")
        error = None
        try:
            images = selectors.console_images(actor, {**query, "imagetype": tab})
        except ImsError as exc:
            error, images = exc.message, selectors.visible_images(actor).none()
        paginator = Paginator(images, _page_size(request.GET.get("page_size")))
        page = paginator.get_page(request.GET.get("page"))
        context = {
            "tabs": TABS, "tab": tab, "page": page, "query": query, "error": error,
            "page_sizes": PAGE_SIZES, "page_size": paginator.per_page,
            "os_types": OsType.choices, "platforms": Platform.choices, "architectures": Architecture.choices,
            "statuses": ImageStatus.choices, "sort_keys": (("name", _("Name")), ("created_at", _("Created")),
                                                           ("size", _("Size")), ("status", _("Status"))),
            "filter_query": _without(request.GET, "page"),
        }
        template = "images/_image_table.html" if request.htmx else "images/image_list.html"
        return render(request, template, context)


def _without(params, *names) -> str:
    query = params.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


class ImageDetailView(ConsolePage):
    def get(self, request, image_id):
        image = selectors.get_image(request.actor, image_id)
        features = [(code, FEATURES.get(code, code)) for code in image.features]
        return render(request, "images/image_detail.html", {
            "image": image, "features": features, "image_type": image.image_type_for(request.actor.project),
        })
