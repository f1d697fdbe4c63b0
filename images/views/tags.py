"""The tag editor of the image detail page: an htmx panel that lists, adds and deletes tags."""

from django.shortcuts import redirect, render

from core import text
from core.errors import ImsError
from iam.pages import ConsolePage
from images import rules, selectors
from images.models import ImageTag
from images.services import tags as tag_service


class TagPanelView(ConsolePage):
    def get(self, request, image_id):
        return self.panel(request, selectors.get_image(request.actor, image_id))

    def post(self, request, image_id):
        try:
            self.act(request, image_id)  # the service finds the image itself, so a refusal is traced
        except ImsError as error:
            image = selectors.get_image(request.actor, image_id)
            return self.panel(request, image, error=error.message, status=200 if request.htmx else error.status)
        if not request.htmx:
            return redirect("images:image_detail", image_id=image_id)
        return self.panel(request, selectors.get_image(request.actor, image_id))

    def act(self, request, image_id):
        pairs = tag_service.tag_pairs(
            [{"key": request.POST.get("key", "").strip(), "value": request.POST.get("value", "").strip()}]
        )
        tag_service.add_image_tag(request.actor, image_id=image_id, tags=pairs)

    def panel(self, request, image, *, error: str = "", status: int = 200):
        return render(
            request,
            "images/_detail_tags.html",
            {
                "image": image,
                "tags": list(ImageTag.objects.filter(image=image)),
                "tag_panel": True,
                "tag_error": error,
                "edit_refusal": rules.image_actions(request.actor, image)["tags"].reason,
                "max_tags": text.MAX_TAGS,
            },
            status=status,
        )


class TagDeleteView(TagPanelView):
    http_method_names = ["post"]

    def post(self, request, image_id, key=None):
        self.key = key
        return super().post(request, image_id)

    def act(self, request, image_id):
        tag_service.delete_image_tag(request.actor, image_id=image_id, key=self.key)
