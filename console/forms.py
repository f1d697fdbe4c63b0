from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from audit.recorder import record_login
from iam import lockout


class ConsoleLoginForm(AuthenticationForm):
    """Sign-in for IAM users; the platform operator without an account signs in to Django admin."""

    locked_message = ""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and self.cleaned_data.get("password"):
            until = lockout.locked_until(username)
            if until is not None:
                # Checked before the password, so even the right one is refused while the lock lasts.
                if self.request is not None:
                    record_login(self.request, username=username, via="console", error_code="locked")
                self.locked_message = lockout.locked_message(until)
                raise ValidationError(self.locked_message, code="locked")
            try:
                cleaned = super().clean()
            except ValidationError:
                lockout.record_failure(username)
                raise
            lockout.record_success(username)
            return cleaned
        return super().clean()
