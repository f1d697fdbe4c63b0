from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetadefsConfig(AppConfig):
    name = "images.metadefs"
    label = "metadefs"
    verbose_name = _("Metadata definitions")
