"""The base of every console page: sign-in required, an account required, and refusals shown as pages."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from core.errors import ImsError
from iam.authz import PermissionDenied


def error_page(request, status: int, message, *, home: str = "images:image_list", **context):
    # The region switcher on an error page lands on `home`: the one page sure to exist in every region.
    return render(
        request,
        "console/error.html",
        {
            "status": status,
            "message": message,
            "region_next": reverse(home),
            **context,
        },
        status=status,
    )


class ConsolePage(LoginRequiredMixin, View):
    """Subclasses name their service's `home` page and what a missing permission means there."""

    home = "images:image_list"
    no_permission = _(
        "Your user has no permission to view images in this region. Ask an administrator of your "
        "account to grant IMS ReadOnlyAccess or IMS FullAccess here, or switch to another region."
    )

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.actor is None:
            return error_page(
                request,
                403,
                _("Your user belongs to no account. The platform operator works in the administration site."),
                home=self.home,
            )
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied as denied:
            return error_page(
                request,
                403,
                self.no_permission,
                home=self.home,
                title=_("No permission in this region"),
                detail=denied.message,
            )
        except ImsError as error:
            return error_page(request, error.status, error.message, home=self.home)
