"""Console: the job centre (list, live rows, detail, cancel) and the image list's CSV download."""

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ImsError
from iam.authz import can
from iam.catalogue import operation
from iam.models import Region
from iam.pages import ConsolePage
from images import selectors
from images.choices import ImageStatus
from images.models import ACTIVE_JOB_STATES, Image, Job, JobStatus
from images.services import jobs as job_life
from images.services.copy import CROSS_REGION_JOB, IN_REGION_JOB
from images.services.job_reasons import reason_text

(CANCEL_ACTION,) = operation("cancel_job").actions
PAGE_SIZE = 20
# Known job types; others are named by what their name says (see `job_type_label`).
JOB_TYPES = {
    "createImageByFile": gettext_lazy("Import system disk image"),
    "createDataImageByFile": gettext_lazy("Import data disk image"),
    "createIsoImage": gettext_lazy("Register ISO image"),
    "importImageQuick": gettext_lazy("Fast import"),
    "registerImage": gettext_lazy("Register image file"),
    "uploadImage": gettext_lazy("Upload image file"),
    "createImageByInstance": gettext_lazy("Create image from server"),
    "copyImageInRegion": gettext_lazy("Copy image"),
    "copyImageCrossRegion": gettext_lazy("Cross-region copy"),
    "exportImage": gettext_lazy("Export image"),
    "addImageMember": gettext_lazy("Share image"),
    "updateImageMember": gettext_lazy("Accept or reject shared image"),
    "deleteImageMember": gettext_lazy("Stop sharing image"),
}
KINDS = (
    ("cross", gettext_lazy("Cross-region copy")),
    ("copy", gettext_lazy("Copy image")),
    ("export", gettext_lazy("Export image")),
    ("member", gettext_lazy("Share image")),
    ("share", gettext_lazy("Share image")),
    ("import", gettext_lazy("Import image")),
)


# The phases the runners report, in the page's language.
PHASES = {
    "run": gettext_lazy("starting"),
    "fetch": gettext_lazy("fetching the file"),
    "inspect": gettext_lazy("inspecting"),
    "store": gettext_lazy("storing"),
    "storing": gettext_lazy("storing"),
    "converting": gettext_lazy("converting"),
    "copy": gettext_lazy("copying"),
    "rebuild": gettext_lazy("rebuilding the disk"),
    "upload": gettext_lazy("writing the file"),
    "members": gettext_lazy("updating members"),
    "done": gettext_lazy("done"),
}


def job_type_label(job_type: str) -> str:
    if job_type in JOB_TYPES:
        return str(JOB_TYPES[job_type])
    lowered = job_type.lower()
    return next((str(label) for word, label in KINDS if word in lowered), job_type)


def eta(job: Job, now=None) -> timedelta | None:
    """Time left at the rate the job has moved its bytes since it began; None when it cannot be told."""
    if job.status != JobStatus.RUNNING or not job.begin_time or not 0 < job.bytes_done < job.bytes_total:
        return None
    elapsed = ((now or timezone.now()) - job.begin_time).total_seconds()
    if elapsed <= 0:
        return None
    return timedelta(seconds=round((job.bytes_total - job.bytes_done) * elapsed / job.bytes_done))


def _decorate(jobs, actor) -> list[Job]:
    may_cancel, now = can(actor, CANCEL_ACTION), timezone.now()
    copies, regions = _copies_of(jobs), _region_names(jobs)
    for job in jobs:
        job.type_label, job.eta = job_type_label(job.job_type), eta(job, now)
        job.active = job.status in ACTIVE_JOB_STATES
        job.phase_label = str(PHASES.get(job.phase, job.phase))
        # Reasons are stored in English, with their catalogue entry and values: shown in the page's language.
        job.reason_label = reason_text(job)
        job.image_deleted = job.image is not None and job.image.status == ImageStatus.DELETED
        job.copy = copies.get(job.entities.get("image_id")) if job.job_type in COPY_JOBS else None
        job.destination = regions.get(job.entities.get("region"), "")
        job.cancel_refused = (
            job_life.why_not_cancellable(job) if may_cancel else _("Your user may not change images in this region.")
        )
    return jobs


COPY_JOBS = (IN_REGION_JOB, CROSS_REGION_JOB)


def _copies_of(jobs) -> dict:
    """The new images of copy jobs (a copy job's `image` is its source), in one query."""
    ids = [job.entities.get("image_id") for job in jobs if job.job_type in COPY_JOBS and job.entities.get("image_id")]
    return {str(image.pk): image for image in Image.objects.filter(pk__in=ids)} if ids else {}


def _region_names(jobs) -> dict:
    """Destination regions of cross-region copies, named as the header names them."""
    ids = {job.entities.get("region") for job in jobs if job.job_type == CROSS_REGION_JOB} - {None}
    language = translation.get_language() or "en"
    return {region.pk: region.display_name(language) for region in Region.objects.filter(pk__in=ids)} if ids else {}


class JobListView(ConsolePage):
    def get(self, request):
        actor = request.actor
        jobs = Job.objects.visible_to(actor)
        types = sorted(jobs.order_by().values_list("job_type", flat=True).distinct())
        status, job_type = request.GET.get("status", ""), request.GET.get("type", "")
        if status in JobStatus.values:
            jobs = jobs.filter(status=status)
        if job_type in types:
            jobs = jobs.filter(job_type=job_type)
        page = Paginator(jobs.select_related("image").order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        query = {key: value for key, value in (("status", status), ("type", job_type)) if value}
        return render(
            request,
            "images/job_list.html",
            {
                "page": page,
                "jobs": _decorate(list(page), actor),
                "nav": "jobs",
                "statuses": JobStatus.choices,
                "types": [(value, job_type_label(value)) for value in types],
                "status": status,
                "type": job_type,
                "query": urlencode(query),
            },
        )


class JobRowView(ConsolePage):
    """htmx: one row of the job list, polled while the job runs."""

    def get(self, request, job_id):
        job = selectors.get_job(request.actor, job_id)
        return render(request, "images/_job_rows.html", {"jobs": _decorate([job], request.actor)})


class JobDetailView(ConsolePage):
    def get(self, request, job_id):
        job = _decorate([selectors.get_job(request.actor, job_id)], request.actor)[0]
        template = "images/_job_progress.html" if request.htmx else "images/job_detail.html"
        return render(request, template, {"job": job, "nav": "jobs"})


class JobCancelView(ConsolePage):
    def post(self, request, job_id):
        # The service finds the job: another project's job is "not found", and that attempt is traced too. A
        # missing permission propagates to ConsolePage, which answers with its 403 page.
        if self._already_ended(request.actor, job_id):
            # A button left over on a page drawn while the job ran: not an attempt to cancel an ended job.
            messages.info(request, _("This job has already ended."))
            return self._back(request, job_id)
        try:
            job_life.cancel_job(request.actor, job_id=job_id)
        except ImsError as error:
            if error.status in (403, 404):
                raise
            messages.error(request, f"{error.message} ({error.code})")
        else:
            messages.success(request, _("Job %(id)s cancelled.") % {"id": job_id})
        return self._back(request, job_id)

    @staticmethod
    def _already_ended(actor, job_id) -> bool:
        if not can(actor, CANCEL_ACTION):
            return False  # the service traces the refusal
        job = Job.objects.visible_to(actor).filter(pk=job_id).only("status").first()
        return job is not None and job.status not in ACTIVE_JOB_STATES

    @staticmethod
    def _back(request, job_id):
        target = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
            return redirect(target)
        return redirect("images:job_detail", job_id=job_id)
