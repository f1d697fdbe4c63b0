"""The "Share" and "Tags" dialogs of the action bar and the list's row menu: one project ID, or one tag."""

from django.utils.translation import gettext as _

from images.forms import AddTagForm, ShareForm
from images.services import members
from images.services import tags as tag_service
from images.views.dialogs import ImageDialog, image_url, success


class ShareDialogView(ImageDialog):
    action = "share"
    template_name = "images/_share_dialog.html"
    form_class = ShareForm
    error_field = "project_id"

    def submit(self, request, image, form) -> str:
        project_id = form.cleaned_data["project_id"].strip()
        members.glance_add_image_member(request.actor, image_id=image.pk, member_id=project_id)
        success(
            request,
            _("The image is shared with project %(id)s. It appears there once the project accepts it.")
            % {"id": project_id},
        )
        return image_url(image) + "#image-members"


class TagDialogView(ImageDialog):
    action = "tags"
    template_name = "images/_tag_dialog.html"
    form_class = AddTagForm
    error_field = "key"

    def submit(self, request, image, form) -> str:
        pairs = tag_service.tag_pairs([{"key": form.cleaned_data["key"], "value": form.cleaned_data["value"]}])
        tag_service.add_image_tag(request.actor, image_id=image.pk, tags=pairs)
        success(request, _("Tag %(key)s was added.") % {"key": form.cleaned_data["key"]})
        return image_url(image) + "#tag-editor"

    def extra_context(self, request, image) -> dict:
        return {"tags": list(image.tags.order_by("key"))}
