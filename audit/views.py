"""Console pages of the audit trail: the trace list with filters, one trace, the CSV export, an image's activity."""

import json
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from audit import selectors
from audit.export import file_name, rows
from audit.models import TraceResult
from core.errors import ImsError
from core.spreadsheet import csv_lines
from iam.pages import ConsolePage

PAGE_SIZE = 20
# The audit events, by the names a person reads (the filter offers these; the trace keeps the product's name).
EVENTS = {
    "createImage": _("Create image"),
    "updateImage": _("Modify image"),
    "deleteImage": _("Delete image"),
    "deactivateImage": _("Deactivate image"),
    "reactivateImage": _("Reactivate image"),
    "copyImage": _("Copy image"),
    "exportImage": _("Export image"),
    "addMember": _("Share image"),
    "updateMember": _("Accept or reject shared image"),
    "deleteMemeber": _("Stop sharing image"),
    "addTag": _("Add tag"),
    "deleteTag": _("Delete tag"),
    "batchTagsAction": _("Add or delete tags"),
    "cancelJob": _("Cancel job"),
    "grantImage": _("Grant image permission"),
    "revokeImage": _("Revoke image permission"),
    "createBucket": _("Create bucket"),
    "deleteBucket": _("Delete bucket"),
    "initiateMultipartUpload": _("Start upload"),
    "uploadPart": _("Upload part"),
    "completeMultipartUpload": _("Complete upload"),
    "abortMultipartUpload": _("Abort upload"),
    "createAccessKey": _("Create access key"),
    "updateAccessKey": _("Enable or disable access key"),
    "deleteAccessKey": _("Delete access key"),
    "changePassword": _("Change password"),
    "login": _("Sign in"),
    "logout": _("Sign out"),
}


def event_choices(current: str) -> list[tuple[str, str]]:
    """The filter's events by readable name; an event asked for by its product name is kept."""
    choices = sorted(((event, str(label)) for event, label in EVENTS.items()), key=lambda choice: choice[1])
    if current and current not in EVENTS:
        choices.append((current, current))
    return choices


def _readable(traces) -> list:
    """Each trace with its event's readable name, and its resource ID unless it is an internal row number."""
    for trace in traces:
        trace.event_label = str(EVENTS.get(trace.event_name, trace.event_name))
        trace.shown_id = "" if trace.resource_id.isdigit() and trace.resource_name else trace.resource_id
    return traces


class TraceListView(ConsolePage):
    def get(self, request):
        filters = selectors.filter_values(request.GET)
        error = None
        try:
            traces = selectors.traces(request.actor, request.GET)
        except ImsError as exc:
            error, traces = exc.message, selectors.account_traces(request.actor).none()
        page = Paginator(traces, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "audit/trace_list.html",
            {
                "page": page,
                "traces": _readable(list(page)),
                "events": event_choices(filters.get("event_name", "")),
                "filters": filters,
                "error": error,
                "results": TraceResult.choices,
                "query": urlencode(filters),
                "nav": "audit",
                "days": selectors.DEFAULT_DAYS,
            },
        )


class TraceDetailView(ConsolePage):
    def get(self, request, trace_id: int):
        trace = _readable([selectors.trace(request.actor, trace_id)])[0]
        summary = json.dumps(trace.summary, indent=2, sort_keys=True, ensure_ascii=False)
        return render(request, "audit/trace_detail.html", {"trace": trace, "summary": summary, "nav": "audit"})


class TraceExportView(ConsolePage):
    def get(self, request):
        traces = selectors.traces(request.actor, request.GET)
        lines = csv_lines(rows(traces, get_language()))
        response = StreamingHttpResponse(
            (line.encode("utf-8") for line in lines), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{file_name(request.actor)}"'
        return response


class ImageActivityView(ConsolePage):
    """The htmx partial of the image detail page's "Activity" section."""

    def get(self, request, image_id):
        traces = selectors.image_activity(request.actor, image_id)
        return render(request, "audit/_activity_rows.html", {"traces": traces})
