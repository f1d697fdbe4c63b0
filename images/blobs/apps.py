from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlobsConfig(AppConfig):
    name = "images.blobs"
    label = "blobs"
    verbose_name = _("Chunk store")
