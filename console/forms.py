from django.contrib.auth.forms import AuthenticationForm


class ConsoleLoginForm(AuthenticationForm):
    """Sign-in for IAM users; the platform operator without an account signs in to Django admin."""
