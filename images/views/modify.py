"""The "Modify image" dialog: the attributes the IMS update service accepts, sent to it as typed changes."""

from django.utils.translation import gettext as _

from core.errors import ImsError
from images.forms import ModifyImageForm
from images.services import update
from images.views.dialogs import ImageDialog, image_url, success


class ModifyImageView(ImageDialog):
    action = "modify"
    template_name = "images/_modify_dialog.html"

    def make_form(self, image, data=None):
        return ModifyImageForm(data, image=image)

    def field_of(self, form):
        return form.field_of

    def submit(self, request, image, form) -> str:
        changes = form.changes()
        if not changes:
            raise ImsError("IMG.0001", _("Change at least one attribute, or cancel."))
        image = update.update_image(request.actor, image_id=image.pk, changes=changes)
        success(request, _("Image %(name)s was modified.") % {"name": image.name})
        return image_url(image)
