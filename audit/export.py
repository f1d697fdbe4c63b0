"""The console's CSV export of the filtered traces: RFC 4180, a byte order mark, formula cells neutralised."""

from collections.abc import Iterator
from datetime import UTC

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.spreadsheet import neutralise
from iam.actors import Actor

CHUNK = 1000


def file_name(actor: Actor, now=None) -> str:
    stamp = (now or timezone.now()).astimezone(UTC).strftime("%Y%m%d%H%M%S")
    return f"traces-{actor.region.id}-{stamp}.csv"


def headers() -> list[str]:
    return [
        _("Time (UTC)"),
        _("Event name"),
        _("Resource type"),
        _("Resource ID"),
        _("Resource name"),
        _("User"),
        _("Result"),
        _("Error code"),
        _("Source IP"),
        _("Request ID"),
        _("Region"),
        _("Via"),
        _("Summary"),
    ]


def _row(trace) -> list:
    summary = "; ".join(f"{key}={value}" for key, value in sorted(trace.summary.items()))
    return [
        trace.time.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        trace.event_name,
        trace.resource_type,
        trace.resource_id,
        trace.resource_name,
        trace.username,
        trace.get_result_display(),
        trace.error_code,
        trace.source_ip,
        trace.request_id,
        trace.region_id,
        trace.via,
        summary,
    ]


def rows(queryset, language: str) -> Iterator[list[str]]:
    # The response streams after the view returned: keep the language of the request that asked.
    with override(language):
        yield headers()
        for trace in queryset.iterator(chunk_size=CHUNK):
            yield [neutralise(cell) for cell in _row(trace)]
