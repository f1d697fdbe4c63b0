"""The console's "Export" of the image list: the public or private tab of one region, as CSV rows.

Cells are neutralised for spreadsheets and the lines written by `core.spreadsheet.csv_lines` (RFC 4180).
"""

from collections.abc import Iterator
from datetime import UTC

from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from core.errors import ImsError
from core.spreadsheet import neutralise
from iam.operations import operation
from images import selectors
from images.choices import ImageType
from images.models import Image

EXPORTABLE = {ImageType.GOLD: "public", ImageType.PRIVATE: "private"}
# Rows are read in chunks: a bounded memory, and one query for the tags of each chunk.
CHUNK = 1000


def file_name(actor, image_type: str, now=None) -> str:
    stamp = (now or timezone.now()).astimezone(UTC).strftime("%Y%m%d%H%M%S")
    return f"{EXPORTABLE[image_type]}-images-{actor.region.id}-{stamp}.csv"


def headers() -> list[str]:
    return [
        _("Name"),
        _("ID"),
        _("Status"),
        _("OS"),
        _("OS type"),
        _("Image type"),
        _("Architecture"),
        _("Disk format"),
        _("Min disk (GB)"),
        _("Size (bytes)"),
        _("Created (UTC)"),
        _("Description"),
        _("Tags"),
    ]


def _row(image: Image) -> list:
    image_type = (
        image.get_image_type_display() if image.image_type == ImageType.GOLD else image.get_virtual_env_type_display()
    )
    return [
        image.name,
        image.id,
        image.get_status_display(),
        image.os_version or image.get_os_type_display(),
        image.get_os_type_display(),
        image_type,
        image.get_architecture_display(),
        image.get_disk_format_display(),
        image.min_disk,
        image.size,
        image.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        image.description,
        "; ".join(f"{tag.key}={tag.value}" for tag in image.tags.all()),
    ]


def _rows(queryset, language: str) -> Iterator[list[str]]:
    # The response streams after the view returned: keep the language of the request that asked.
    with override(language):
        yield headers()
        for image in queryset.prefetch_related("tags").iterator(chunk_size=CHUNK):
            yield [neutralise(cell) for cell in _row(image)]


@operation("export_image_list")
def export_image_list(actor, *, image_type: str, query: dict) -> Iterator[list[str]]:
    """The rows (headers first) of the tab `image_type` ("gold" or "private") with the list's filters and sort."""
    if image_type not in EXPORTABLE:
        raise ImsError("IMG.0001", _("Only the public and private image lists can be exported."))
    queryset = selectors.console_images(actor, {**query, "imagetype": image_type})
    return _rows(queryset, get_language())
