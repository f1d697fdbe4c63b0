from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObsConfig(AppConfig):
    name = "obs"
    verbose_name = _("Object storage")
