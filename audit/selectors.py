"""Reading traces: always the actor's own account, and only for users who may read the image service.

Who may read: a user with `ims:images:list` (IMS ReadOnlyAccess, IMS FullAccess, Tenant Administrator). The
audit trail names images and users of the whole account, so a user without IMS read permission sees none.
"""

from datetime import UTC, datetime, time, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from audit.models import Trace, TraceResult
from core.errors import ImsError
from iam.actors import Actor
from iam.authz import authorize

READ_ACTION = "ims:images:list"
DEFAULT_DAYS = 7
# Exact-match filters: query parameter → field.
EXACT = {
    "event_name": "event_name",
    "resource_type": "resource_type",
    "resource_id": "resource_id",
    "user": "username",
    "result": "result",
}


def account_traces(actor: Actor):
    authorize(actor, READ_ACTION)
    return Trace.objects.filter(account_id=actor.account.id)


def _moment(raw: str, name: str, *, end: bool) -> datetime:
    """A well-formed but impossible date (2026-02-30, T25:00, a day past 9999-12-31) is refused as a bad one is."""
    try:
        # A bare date first: parse_datetime would read it as midnight, and a bare end date includes that whole day.
        day = parse_date(raw)
        value = datetime.combine(day + timedelta(days=1) if end else day, time.min) if day else parse_datetime(raw)
        if value is None:
            raise ValueError(raw)
        return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise ImsError("IMG.0001", _("%(name)s must be a date or an ISO 8601 time.") % {"name": name}) from None


def filter_values(params) -> dict:
    """The filters of `params` that are set, stripped."""
    names = ("start", "end", *EXACT)
    return {name: str(params.get(name)).strip() for name in names if str(params.get(name) or "").strip()}


def traces(actor: Actor, params, *, now=None):
    """The account's traces matching `params`; without `start`, the last seven days."""
    values = filter_values(params)
    queryset = account_traces(actor)
    start = (
        _moment(values["start"], "start", end=False)
        if "start" in values
        else (now or timezone.now()) - timedelta(days=DEFAULT_DAYS)
    )
    queryset = queryset.filter(time__gte=start)
    if "end" in values:
        queryset = queryset.filter(time__lt=_moment(values["end"], "end", end=True))
    if values.get("result") and values["result"] not in TraceResult.values:
        raise ImsError("IMG.0001", _("result must be one of: %(values)s.") % {"values": ", ".join(TraceResult.values)})
    return queryset.filter(**{EXACT[name]: value for name, value in values.items() if name in EXACT})


def trace(actor: Actor, trace_id: int) -> Trace:
    found = account_traces(actor).filter(pk=trace_id).first()
    if found is None:
        raise ImsError("IMG.0404", _("The requested resource does not exist."), 404)
    return found


def image_activity(actor: Actor, image_id: str, limit: int = 50):
    """The newest traces about one image, whatever their age (the timeline of the image)."""
    return account_traces(actor).filter(resource_id=str(image_id)).order_by("-time", "-id")[:limit]
