"""The console's deactivate and reactivate dialogs: a confirmation, then the same services the Glance API calls."""

from django import forms
from django.utils.translation import gettext as _

from images.services import lifecycle
from images.views.dialogs import ImageDialog, image_url, success


class DeactivateView(ImageDialog):
    action = "deactivate"
    template_name = "images/_lifecycle_dialog.html"
    form_class = forms.Form

    def submit(self, request, image, form) -> str:
        image = lifecycle.glance_deactivate_image(request.actor, image_id=image.pk)
        success(request, _("Image %(name)s was deactivated.") % {"name": image.name})
        return image_url(image)

    def extra_context(self, request, image) -> dict:
        return {
            "title": _("Deactivate image"),
            "explanation": _(
                "While deactivated, the image stays listed and keeps its members, but nobody can download it or "
                "create servers from it. Servers already created from it are not affected."
            ),
            "submit_label": _("Deactivate"),
        }


class ReactivateView(ImageDialog):
    action = "reactivate"
    template_name = "images/_lifecycle_dialog.html"
    form_class = forms.Form

    def submit(self, request, image, form) -> str:
        image = lifecycle.glance_reactivate_image(request.actor, image_id=image.pk)
        success(request, _("Image %(name)s was reactivated.") % {"name": image.name})
        return image_url(image)

    def extra_context(self, request, image) -> dict:
        return {
            "title": _("Reactivate image"),
            "explanation": _("The image becomes normal again: it can be downloaded and used to create servers."),
            "submit_label": _("Reactivate"),
        }
