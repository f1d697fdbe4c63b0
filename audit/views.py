"""Console pages of the audit trail: the trace list with filters, one trace, the CSV export, an image's activity."""

import json
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from audit import selectors
from audit.export import file_name, rows
from audit.models import TraceResult
from core.errors import ImsError
from core.spreadsheet import csv_lines
from iam.pages import ConsolePage

PAGE_SIZE = 20


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
        trace = selectors.trace(request.actor, trace_id)
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
