"""Sharing an image with projects of other accounts: members are added and removed by the owner, and accept or
reject the image themselves. The v1 batch calls answer with a job; the Glance calls act at once.

Refusal codes: IMG.0601 image not private or not active · IMG.0602 encrypted · IMG.0603 published to the market ·
IMG.0604 whole-machine image · IMG.0605 too many members · IMG.0606 unknown project · IMG.0607 project of
another region · IMG.0608 project of the owner's own account · IMG.0609 not a member · IMG.0610 only the member
may change its status · IMG.0611 already a member · IMG.0612 a job pair failed.

Whole-machine images (10 members at most) are shareable only when made from a server or a cloud backup. The
service cannot make whole-machine images yet, so `is_whole_image()` recognises none and the rule stays dormant.
"""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ImsError
from iam.models import Project
from iam.operations import operation
from images import selectors
from images.choices import ImageStatus, ImageType, MemberStatus
from images.models import Image, ImageMember, Job, JobStatus
from images.runners import runner
from images.services import jobs

logger = logging.getLogger(__name__)

MAX_MEMBERS = 128
MAX_WHOLE_IMAGE_MEMBERS = 10
MAX_BATCH = 100
MEMBER_SCHEMA = "/v2/schemas/member"
ADD_JOB, UPDATE_JOB, DELETE_JOB = "addImageMember", "updateImageMember", "deleteImageMember"


# ---- rules -------------------------------------------------------------------------------------------------


def share_refusal(image: Image) -> ImsError | None:
    """Why `image` cannot be shared, or None. The console shows the message on the disabled button."""
    if image.image_type != ImageType.PRIVATE:
        return ImsError("IMG.0601", _("Only private images can be shared."))
    if image.status != ImageStatus.ACTIVE:
        return ImsError("IMG.0601", _("Only images in the Normal state can be shared."))
    if image.encrypted:
        return ImsError("IMG.0602", _("Encrypted images cannot be shared."))
    if image.system_support_market:
        return ImsError("IMG.0603", _("Images published to the market cannot be shared."))
    if is_whole_image(image):
        # Whole-machine images are shareable only when made from a server or a cloud backup; this service
        # cannot make them yet, so none qualifies.
        return ImsError(
            "IMG.0604",
            _("This whole-machine image was not created from a server or a cloud backup and cannot be shared."),
        )
    return None


def is_whole_image(image: Image) -> bool:
    return image.virtual_env_type == "WholeImage"


def member_limit(image: Image) -> int:
    return MAX_WHOLE_IMAGE_MEMBERS if is_whole_image(image) else MAX_MEMBERS


def check_shareable(image: Image) -> None:
    refusal = share_refusal(image)
    if refusal is not None:
        raise refusal


def check_member_project(actor, project_id) -> Project:
    """A project another account holds in the owner's region."""
    project = Project.objects.select_related("account").filter(pk=str(project_id)).first()
    if project is None:
        raise ImsError("IMG.0606", _("Project %(id)s does not exist.") % {"id": project_id})
    if project.region_id != actor.region.id:
        raise ImsError(
            "IMG.0607",
            _("Project %(id)s is in another region: images are shared within one region only.") % {"id": project_id},
        )
    if project.account_id == actor.account.id:
        raise ImsError(
            "IMG.0608",
            _("Project %(id)s belongs to your own account: share with projects of other accounts.")
            % {"id": project_id},
        )
    return project


def check_room(image: Image, adding: int) -> None:
    if image.members.count() + adding > member_limit(image):
        raise ImsError("IMG.0605", _("An image can have at most %(n)d members.") % {"n": member_limit(image)})


def member_not_found(member_id) -> ImsError:
    return ImsError("IMG.0609", _("Project %(id)s is not a member of this image.") % {"id": member_id}, 404)


def _id_list(body_name: str, values, *, required: bool = True) -> list[str]:
    if values in (None, []) and not required:
        return []
    if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
        raise ImsError("IMG.0001", _("%(field)s must be a non-empty list of ids.") % {"field": body_name})
    if len(values) > MAX_BATCH:
        raise ImsError("IMG.0001", _("%(field)s holds at most %(n)d ids.") % {"field": body_name, "n": MAX_BATCH})
    return list(dict.fromkeys(values))


def _status(value) -> str:
    if value not in (MemberStatus.ACCEPTED, MemberStatus.REJECTED):
        raise ImsError("IMG.0001", _("status must be accepted or rejected."))
    return value


def _unsupported_targets(body: dict) -> None:
    if body.get("domains") or body.get("organizations"):
        raise ImsError("IMG.0001", _("Only projects can be members here: domains and organizations are not supported."))


# ---- v1 batch operations (asynchronous) ----------------------------------------------------------------------


def _own_images(actor, image_ids: list[str]) -> list[Image]:
    return [selectors.get_own_image(actor, image_id) for image_id in image_ids]


def _queue(actor, job_type: str, images: list[Image], **entities) -> Job:
    job = jobs.new_job(
        actor, job_type, images[0] if len(images) == 1 else None, images=[str(image.id) for image in images], **entities
    )
    jobs.enqueue(job)
    return job


@operation("batch_add_members", summary=lambda kw: {"images": kw.get("images"), "projects": kw.get("projects")})
def batch_add_members(actor, *, images: list, projects: list, domains=None, organizations=None) -> Job:
    _unsupported_targets({"domains": domains, "organizations": organizations})
    image_ids, project_ids = _id_list("images", images), _id_list("projects", projects)
    targets = _own_images(actor, image_ids)
    members = [check_member_project(actor, project_id) for project_id in project_ids]
    for image in targets:
        check_shareable(image)
        new = [m for m in members if not image.members.filter(project=m).exists()]
        check_room(image, len(new))
    return _queue(actor, ADD_JOB, targets, projects=project_ids)


@operation("batch_delete_members", summary=lambda kw: {"images": kw.get("images"), "projects": kw.get("projects")})
def batch_delete_members(actor, *, images: list, projects: list, domains=None, organizations=None) -> Job:
    _unsupported_targets({"domains": domains, "organizations": organizations})
    image_ids, project_ids = _id_list("images", images), _id_list("projects", projects)
    targets = _own_images(actor, image_ids)
    return _queue(actor, DELETE_JOB, targets, projects=project_ids)


@operation("batch_update_members", summary=lambda kw: {"images": kw.get("images"), "status": kw.get("status")})
def batch_update_members(
    actor, *, images: list, status: str, project_id: str | None = None, vault_id: str | None = None
) -> Job:
    status = _status(status)
    if project_id not in (None, "") and project_id != actor.project.id:
        raise ImsError("IMG.0610", _("Only the member itself may accept or reject a shared image."), 403)
    targets = []
    for image_id in _id_list("images", images):
        image = selectors.get_image(actor, image_id)
        if not image.members.filter(project=actor.project).exists():
            raise member_not_found(actor.project.id)
        targets.append(image)
    return _queue(actor, UPDATE_JOB, targets, status=status, project_id=actor.project.id)


def _add_pair(image: Image, project: Project) -> None:
    check_shareable(image)
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


def _run_pairs(job: Job, step, pairs) -> None:
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
        jobs.succeed(job, results=results)
        return
    reason = _("%(failed)d of %(total)d members could not be changed: %(first)s") % {
        "failed": len(errors),
        "total": len(results),
        "first": errors[0],
    }
    _fail(job, "IMG.0612", reason, results=results)


def _fail(job: Job, code: str, reason: str, **entities) -> None:
    # Not jobs.fail(): that one puts the job's image in the error state, and a refused share must leave the
    # image as it was.
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.FAIL,
        end_time=timezone.now(),
        error_code=code,
        fail_reason=reason,
        entities={**job.entities, **entities},
    )


@runner(ADD_JOB, DELETE_JOB, UPDATE_JOB)
def run_member_job(job_id: str) -> None:
    job = Job.objects.select_related("project__region", "project__account").filter(pk=job_id).first()
    if job is None or not jobs.start(job, "members"):
        return
    pairs = [(i, p) for i in job.entities.get("images", []) for p in job.entities.get("projects", [])]
    try:
        if job.job_type == UPDATE_JOB:
            status = job.entities["status"]
            pairs = [(i, job.project_id) for i in job.entities.get("images", [])]
            _run_pairs(job, lambda image, project_id: _set_status(image, project_id, status), pairs)
        elif job.job_type == ADD_JOB:
            _run_pairs(job, lambda image, project_id: _add_pair(image, _project(project_id)), pairs)
        else:
            _run_pairs(job, lambda image, project_id: _delete_pair(image, _project(project_id)), pairs)
    except Exception:
        logger.exception("member job %s failed", job_id)
        _fail(job, "IMG.0899", _("The member change failed because of an internal error."))


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


# ---- reads ---------------------------------------------------------------------------------------------------


@dataclass
class MemberPage:
    items: list
    next_marker: str | None


def members_visible(actor, image: Image):
    """The owner sees every member; a member sees only its own membership."""
    members = image.members.select_related("project").order_by("created_at", "id")
    if image.owner_id == actor.project.id:
        return members
    return members.filter(project=actor.project)


def _image_for_members(actor, image_id) -> Image:
    image = selectors.get_image(actor, image_id)
    if image.owner_id != actor.project.id and not image.members.filter(project=actor.project).exists():
        raise selectors.image_not_found(image_id)  # a public image has no members the actor may see
    return image


@operation("list_image_members")
def list_image_members(actor, *, image_id, limit=None, marker=None) -> MemberPage:
    image = _image_for_members(actor, image_id)
    size = selectors.parse_limit(limit, default=MAX_MEMBERS)
    members = members_visible(actor, image)
    if marker:
        anchor = members.filter(project_id=marker).first()
        if anchor is None:
            raise ImsError("IMG.0001", _("marker must be the id of a member in the list."))
        members = members.filter(id__gt=anchor.id)
    rows = list(members[: size + 1])
    next_marker = rows[size - 1].project_id if len(rows) > size else None
    return MemberPage(rows[:size], next_marker)


@operation("show_image_member")
def show_image_member(actor, *, image_id, member_id) -> ImageMember:
    image = _image_for_members(actor, image_id)
    member = members_visible(actor, image).filter(project_id=member_id).first()
    if member is None:
        raise member_not_found(member_id)
    return member


@operation("glance_list_image_members")
def glance_list_image_members(actor, *, image_id, limit=None, marker=None) -> MemberPage:
    return list_image_members.__wrapped__(actor, image_id=image_id, limit=limit, marker=marker)


@operation("glance_show_image_member")
def glance_show_image_member(actor, *, image_id, member_id) -> ImageMember:
    return show_image_member.__wrapped__(actor, image_id=image_id, member_id=member_id)


# ---- Glance changes (synchronous) ------------------------------------------------------------------------------


@operation("glance_add_image_member", find=selectors.get_own_image, summary=lambda kw: {"member": kw.get("member_id")})
def glance_add_image_member(actor, *, image: Image, member_id) -> ImageMember:
    check_shareable(image)
    project = check_member_project(actor, member_id)
    if image.members.filter(project=project).exists():
        raise ImsError("IMG.0611", _("Project %(id)s is already a member of this image.") % {"id": member_id}, 409)
    check_room(image, 1)
    return ImageMember.objects.create(image=image, project=project)


@operation(
    "glance_update_image_member",
    find=selectors.get_image,
    summary=lambda kw: {"member": kw.get("member_id"), "status": kw.get("status")},
)
def glance_update_image_member(actor, *, image: Image, member_id, status) -> ImageMember:
    status = _status(status)
    member = image.members.filter(project_id=str(member_id)).first()
    if member is None or (image.owner_id != actor.project.id and member.project_id != actor.project.id):
        raise member_not_found(member_id)
    if member.project_id != actor.project.id:
        raise ImsError("IMG.0610", _("Only the member itself may accept or reject a shared image."), 403)
    member.status = status
    member.save(update_fields=["status", "updated_at"])
    return member


@operation(
    "glance_delete_image_member", find=selectors.get_own_image, summary=lambda kw: {"member": kw.get("member_id")}
)
def glance_delete_image_member(actor, *, image: Image, member_id) -> None:
    deleted, _rows = image.members.filter(project_id=str(member_id)).delete()
    if not deleted:
        raise member_not_found(member_id)


def member_body(member: ImageMember) -> dict:
    from images.api.representations import utc

    return {
        "status": member.status,
        "created_at": utc(member.created_at),
        "updated_at": utc(member.updated_at),
        "image_id": str(member.image_id),
        "member_id": member.project_id,
        "schema": MEMBER_SCHEMA,
        "member_type": member.member_type,
    }


def pending_shares(actor):
    """The member's inbox: images shared with its project it has not answered yet."""
    mine = ImageMember.objects.filter(image=OuterRef("pk"), project=actor.project)
    return (
        Image.objects.visible_to(actor)
        .exclude(owner=actor.project)
        .filter(Exists(mine.filter(status=MemberStatus.PENDING)))
        .annotate(shared_at=Subquery(mine.values("created_at")[:1]))
        .order_by("-shared_at")
    )
