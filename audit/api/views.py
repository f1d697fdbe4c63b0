"""GET /v3/traces: the traces of the caller's account, newest first, with the console's filters."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from audit import selectors
from core.errors import ImsError

DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
FIELDS = (
    "id",
    "event_name",
    "operation",
    "resource_type",
    "resource_id",
    "resource_name",
    "account_id",
    "username",
    "project_id",
    "region_id",
    "source_ip",
    "request_id",
    "user_agent",
    "via",
    "result",
    "error_code",
    "summary",
    "previous_hash",
    "hash",
)


def trace_body(trace) -> dict:
    body = {name: getattr(trace, name) for name in FIELDS}
    body["time"] = trace.time.isoformat().replace("+00:00", "Z")
    return body


def _number(raw, name: str, default: int | None) -> int | None:
    if raw in (None, ""):
        return default
    if not str(raw).isdigit():
        raise ImsError("IMG.0001", _("%(name)s must be a positive integer.") % {"name": name})
    return int(raw)


class TraceListView(APIView):
    @extend_schema(
        operation_id="list_traces",
        tags=["audit"],
        responses=OpenApiTypes.OBJECT,
        parameters=[
            OpenApiParameter(name, str, required=False, description=text)
            for name, text in (
                ("start", "Start of the time range (date or ISO 8601 time); default: 7 days ago"),
                ("end", "End of the time range (a bare date includes that day)"),
                ("event_name", ""),
                ("resource_type", ""),
                ("resource_id", ""),
                ("user", ""),
                ("result", "success, failure or denied"),
                ("marker", "id of the last trace of the previous page"),
                ("limit", "1-1000, default 100"),
            )
        ],
    )
    def get(self, request):
        queryset = selectors.traces(request.auth, request.query_params).order_by("-id")
        marker = _number(request.query_params.get("marker"), "marker", None)
        limit = min(max(_number(request.query_params.get("limit"), "limit", DEFAULT_LIMIT), 1), MAX_LIMIT)
        if marker is not None:
            queryset = queryset.filter(id__lt=marker)
        items = list(queryset[: limit + 1])
        body = {"traces": [trace_body(trace) for trace in items[:limit]]}
        if len(items) > limit:
            body["page_info"] = {"next_marker": str(items[limit - 1].id)}
        return Response(body)
