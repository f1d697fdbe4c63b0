from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComputeConfig(AppConfig):
    name = "compute"
    verbose_name = _("Local compute")

    def ready(self):
        # Images cannot import compute (it sits above them): compute hands images the sources it can make images
        # from (servers, disks, backups), and images asks the registry when a request names one.
        from compute.services.image_sources import register

        register()
