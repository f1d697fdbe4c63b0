"""Writing traces. Services call `record()`; the `@operation` decorator calls it for them."""

import contextvars
import re
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction

from audit.chain import row_hash
from audit.models import ChainHead, Trace, TraceResult

if TYPE_CHECKING:  # the trail sits below iam: it reads an actor's attributes and never imports iam at run time
    from iam.actors import Actor

SUMMARY_LIMIT = 2000
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# The request id of the last trace written in this request's context: tells a face whether its request was traced.
_last_traced_request = contextvars.ContextVar("last_traced_request", default="")


def clean(value, limit: int) -> str:
    """Caller-supplied text as a trace keeps it: bounded, with control characters written out (a NUL would be
    refused by PostgreSQL, a line break could forge log lines)."""
    return CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", str(value))[:limit]


def _trimmed(summary: dict | None) -> dict:
    summary = summary or {}
    # Request bodies can be large or hostile; a trace keeps a bounded, string-safe summary.
    return {clean(key, 64): clean(value, SUMMARY_LIMIT) for key, value in summary.items()}


def record(
    *,
    event: str,
    operation: str,
    actor: "Actor | None" = None,
    resource_type: str = "ims",
    resource_id: str = "",
    resource_name: str = "",
    result: str = TraceResult.SUCCESS,
    error_code: str = "",
    summary: dict | None = None,
    account_id: str = "",
    username: str = "",
    context: dict | None = None,
) -> Trace:
    fields = {
        "event_name": event,
        "operation": operation,
        "resource_type": resource_type,
        "resource_id": clean(resource_id, 64),
        "resource_name": clean(resource_name, 255),
        "result": result,
        "error_code": error_code,
        "summary": _trimmed(summary),
        "account_id": account_id,
        "username": clean(username, 150),
    }
    if actor is not None:
        fields.update(
            account_id=actor.account.id,
            username=actor.username,
            project_id=actor.project.id,
            region_id=actor.project.region_id,
            source_ip=actor.source_ip,
            request_id=actor.request_id,
            user_agent=clean(actor.user_agent, 255),
            via=actor.via,
        )
    fields.update({key: clean(value, 255) for key, value in (context or {}).items()})
    trace = _append(Trace(**fields))
    if trace.request_id:
        _last_traced_request.set(trace.request_id)
    return trace


def was_traced(request_id: str) -> bool:
    return bool(request_id) and _last_traced_request.get() == request_id


def _append(trace: Trace) -> Trace:
    """Insert `trace` at the end of the chain. The head row's lock makes concurrent writers take turns, so
    ids follow chain order; the transaction is short so the lock is not held for long."""
    with transaction.atomic():
        ChainHead.objects.get_or_create(pk=1)
        head = ChainHead.objects.select_for_update().get(pk=1)
        trace.previous_hash = head.hash
        trace.hash = row_hash(head.hash, trace)
        trace.save(force_insert=True)
        head.hash, head.count = trace.hash, head.count + 1
        head.save(update_fields=["hash", "count"])
    return trace


def _request_context(request, via: str) -> dict:
    return {
        "source_ip": request.META.get("REMOTE_ADDR", ""),
        "via": via,
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:255],
        "request_id": getattr(request, "request_id", ""),
    }


def record_logout(request, user) -> Trace:
    account = getattr(getattr(user, "iam", None), "account_id", "")
    return record(
        event="logout",
        operation="logout",
        resource_type="iam",
        resource_id=str(user.pk),
        resource_name=user.username,
        account_id=account or "",
        username=user.username,
        context=_request_context(request, "console"),
    )


def record_login(request, *, username: str, via: str, user=None, project=None, error_code: str = "") -> Trace:
    """A sign-in attempt, from the console or the token API; failures name the user they tried."""
    context = _request_context(request, via)
    if project is not None:
        context.update(project_id=project.id, region_id=project.region_id)
    if user is None and username and "\x00" not in str(username):  # PostgreSQL cannot even compare a NUL
        # A failed or locked attempt belongs to the account whose user name was tried (user names are unique
        # across accounts): that account's administrator sees the brute-force attempts on its users.
        user = get_user_model().objects.filter(username=str(username)[:150]).select_related("iam").first()
    account = getattr(getattr(user, "iam", None), "account_id", "")
    return record(
        event="login",
        operation="login",
        resource_type="iam",
        resource_id=str(user.pk) if user else "",
        resource_name=username,
        account_id=account or "",
        username=str(username)[:150],
        result=TraceResult.FAILURE if error_code else TraceResult.SUCCESS,
        error_code=error_code,
        context=context,
    )
