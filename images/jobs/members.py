"""The member jobs of the v1 batch calls: each (image, project) pair is changed on its own and reported in the job's
`results`; one refused pair fails the job (IMG.0612) after the others were done. A member job changes no image's
bytes, so a failure leaves its images as they were."""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ImsError
from iam.models import Project
from images.jobs.base import Runner
from images.models import Image, ImageMember
from images.services import jobs
from images.services.members import (
    ADD_JOB,
    DELETE_JOB,
    UPDATE_JOB,
    check_room,
    check_shareable,
    member_not_found,
)


class MemberRunner(Runner):
    job_types = (ADD_JOB, DELETE_JOB, UPDATE_JOB)
    first_phase = "members"
    related = ("project__region", "project__account")
    internal_error = gettext_lazy("The member change failed because of an internal error.")
    keeps_image = True

    def run(self) -> None:
        job = self.job
        if job.job_type == UPDATE_JOB:
            status = job.entities["status"]
            pairs = [(i, job.project_id) for i in job.entities.get("images", [])]
            self.run_pairs(lambda image, project_id: _set_status(image, project_id, status), pairs)
            return
        pairs = [(i, p) for i in job.entities.get("images", []) for p in job.entities.get("projects", [])]
        if job.job_type == ADD_JOB:
            self.run_pairs(lambda image, project_id: _add_pair(image, _project(project_id)), pairs)
        else:
            self.run_pairs(lambda image, project_id: _delete_pair(image, _project(project_id)), pairs)

    def run_pairs(self, step, pairs) -> None:
        results, errors = [], []
        for image_id, project_id in pairs:
            try:
                image = Image.objects.get(pk=image_id)
                step(image, project_id)
                results.append({"image_id": image_id, "project_id": project_id, "status": "success"})
            except (ImsError, Image.DoesNotExist) as error:
                message = getattr(error, "message", _("The image does not exist."))
                results.append({"image_id": image_id, "project_id": project_id, "status": "failed", "error": message})
                errors.append(message)
        if not errors:
            jobs.succeed(self.job, results=results)
            return
        reason = _("%(failed)d of %(total)d members could not be changed: %(first)s") % {
            "failed": len(errors),
            "total": len(results),
            "first": errors[0],
        }
        self.fail(ImsError("IMG.0612", reason), results=results)


def _add_pair(image: Image, project: Project) -> None:
    check_shareable(image, project)  # checked again: the grant on the image's key may be gone since the request
    if image.region_id != project.region_id:
        raise ImsError("IMG.0607", _("Images are shared within one region only."))
    # Locking the image row serialises concurrent adds, so two jobs cannot both take the last free place.
    with transaction.atomic():
        Image.objects.select_for_update().filter(pk=image.pk).first()
        if not ImageMember.objects.filter(image=image, project=project).exists():
            check_room(image, 1)
            ImageMember.objects.create(image=image, project=project)


def _delete_pair(image: Image, project: Project) -> None:
    deleted, _rows = ImageMember.objects.filter(image=image, project=project).delete()
    if not deleted:
        raise member_not_found(project.id)


def _project(project_id: str) -> Project:
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        raise ImsError("IMG.0606", _("Project %(id)s does not exist.") % {"id": project_id})
    return project


def _set_status(image: Image, project_id: str, status: str) -> None:
    member = ImageMember.objects.filter(image=image, project_id=project_id).first()
    if member is None:
        raise member_not_found(project_id)
    member.status = status
    member.save(update_fields=["status", "updated_at"])
