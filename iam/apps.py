from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IamConfig(AppConfig):
    name = "iam"
    verbose_name = _("Identity and access")

    def ready(self):
        from iam import caller_cache
        from iam.api import schema  # noqa: F401  (registers the OpenAPI security schemes)

        caller_cache.connect()
