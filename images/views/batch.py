"""Batch actions of the private list: delete or tag the ticked images, each through the same service as one
image's button, with a result per image (one refusal does not stop the others)."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from core.errors import ImsError
from iam.pages import ConsolePage
from images import selectors
from images.choices import MemberStatus
from images.models import ImageMember
from images.services import delete
from images.services import tags as tag_service
from images.views.dialogs import split_field

MAX_BATCH = 100  # the largest page of the list
ACTIONS = ("delete", "tag")


def _back(request) -> str:
    target = request.POST.get("back", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("images:image_list") + "?imagetype=private"


def _chosen(actor, ids) -> list:
    """The ticked images the actor may act on, in the order ticked; unknown ids are dropped (not found)."""
    images = []
    for image_id in dict.fromkeys(ids[:MAX_BATCH]):
        try:
            images.append(selectors.get_own_image(actor, image_id))
        except ImsError:
            continue
    return images


def _shared_with(images) -> dict:
    """For the delete confirmation: the member projects of each image, which lose it too."""
    members: dict = {}
    live = (MemberStatus.ACCEPTED, MemberStatus.PENDING)
    for image_id, project_id in ImageMember.objects.filter(image__in=images, status__in=live).values_list(
        "image_id", "project_id"
    ):
        members.setdefault(image_id, []).append(project_id)
    return members


class BatchView(ConsolePage):
    """POST once to ask (confirmation, or the tag to add), again with `confirm` to act; the results follow."""

    def post(self, request):
        action = request.POST.get("action", "")
        images = _chosen(request.actor, request.POST.getlist("image_id"))
        context = {"action": action, "images": images, "back_url": _back(request), "errors": {}}
        if action not in ACTIONS or not images:
            context["error"] = _("Choose at least one of your images, then an action.")
            return self.show(request, context)
        if action == "delete":
            context["members"] = _shared_with(images)
        if not request.POST.get("confirm"):
            return self.show(request, context)
        run = self.delete_each if action == "delete" else self.tag_each
        return run(request, images, context)

    def delete_each(self, request, images, context):
        context["results"] = [
            self.outcome(image, lambda image: delete.glance_delete_image(request.actor, image_id=image.pk))
            for image in images
        ]
        return self.show(request, context)

    def tag_each(self, request, images, context):
        key, value = request.POST.get("key", "").strip(), request.POST.get("value", "").strip()
        context.update(key=key, value=value)
        try:
            pairs = tag_service.tag_pairs([{"key": key, "value": value}])
        except ImsError as error:
            field, message = split_field(error.message)
            context["errors"] = {"value" if field.endswith("value") else "key": message}
            return self.show(request, context)
        context["results"] = [
            self.outcome(image, lambda image: tag_service.add_image_tag(request.actor, image_id=image.pk, tags=pairs))
            for image in images
        ]
        return self.show(request, context)

    @staticmethod
    def outcome(image, act) -> dict:
        try:
            act(image)
        except ImsError as error:
            return {"image": image, "ok": False, "message": error.message}
        return {"image": image, "ok": True, "message": ""}

    def show(self, request, context):
        context["dialog_url"] = request.path
        context["dialog_template"] = "images/_batch_dialog.html"
        if request.htmx:
            return render(request, "images/_batch_dialog.html", context)
        return render(request, "images/image_dialog_page.html", context)
