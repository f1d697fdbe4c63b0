"""Console: the "Create private image" wizard (with its dry run); the job pages live in `console_jobs`."""

from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from core.errors import ImsError
from iam.authz import can, scope
from iam.pages import ConsolePage, error_page
from images.forms import EMPTY_OS, CreateImageForm, plain
from images.services import imports
from images.services.dry_run import check_image_file
from kms.selectors import encryption_choices

SERVICES = {
    "system": imports.create_image,
    "iso": imports.create_image,
    "data": imports.create_data_image,
    "fast": imports.import_image_quick,
}
DECLARED_FORMATS = {"iso": "iso", "fast": "raw"}


def bucket_objects(actor) -> list[str]:
    """The files the actor may read in this region's buckets (none without object-storage permission)."""
    from obs.models import StoredObject

    rows = scope(actor, "obs:objects:list", StoredObject.objects.select_related("bucket")).order_by(
        "bucket__name", "key"
    )[:500]
    return [f"{row.bucket.name}:{row.key}" for row in rows]


def may_create(actor) -> bool:
    return can(actor, "ims:serverImages:create") or can(actor, "ims:dataImages:create")


NO_CREATE = _(
    "Your user may not create images in this region. Ask an administrator of your account for IMS FullAccess here."
)


class CreateImageView(ConsolePage):
    template = "images/image_create.html"

    def dispatch(self, request, *args, **kwargs):
        if getattr(request, "actor", None) is not None and not may_create(request.actor):
            return error_page(request, 403, NO_CREATE)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        form = CreateImageForm(
            objects=bucket_objects(request.actor),
            encryption=encryption_choices(request.actor),
            initial={"image_url": request.GET.get("url")},
        )
        return self.page(request, form)

    def page(self, request, form, status=200):
        return render(
            request,
            self.template,
            {"form": form, "tab": "private", "empty_os": EMPTY_OS},
            status=status,
        )

    def post(self, request):
        form = CreateImageForm(
            request.POST, objects=bucket_objects(request.actor), encryption=encryption_choices(request.actor)
        )
        if form.is_valid():
            try:
                job = SERVICES[form.cleaned_data["kind"]](request.actor, **form.service_arguments())
            except ImsError as error:
                form.add_error(None, f"{plain(error.message)} ({error.code})")
            else:
                return redirect("images:job_detail", job_id=job.id)
        return self.page(request, form, status=400)


class DryRunView(ConsolePage):
    """htmx: inspects the chosen file and shows format, size, safety verdict and quota impact, for the caller
    who may make the submission the chosen kind leads to."""

    def post(self, request):
        url, kind = request.POST.get("image_url", ""), request.POST.get("kind", "system")
        if not url:
            return render(request, "images/_dry_run.html", {"missing": True})
        submission = SERVICES.get(kind, SERVICES["system"]).operation.name
        try:
            result = check_image_file(
                request.actor, url=url, operation=submission, declared_format=DECLARED_FORMATS.get(kind)
            )
        except ImsError as error:
            return render(request, "images/_dry_run.html", {"error": error})
        return render(request, "images/_dry_run.html", {"result": result})
