"""The console shell: sign-in, sign-out, region and language switches, and the error pages."""

import sys

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from console.errors import storage_refusal_page
from console.forms import ConsoleLoginForm
from iam.models import Project

API_PREFIXES = ("/v1", "/v2", "/v3", "/api/")


class ConsoleLoginView(LoginView):
    template_name = "console/login.html"
    form_class = ConsoleLoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        if form.locked_message:
            # The page's own error is generic; the lock must also say when to try again.
            messages.error(self.request, form.locked_message)
        return super().form_invalid(form)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("console:login")


def _back(request, fallback: str = "images:image_list"):
    target = request.POST.get("next") or request.META.get("HTTP_REFERER")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(fallback)


@login_required
@require_POST
def switch_region(request):
    region = request.POST.get("region", "")
    actor = request.actor
    if actor is None or not Project.objects.filter(account=actor.account, region_id=region).exists():
        messages.error(request, _("That region is not available to your account."))
    else:
        request.session["region"] = region
    return _back(request)


def set_language(request):
    return django_set_language(request)


@login_required
def home(request):
    return redirect("images:image_list")


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIXES) or request.path == "/"


def bad_request(request, exception=None):
    too_big = isinstance(exception, RequestDataTooBig)
    status = 413 if too_big else 400
    message = _("The request body is too large.") if too_big else _("The request is malformed.")
    if _is_api(request):
        return JsonResponse({"error": {"code": f"IMG.0{status}", "message": message}}, status=status)
    return render(request, "console/error.html", {"status": status, "message": message}, status=status)


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse(
            {"error": {"code": "IMG.0404", "message": "The requested resource does not exist."}}, status=404
        )
    return render(request, "console/error.html", {"status": 404, "message": _("This page does not exist.")}, status=404)


def server_error(request):
    # Logged by Django; the caller gets a request id to quote, never a stack trace.
    request_id = getattr(request, "request_id", "")
    refusal = storage_refusal_page(request, sys.exc_info()[1], api=_is_api(request))  # Django calls us in its except
    if refusal is not None:
        return refusal
    if _is_api(request):
        return JsonResponse(
            {"error": {"code": "IMG.0500", "message": f"Internal error; quote request id {request_id}."}}, status=500
        )
    return render(
        request,
        "console/error.html",
        {"status": 500, "request_id": request_id, "message": _("Something went wrong on our side.")},
        status=500,
    )
