"""The image detail page's action bar (copy, copy to region, export, delete) and the views its forms post to.

Buttons are enabled or disabled by the same `can()` and rules the services apply; each POST calls one service
and redirects to the job it started (or back to the image, with the refusal as a message).
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import ImsError
from iam.authz import can
from iam.models import Project
from iam.pages import ConsolePage
from images import rules, selectors
from images.services import copy, delete, export

CONSOLE_AGENCY = "ims_admin_agency"


def _refusal(actor, action: str, image, check):
    if not can(actor, action, image):
        return _("You have no permission for this action (%(action)s).") % {"action": action}
    refusal = check(image)
    return refusal.message if refusal is not None else ""


def _buckets(actor) -> list:
    from obs.models import Bucket

    return list(
        Bucket.objects.filter(account=actor.account, region=actor.project.region)
        .order_by("name")
        .values_list("name", flat=True)
    )


class ImageActionsView(ConsolePage):
    """htmx: the action bar of one of the caller's own images (other images get none)."""

    def get(self, request, image_id):
        actor = request.actor
        image = selectors.get_image(actor, image_id)
        if image.owner_id != actor.project.id:
            return render(request, "images/_detail_actions.html", {"image": image, "loaded": True})
        return render(
            request,
            "images/_detail_actions.html",
            {
                "image": image,
                "loaded": True,
                "own": True,
                "copy_refusal": _refusal(actor, "ims:images:copy", image, rules.copy_in_region_refusal),
                "cross_refusal": _refusal(actor, "ims:images:copy", image, rules.copy_cross_region_refusal),
                "export_refusal": _refusal(
                    actor, "ims:images:export", image, lambda i: rules.export_refusal(i, quick=None)
                ),
                "regions": Project.objects.filter(account=actor.account)
                .exclude(pk=actor.project.pk)
                .select_related("region")
                .order_by("region__position"),
                "buckets": _buckets(actor),
                "delete_refusal": _refusal(actor, "ims:images:delete", image, delete.deletion_refusal),
            },
        )


class _ImageJobPost(ConsolePage):
    """Calls one service on one of the caller's images; the job page follows, or the refusal as a message."""

    def body(self, post) -> dict:
        raise NotImplementedError

    def call(self, actor, image_id, body):
        raise NotImplementedError

    def post(self, request, image_id):
        try:
            job = self.call(request.actor, image_id, self.body(request.POST))
        except ImsError as error:
            if error.status == 404:
                raise  # no such image for this actor: the error page, not its detail page
            messages.error(request, error.message)
            return redirect("images:image_detail", image_id=image_id)
        return redirect("images:job_detail", job_id=job.id)


class CopyView(_ImageJobPost):
    def body(self, post):
        return {"name": post.get("name", ""), "description": post.get("description", "")}

    def call(self, actor, image_id, body):
        return copy.copy_image_in_region(actor, image_id=image_id, body=body)


class CrossRegionCopyView(_ImageJobPost):
    def body(self, post):
        region = post.get("region", "")
        return {
            "name": post.get("name", ""),
            "description": post.get("description", ""),
            "region": region,
            "project_name": region,
            "agency_name": CONSOLE_AGENCY,
        }

    def call(self, actor, image_id, body):
        return copy.copy_image_cross_region(actor, image_id=image_id, body=body)


class ExportView(_ImageJobPost):
    def body(self, post):
        body = {"bucket_url": f"{post.get('bucket', '')}:{post.get('key', '')}"}
        if post.get("file_format") == "quick":
            body["is_quick_export"] = True
        else:
            body["file_format"] = post.get("file_format", "")
        return body

    def call(self, actor, image_id, body):
        return export.export_image(actor, image_id=image_id, body=body)


class DeleteView(ConsolePage):
    def post(self, request, image_id):
        try:
            image = delete.glance_delete_image(request.actor, image_id=image_id)
        except ImsError as error:
            if error.status == 404:
                raise  # no such image for this actor (traced by the service): the error page
            messages.error(request, error.message)
            return redirect("images:image_detail", image_id=image_id)
        messages.success(request, _("Image %(name)s was deleted.") % {"name": image.name})
        return redirect(reverse("images:image_list") + "?imagetype=private")
