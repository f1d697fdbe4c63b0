"""Console pages of the image service: the image list with its four tabs, and the image detail page."""

from django.core.paginator import Paginator
from django.http import QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _

from core.errors import ImsError
from core.spreadsheet import csv_lines
from iam.authz import PermissionDenied
from iam.pages import ConsolePage, error_page  # noqa: F401  (other console modules import them from here)
from images import rules, selectors
from images.choices import Architecture, ImageStatus, ImageType, OsType, Platform, SortKey
from images.services.csv_export import export_image_list, file_name

TABS = (
    (ImageType.GOLD, _("Public images")),
    (ImageType.PRIVATE, _("Private images")),
    (ImageType.SHARED, _("Shared images")),
    (ImageType.MARKET, _("Market images")),
)
PAGE_SIZES = (10, 20, 50, 100)
# The tabs whose images differ in kind (system disk, data disk, ISO, whole-machine): the type column and filter.
KIND_TABS = (ImageType.PRIVATE, ImageType.SHARED)
FILTERS = ("q", "tag", "kind", "vendor", "os_version", "os_type", "platform", "architecture", "status")
KINDS = (
    ("system", _("System disk image")),
    ("data", _("Data disk image")),
    ("iso", _("ISO image")),
    ("whole", _("Whole-machine image")),
)
SORTABLE = (SortKey.NAME, SortKey.STATUS, SortKey.DISK_FORMAT, SortKey.CREATED_AT)
# Everything that describes one view of the list; the detail page's back link restores exactly these.
LIST_PARAMS = ("imagetype", *FILTERS, "sort_key", "sort_dir", "page", "page_size")


def tab_of(raw) -> str:
    return raw if raw in ImageType.values else ImageType.GOLD


def _page_size(raw) -> int:
    return int(raw) if raw in {str(size) for size in PAGE_SIZES} else PAGE_SIZES[0]


def sorting_of(params, tab: str) -> dict:
    """The console offers a few sort columns; anything else falls back to the tab's natural order."""
    key, direction = params.get("sort_key"), params.get("sort_dir")
    if key not in SORTABLE:
        key = SortKey.NAME if tab == ImageType.GOLD else SortKey.CREATED_AT
        direction = None
    if direction not in ("asc", "desc"):
        direction = "asc" if key == SortKey.NAME else "desc"
    return {"sort_key": key, "sort_dir": direction}


def list_query(params) -> QueryDict:
    """The list parameters of `params` alone, empty ones dropped, in a stable order."""
    query = QueryDict(mutable=True)
    for name in LIST_PARAMS:
        value = (params.get(name) or "").strip()
        if value:
            query[name] = value
    return query


def list_url(params) -> str:
    query = list_query(params).urlencode()
    return reverse("images:image_list") + (f"?{query}" if query else "")


class ImageListView(ConsolePage):
    def get(self, request):
        actor = request.actor
        tab = tab_of(request.GET.get("imagetype"))
        filters = {key: request.GET[key].strip() for key in FILTERS if request.GET.get(key, "").strip()}
        sorting = sorting_of(request.GET, tab)
        error = None
        try:
            images = selectors.console_images(actor, {**filters, **sorting, "imagetype": tab})
        except PermissionDenied:
            raise
        except ImsError as exc:
            error, images = exc.message, selectors.visible_images(actor).none()
        paginator = Paginator(images, _page_size(request.GET.get("page_size")))
        page = paginator.get_page(request.GET.get("page"))
        state = list_query(
            {
                **request.GET.dict(),
                **sorting,
                "imagetype": tab,
                "page": str(page.number),
                "page_size": str(paginator.per_page),
            }
        )
        context = {
            "tabs": TABS,
            "tab": tab,
            "page": page,
            "filters": filters,
            "sorting": sorting,
            "error": error,
            "page_sizes": PAGE_SIZES,
            "page_size": paginator.per_page,
            "os_types": OsType.choices,
            "platforms": Platform.choices,
            "architectures": Architecture.choices,
            "statuses": ImageStatus.choices,
            "kinds": KINDS,
            "quota": _quota(actor) if tab == ImageType.PRIVATE else None,
            "market": selectors.market_choices(actor) if tab == ImageType.MARKET else None,
            "rows": _rows(actor, page, tab),
            "columns": _columns(tab, sorting, state),
            "state": state.urlencode(),
            "pages": _page_links(page, state),
            "region_next": list_url({"imagetype": tab}),
        }
        partial = request.htmx and not request.htmx.history_restore_request
        response = render(request, "images/_image_table.html" if partial else "images/image_list.html", context)
        # The same URL answers a partial or a whole page: caches must keep them apart.
        patch_vary_headers(response, ("HX-Request",))
        return response


def _columns(tab: str, sorting: dict, state: QueryDict) -> list[dict]:
    """The table's headings; sortable ones link to the same view sorted by them (first page)."""
    headings = [
        ("name", _("Name/ID"), SortKey.NAME),
        ("status", _("Status"), SortKey.STATUS),
        ("os", _("OS"), None),
        ("architecture", _("Architecture"), None),
        ("disk_format", _("Disk format"), SortKey.DISK_FORMAT),
        ("min_disk", _("Min. system disk (GB)"), None),
    ]
    if tab == ImageType.GOLD:
        headings.append(("support", _("Support status"), None))
    else:
        headings.append(("created_at", _("Created"), SortKey.CREATED_AT))
    if tab in KIND_TABS:
        headings.insert(2, ("kind", _("Image type"), None))
    headings.append(("operation", _("Operation"), None))
    if tab == ImageType.SHARED:
        headings.insert(2, ("member_status", _("Share status"), None))
    if tab == ImageType.MARKET:
        headings.insert(1, ("vendor", _("Vendor"), None))
    columns = []
    for name, label, key in headings:
        column = {"name": name, "label": label, "sorted": None, "url": None}
        if key is not None:
            current = sorting["sort_key"] == key
            column["sorted"] = sorting["sort_dir"] if current else None
            if current:
                direction = "desc" if sorting["sort_dir"] == "asc" else "asc"
            else:
                direction = "desc" if key == SortKey.CREATED_AT else "asc"
            target = state.copy()
            target["sort_key"], target["sort_dir"] = key, direction
            target.pop("page", None)
            column["url"] = "?" + target.urlencode()
        columns.append(column)
    return columns


def _quota(actor) -> dict | None:
    """The project's quota ("23 / 100 images, 2 / 40 tasks"), for those who may read it."""
    try:
        usage = {quota.type: quota for quota in selectors.show_image_quota(actor)}
    except PermissionDenied:
        return None
    return {"images": usage["image"], "tasks": usage["task"]}


def _rows(actor, page, tab: str) -> list[dict]:
    """Each image of the page with what its row adds: on the private tab its "Modify" button (the rest of a row's
    actions load with its "More" menu), on the shared tab the project's answer (pending or accepted)."""
    if tab == ImageType.SHARED:
        statuses = selectors.member_statuses(actor, page)
        return [{"image": image, "member_status": statuses.get(image.pk, "")} for image in page]
    if tab == ImageType.PRIVATE:
        return [{"image": image, "modify": rules.image_action(actor, image, "modify")} for image in page]
    if tab == ImageType.MARKET:
        listings = selectors.market_listings_of(page)
        return [{"image": image, "listing": listings.get(image.pk)} for image in page]
    return [{"image": image} for image in page]


def _page_links(page, state: QueryDict) -> dict:
    def url(number):
        target = state.copy()
        target["page"] = str(number)
        return "?" + target.urlencode()

    return {
        "previous": url(page.previous_page_number()) if page.has_previous() else None,
        "next": url(page.next_page_number()) if page.has_next() else None,
    }


class ImageListExportView(ConsolePage):
    """The public or private tab of the current region, with the list's filters and sort, as a CSV file."""

    def get(self, request):
        tab = request.GET.get("imagetype") or ImageType.GOLD
        query = {key: request.GET[key].strip() for key in FILTERS if request.GET.get(key, "").strip()}
        rows = export_image_list(request.actor, image_type=tab, query={**query, **sorting_of(request.GET, tab)})
        response = StreamingHttpResponse(
            (line.encode("utf-8") for line in csv_lines(rows)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{file_name(request.actor, tab)}"'
        return response
