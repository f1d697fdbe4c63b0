"""The image's action bar (modify, share, copy, copy to region, export, tags, delete) and the dialogs of its jobs.

Buttons are enabled or disabled by `rules.image_actions`, the permission checks and rules the services apply; each
dialog is the URL its form posts to. From a dialog (htmx) a refusal is drawn beside its field; a plain form post
(no script) returns to the image with the refusal as a message, as it always has.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.errors import ImsError
from iam.models import Project
from iam.operations import trace_refused_attempt
from iam.pages import ConsolePage
from images import rules, selectors
from images.choices import MemberStatus
from images.forms import CopyForm, CrossRegionCopyForm, ExportForm
from images.services import copy, delete, export
from images.views.dialogs import ImageDialog, success
from kms.selectors import encryption_choices


def _buckets(actor) -> list:
    from obs.models import Bucket

    return list(
        Bucket.objects.filter(account=actor.account, region=actor.project.region)
        .order_by("name")
        .values_list("name", flat=True)
    )


def _other_regions(actor):
    return (
        Project.objects.filter(account=actor.account)
        .exclude(pk=actor.project.pk)
        .select_related("region")
        .order_by("region__position")
    )


class ImageActionsView(ConsolePage):
    """htmx: the action bar of one of the caller's own images (other images get none)."""

    def get(self, request, image_id):
        actor = request.actor
        image = selectors.get_image(actor, image_id)
        if image.owner_id != actor.project.id:
            return render(request, "images/_detail_actions.html", {"image": image, "loaded": True})
        return render(request, "images/_detail_actions.html", {"loaded": True, **row_actions(actor, image)})


class ImageRowMenuView(ConsolePage):
    """htmx: the "More" menu of one row of the private list, loaded when it is first opened."""

    def get(self, request, image_id):
        image = selectors.get_own_image(request.actor, image_id)
        return render(request, "images/_row_menu.html", row_actions(request.actor, image))


def row_actions(actor, image) -> dict:
    """Every action button of one own image: its dialog, or the reason it is disabled (`image_actions`)."""
    actions = rules.image_actions(actor, image)
    reasons = {name: action.reason for name, action in actions.items()}
    if not reasons["copy_region"] and not _other_regions(actor).exists():
        reasons["copy_region"] = _("The account has no project in another region.")
    if not reasons["export"] and not _buckets(actor):
        reasons["export"] = _("Create a bucket in this region first.")
    return {"image": image, "own": True, "reasons": reasons}


class _ImageJobDialog(ImageDialog):
    """A dialog whose service starts a job: the job's page follows."""

    service = None

    def post(self, request, image_id):
        if request.htmx:
            return super().post(request, image_id)
        form = self.form_class(request.POST)
        if not form.is_valid():
            message = next(iter(form.errors.values()))[0]
            self.form_refused(request, image_id, message)
            return self.refused(request, image_id, message)
        try:
            job = type(self).service(request.actor, image_id=image_id, **form.cleaned_data)
        except ImsError as error:
            if error.status == 404:
                raise  # no such image for this actor: the error page, not its detail page
            return self.refused(request, image_id, error.message)
        return redirect("images:job_detail", job_id=job.id)

    def form_refused(self, request, image_id, message: str) -> None:
        op = type(self).service.operation
        trace_refused_attempt(op, request.actor, target_id=str(image_id), error=ImsError("IMG.0001", message))

    def submit(self, request, image, form) -> str:
        job = type(self).service(request.actor, image_id=image.pk, **form.cleaned_data)
        return reverse("images:job_detail", args=[job.id])

    def refused(self, request, image_id, message: str):
        messages.error(request, message)
        return redirect("images:image_detail", image_id=image_id)


class CopyView(_ImageJobDialog):
    action = "copy"
    template_name = "images/_copy_dialog.html"
    form_class = CopyForm
    service = staticmethod(copy.copy_image_in_region)

    def extra_context(self, request, image) -> dict:
        return {"encryption": encryption_choices(request.actor)}


class CrossRegionCopyView(_ImageJobDialog):
    action = "copy_region"
    template_name = "images/_copy_region_dialog.html"
    form_class = CrossRegionCopyForm
    service = staticmethod(copy.copy_image_cross_region)

    def extra_context(self, request, image) -> dict:
        language = get_language() or "en"
        return {"destinations": [(p.region_id, p.region.display_name(language)) for p in _other_regions(request.actor)]}


class ExportView(_ImageJobDialog):
    action = "export"
    template_name = "images/_export_dialog.html"
    form_class = ExportForm
    service = staticmethod(export.export_image)

    def extra_context(self, request, image) -> dict:
        formats = [("qcow2", "QCOW2"), ("vmdk", "VMDK"), ("vhd", "VHD")]
        if not image.encrypted:
            formats.append(("quick", _("RAW (quick export)")))
        return {"buckets": _buckets(request.actor), "formats": formats}

    def field_of(self, form):
        return {"bucket_url": "key", "file_format": "file_format"}.get


class DeleteView(ImageDialog):
    """Asks first, naming the projects the image is shared with: they lose it too."""

    action = "delete"
    template_name = "images/_delete_dialog.html"
    form_class = forms.Form

    def post(self, request, image_id):
        if request.htmx:
            return super().post(request, image_id)
        try:
            self.submit(request, None, None, image_id=image_id)
        except ImsError as error:
            if error.status == 404:
                raise  # no such image for this actor (traced by the service): the error page
            messages.error(request, error.message)
            return redirect("images:image_detail", image_id=image_id)
        return redirect(self.after)

    after = property(lambda self: reverse("images:image_list") + "?imagetype=private")

    def submit(self, request, image, form, image_id=None) -> str:
        image = delete.glance_delete_image(request.actor, image_id=image_id or image.pk)
        success(request, _("Image %(name)s was deleted.") % {"name": image.name})
        return self.after

    def extra_context(self, request, image) -> dict:
        members = image.members.filter(status__in=(MemberStatus.ACCEPTED, MemberStatus.PENDING)).order_by("created_at")
        return {"members": list(members)}
