"""The console's Keys page: the account's keys of the region, with create, enable, disable, schedule deletion and
cancel deletion as plain forms that call the services and come back to the list."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ImsError
from iam.authz import can
from iam.pages import ConsolePage
from kms import services
from kms.models import KeyState
from kms.services.keys import MAX_PENDING_DAYS, MIN_PENDING_DAYS

NO_PERMISSION = gettext_lazy("You do not have permission for this.")
ACTIONS = {
    "enable": (services.enable_key, gettext_lazy("Key %(alias)s enabled.")),
    "disable": (services.disable_key, gettext_lazy("Key %(alias)s disabled.")),
    "cancel-deletion": (services.cancel_key_deletion, gettext_lazy("Deletion of key %(alias)s cancelled.")),
}


class KmsPage(ConsolePage):
    home = "kms:key_list"
    no_permission = gettext_lazy(
        "Your user has no permission to use keys in this region. Ask an administrator of your account for "
        "KMS Administrator or KMS CMKFullAccess, or switch to another region."
    )


def abilities(actor) -> dict:
    return {
        name: can(actor, f"kms:cmk:{action}")
        for name, action in (("create", "create"), ("enable", "enable"), ("disable", "disable"), ("delete", "update"))
    }


class KeyListView(KmsPage):
    def get(self, request):
        keys = services.list_keys(request.actor)
        return render(
            request,
            "kms/key_list.html",
            {
                "keys": keys,
                "states": KeyState,
                "can": abilities(request.actor),
                "no_permission": NO_PERMISSION,
                "pending_days": (MIN_PENDING_DAYS, MAX_PENDING_DAYS),
                "nav": "kms",
                "region_next": reverse("kms:key_list"),
            },
        )

    def post(self, request):
        try:
            key = services.create_key(
                request.actor,
                alias=request.POST.get("alias", "").strip(),
                description=request.POST.get("description", "").strip(),
            )
        except ImsError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Key %(alias)s created.") % {"alias": key.alias})
        return redirect("kms:key_list")


class KeyActionView(KmsPage):
    def post(self, request, key_id, action):
        try:
            if action == "schedule-deletion":
                key = services.delete_key(request.actor, key_id=key_id, pending_days=_days(request.POST.get("days")))
                done = _("Key %(alias)s will be deleted on %(date)s.") % {
                    "alias": key.alias,
                    "date": key.deletion_date.date().isoformat(),
                }
            elif action in ACTIONS:
                service, message = ACTIONS[action]
                key = service(request.actor, key_id=key_id)
                done = message % {"alias": key.alias}
            else:
                return redirect("kms:key_list")
        except ImsError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done)
        return redirect("kms:key_list")


def _days(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None  # the service refuses it with its own message
