"""The API's error adapter: every refusal becomes an IMS error body and status (pages have `iam.pages`)."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response

from audit.recorder import was_traced
from core.errors import STORAGE_READ_ONLY, GatewayError, ImsError, describe_validation, storage_failure
from iam.actors import Actor
from iam.catalogue import operation_at
from iam.operations import trace_refused_attempt

logger = logging.getLogger(__name__)


def _from_drf(exc: drf.APIException) -> ImsError:
    if isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed)):
        return GatewayError("APIGW.0301", _("Incorrect IAM authentication information: %s") % exc.detail)
    if isinstance(exc, drf.PermissionDenied):
        return ImsError("IMG.0003", str(exc.detail), 403)
    if isinstance(exc, drf.NotFound):
        return ImsError("IMG.0404", _("The requested resource does not exist."), 404)
    if isinstance(exc, drf.MethodNotAllowed):
        return ImsError("IMG.0405", str(exc.detail), 405)
    if isinstance(exc, drf.UnsupportedMediaType):
        return ImsError("IMG.0415", str(exc.detail), 415)
    if isinstance(exc, drf.Throttled):
        return ImsError("IMG.0429", str(exc.detail), 429)
    if isinstance(exc, drf.ParseError):
        return ImsError("IMG.0001", _("The request body is not valid JSON."), 400)
    if isinstance(exc, drf.ValidationError):
        return ImsError("IMG.0001", describe_validation(exc.detail), 400)
    return ImsError("IMG.0001", str(exc.detail), exc.status_code)


def api_exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = ImsError("IMG.0404", _("The requested resource does not exist."), 404)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = ImsError("IMG.0003", _("You do not have permission to perform this operation."), 403)
    elif isinstance(exc, drf.APIException):
        exc = _from_drf(exc)
    else:
        # A full or read-only storage anywhere (files, objects, the database): 507/503 with its own code.
        exc = storage_failure(exc) or exc
    if not isinstance(exc, ImsError):
        return None  # let Django's handler log it and answer a JSON 500 (see console.views.server_error)
    if not isinstance(exc, GatewayError) and exc.code != STORAGE_READ_ONLY:
        # A caller who failed to authenticate is nobody to name in a trace; a read-only store takes no trace.
        record_refused_request(context["request"], exc)
    response = Response(exc.body(), status=exc.status)
    if exc.status == 401:
        response["WWW-Authenticate"] = 'SDK-HMAC-SHA256 realm="ims"'
    return response


def record_refused_request(request, error: ImsError) -> None:
    """Traces an API request that its view refused before any service ran, for example for a body that is
    not JSON: it is a failed attempt at the operation all the same. Services trace everything after that."""
    actor, match = request.auth, getattr(request, "resolver_match", None)
    if not isinstance(actor, Actor) or match is None or was_traced(actor.request_id):
        return
    op = operation_at(request.method, match.route)
    if op is None or not op.changes_state:
        return
    target = next((match.kwargs[name] for name in ("image_id", "bucket", "upload_id") if name in match.kwargs), "")
    trace_refused_attempt(op, actor, target_id=target, error=error)


class JsonOnlyNegotiation(DefaultContentNegotiation):
    """The API speaks JSON whatever the Accept header says: a browser opening an API URL gets JSON, not 406."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def storage_refusal_page(request, error: BaseException | None, *, api: bool):
    """The answer to a write that reached a full or read-only storage outside any view's own handling (a session
    saved by a middleware, a console form): the API's error shape or the console's error page, never a 500."""
    from django.http import JsonResponse

    from iam.pages import error_page

    refusal = storage_failure(error) if error is not None else None
    if refusal is None:
        return None
    if api:
        return JsonResponse(refusal.body(), status=refusal.status)
    return error_page(request, refusal.status, refusal.message)
