"""The user's own console page: profile, password, access keys and effective permissions."""

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.errors import ImsError
from iam import account
from iam.credentials import MAX_ACCESS_KEYS_PER_USER
from iam.pages import ConsolePage

NEW_SECRET_SESSION_KEY = "iam_new_secret"


class PasswordForm(forms.Form):
    """What the page asks for; whether the password is right and strong enough is the service's call."""

    old_password = forms.CharField(
        label=gettext_lazy("Old password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1 = forms.CharField(
        label=gettext_lazy("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=gettext_lazy("New password confirmation"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password2") and data["new_password1"] != data["new_password2"]:
            self.add_error("new_password2", gettext_lazy("The two password fields didn’t match."))
        return data


class AccountPage(ConsolePage):
    home = "iam:account"
    no_permission = gettext_lazy("You do not have permission to view this page.")

    def render_page(self, request, password_form=None, status=200):
        keys = list(account.own_access_keys(request.user))
        return render(
            request,
            "iam/account.html",
            {
                "nav": "account",
                "profile": account.profile(request.user),
                "password_form": password_form or PasswordForm(),
                "access_keys": keys,
                "can_create_key": len(keys) < MAX_ACCESS_KEYS_PER_USER,
                "max_keys": MAX_ACCESS_KEYS_PER_USER,
                "region_permissions": [
                    (entry, entry.project.region.display_name(get_language() or "en"))
                    for entry in account.effective_permissions(request.user)
                ],
            },
            status=status,
        )


class AccountView(AccountPage):
    def get(self, request):
        return self.render_page(request)


class PasswordChangeView(AccountPage):
    def get(self, request):
        return redirect("iam:account")

    def post(self, request):
        form = PasswordForm(request.POST)
        if not form.is_valid():
            return self.render_page(request, password_form=form, status=400)
        try:
            user = account.change_password(
                request.actor,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ImsError as error:
            form.add_error("old_password" if error.code == "IAM.0021" else "new_password1", error.message)
            return self.render_page(request, password_form=form, status=400)
        update_session_auth_hash(request, user)  # stay signed in with the new password
        messages.success(request, _("Your password has been changed."))
        return redirect("iam:account")


class AccessKeyCreateView(AccountPage):
    def post(self, request):
        try:
            key, secret = account.create_own_access_key(request.actor, description=request.POST.get("description", ""))
        except ImsError as error:
            messages.error(request, error.message)
            return redirect("iam:account")
        # Carried to the next page in the session and removed there: the SK is shown exactly once.
        request.session[NEW_SECRET_SESSION_KEY] = {"access_key": key.access_key, "secret": secret}
        return redirect("iam:access_key_created", access_key=key.access_key)


@method_decorator(never_cache, name="dispatch")  # the SK must not linger in any cache
class AccessKeyCreatedView(AccountPage):
    def get(self, request, access_key):
        key = account.find_own_key(request.actor, access_key)  # anyone else's: the 404 page
        pending = request.session.pop(NEW_SECRET_SESSION_KEY, None)
        secret = pending["secret"] if pending and pending.get("access_key") == key.access_key else None
        return render(request, "iam/access_key_created.html", {"nav": "account", "key": key, "secret": secret})


class AccessKeyStatusView(AccountPage):
    def post(self, request, access_key):
        active = request.POST.get("active") == "true"
        account.set_access_key_status(request.actor, key_id=access_key, active=active)
        messages.success(
            request,
            _("The access key %(ak)s is now enabled.") % {"ak": access_key}
            if active
            else _("The access key %(ak)s is now disabled.") % {"ak": access_key},
        )
        return redirect("iam:account")


class AccessKeyDeleteView(AccountPage):
    def post(self, request, access_key):
        account.delete_access_key(request.actor, key_id=access_key)
        messages.success(request, _("The access key %(ak)s has been deleted.") % {"ak": access_key})
        return redirect("iam:account")


class CredentialsView(AccountPage):
    """The "My credentials" page: account, user and project IDs, as the product shows them."""

    def get(self, request):
        language = get_language() or "en"
        data = account.my_credentials(request.actor)
        rows = [(project, project.region.display_name(language)) for project in data["projects"]]
        return render(request, "iam/credentials.html", {"nav": "account", **data, "project_rows": rows})
