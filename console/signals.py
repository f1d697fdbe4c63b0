"""Console sign-ins, failed attempts and sign-outs go to the audit trail like API logins do."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.recorder import record_login, record_logout


@receiver(user_logged_in)
def trace_login(sender, request, user, **kwargs):
    if request is not None:
        record_login(request, username=user.username, via="console", user=user)


@receiver(user_login_failed)
def trace_failed_login(sender, credentials, request=None, **kwargs):
    if request is not None:
        record_login(request, username=credentials.get("username", ""), via="console", error_code="login_failed")


@receiver(user_logged_out)
def trace_logout(sender, request, user, **kwargs):
    if request is not None and user is not None:
        record_logout(request, user)
