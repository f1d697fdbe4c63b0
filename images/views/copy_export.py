"""The image detail page's action bar (copy, copy to region, export, delete) and the views its forms post to.

Buttons are enabled or disabled by the same `can()` and rules the services apply; each POST calls one service
and redirects to the job it started (or back to the image, with the refusal as a message).
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import ImsError
from iam.models import Project
from iam.operations import trace_refused_attempt
from iam.pages import ConsolePage
from images import rules, selectors
from images.forms import CopyForm, CrossRegionCopyForm, ExportForm
from images.services import copy, delete, export


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
        actions = rules.image_actions(actor, image)
        return render(
            request,
            "images/_detail_actions.html",
            {
                "image": image,
                "loaded": True,
                "own": True,
                "copy_refusal": actions["copy"].reason,
                "cross_refusal": actions["copy_region"].reason,
                "export_refusal": actions["export"].reason,
                "regions": Project.objects.filter(account=actor.account)
                .exclude(pk=actor.project.pk)
                .select_related("region")
                .order_by("region__position"),
                "buckets": _buckets(actor),
                "delete_refusal": actions["delete"].reason,
            },
        )


class _ImageJobPost(ConsolePage):
    """Calls one service on one of the caller's images with what its form cleaned; the job page follows, or the
    refusal (the form's or the service's) as a message on the image's page."""

    form_class = None
    service = None

    def post(self, request, image_id):
        form = self.form_class(request.POST)
        if not form.is_valid():
            message = next(iter(form.errors.values()))[0]
            op = type(self).service.operation
            trace_refused_attempt(op, request.actor, target_id=str(image_id), error=ImsError("IMG.0001", message))
            return self.refused(request, image_id, message)
        try:
            job = type(self).service(request.actor, image_id=image_id, **form.cleaned_data)
        except ImsError as error:
            if error.status == 404:
                raise  # no such image for this actor: the error page, not its detail page
            return self.refused(request, image_id, error.message)
        return redirect("images:job_detail", job_id=job.id)

    def refused(self, request, image_id, message: str):
        messages.error(request, message)
        return redirect("images:image_detail", image_id=image_id)


class CopyView(_ImageJobPost):
    form_class = CopyForm
    service = staticmethod(copy.copy_image_in_region)


class CrossRegionCopyView(_ImageJobPost):
    form_class = CrossRegionCopyForm
    service = staticmethod(copy.copy_image_cross_region)


class ExportView(_ImageJobPost):
    form_class = ExportForm
    service = staticmethod(export.export_image)


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
