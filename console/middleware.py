"""Request-wide context: a request id and the caller's address for traces, and the console's region."""

import uuid
from urllib.parse import unquote

from django.http import JsonResponse

from core.context import bind_request_id, unbind_request_id
from iam.actors import actor_for_console


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        token = bind_request_id(request.request_id)
        try:
            response = self.refuse_nul(request) or self.get_response(request)
        finally:
            unbind_request_id(token)
        response["X-Request-Id"] = request.request_id
        return response

    @staticmethod
    def refuse_nul(request):
        """No identifier of ours contains a NUL, and PostgreSQL refuses one in any text: a clear 400 up front."""
        if "\x00" in request.path or "\x00" in unquote(request.META.get("QUERY_STRING", "")):
            return JsonResponse(
                {"error": {"code": "IMG.0001", "message": "The request contains a NUL character."}}, status=400
            )
        return None


class ConsoleRegionMiddleware:
    """Gives signed-in console users an actor in the region they picked (kept in the session)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = None
        if request.user.is_authenticated:
            request.actor = actor_for_console(request)
        return self.get_response(request)
