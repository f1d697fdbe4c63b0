"""Sharing an image with other projects of its region, of other accounts or of its own: members are added and
removed by the owner, and accept or reject the image themselves. The v1 batch calls answer with a job; the Glance
calls act at once.

Refusal codes: IMG.0601 image not private or not active · IMG.0602 encrypted · IMG.0603 published to the market ·
IMG.0604 whole-machine image · IMG.0605 too many members · IMG.0606 unknown project · IMG.0607 project of
another region · IMG.0608 the image's own project · IMG.0609 not a member · IMG.0610 only the member
may change its status · IMG.0611 already a member · IMG.0612 a job pair failed.

Whole-machine images (`rules.is_whole_machine`, 10 members at most) are shareable only when made from a server or
a cloud (CBR) backup: their data origin names the server or the backup (`rules.WHOLE_IMAGE_SHAREABLE_ORIGINS`).

The API's input serializers (images/api/inputs/members.py) parse the wire bodies; these functions take typed ids.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.utils.translation import gettext as _

from core.errors import ImsError
from iam.actors import Actor
from iam.models import Project
from iam.operations import operation
from images import selectors
from images.choices import MemberStatus
from images.models import Image, ImageMember, Job
from images.rules import MAX_MEMBERS, member_key_refusal, member_limit, share_refusal
from images.services import jobs

# What a member may answer: it accepts or rejects; "pending" is where every share starts.
ANSWERS = (MemberStatus.ACCEPTED, MemberStatus.REJECTED)
ADD_JOB, UPDATE_JOB, DELETE_JOB = "addImageMember", "updateImageMember", "deleteImageMember"


# ---- rules -------------------------------------------------------------------------------------------------


def check_shareable(image: Image, project: Project | None = None, *, glance: bool = False) -> None:
    """`project`, when given: the member about to be added (an image's custom key must be granted to it)."""
    refusal = share_refusal(image, glance=glance) or (
        member_key_refusal(image, project) if project is not None else None
    )
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
    # Another project of the owner's own account is a member like any other (Glance allows it; Tempest's alt
    # project is in the same domain); only the image's own project cannot be one.
    if project.pk == actor.project.id:
        raise ImsError(
            "IMG.0608", _("Project %(id)s owns the image: share it with other projects.") % {"id": project_id}
        )
    return project


def check_room(image: Image, adding: int) -> None:
    if image.members.count() + adding > member_limit(image):
        raise ImsError("IMG.0605", _("An image can have at most %(n)d members.") % {"n": member_limit(image)})


def member_not_found(member_id) -> ImsError:
    return ImsError("IMG.0609", _("Project %(id)s is not a member of this image.") % {"id": member_id}, 404)


def check_answer(status) -> str:
    """A member's answer: the API refuses anything else before the call, the console's form relies on this."""
    if status not in ANSWERS:
        raise ImsError("IMG.0001", _("status must be accepted or rejected."))
    return status


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
def batch_add_members(actor: Actor, *, images: list[str], projects: list[str]) -> Job:
    """Share each image with each project (ids without repeats, as the input serializer gives them)."""
    targets = _own_images(actor, images)
    members = [check_member_project(actor, project_id) for project_id in projects]
    for image in targets:
        check_shareable(image)
        new = [m for m in members if not image.members.filter(project=m).exists()]
        for member in new:
            check_shareable(image, member)
        check_room(image, len(new))
    return _queue(actor, ADD_JOB, targets, projects=list(projects))


@operation("batch_delete_members", summary=lambda kw: {"images": kw.get("images"), "projects": kw.get("projects")})
def batch_delete_members(actor: Actor, *, images: list[str], projects: list[str]) -> Job:
    targets = _own_images(actor, images)
    return _queue(actor, DELETE_JOB, targets, projects=list(projects))


@operation("batch_update_members", summary=lambda kw: {"images": kw.get("images"), "status": kw.get("status")})
def batch_update_members(actor: Actor, *, images: list[str], status: str, project_id: str | None = None) -> Job:
    """The member's answer for each image; `project_id`, when given, must be the member's own project."""
    status = check_answer(status)
    if project_id not in (None, "") and project_id != actor.project.id:
        raise ImsError("IMG.0610", _("Only the member itself may accept or reject a shared image."), 403)
    targets = []
    for image_id in images:
        image = selectors.get_image(actor, image_id)
        if not image.members.filter(project=actor.project).exists():
            raise member_not_found(actor.project.id)
        targets.append(image)
    return _queue(actor, UPDATE_JOB, targets, status=status, project_id=actor.project.id)


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


def _member_page(actor: Actor, image_id: str, limit: int | str | None, marker: str | None) -> MemberPage:
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


def _visible_member(actor: Actor, image_id: str, member_id: str) -> ImageMember:
    image = _image_for_members(actor, image_id)
    member = members_visible(actor, image).filter(project_id=member_id).first()
    if member is None:
        raise member_not_found(member_id)
    return member


# The IMS and the Glance reads are distinct operations of the catalogue over one body each.


@operation("list_image_members")
def list_image_members(
    actor: Actor, *, image_id: str, limit: int | str | None = None, marker: str | None = None
) -> MemberPage:
    return _member_page(actor, image_id, limit, marker)


@operation("show_image_member")
def show_image_member(actor: Actor, *, image_id: str, member_id: str) -> ImageMember:
    return _visible_member(actor, image_id, member_id)


@operation("glance_list_image_members")
def glance_list_image_members(
    actor: Actor, *, image_id: str, limit: int | str | None = None, marker: str | None = None
) -> MemberPage:
    return _member_page(actor, image_id, limit, marker)


@operation("glance_show_image_member")
def glance_show_image_member(actor: Actor, *, image_id: str, member_id: str) -> ImageMember:
    return _visible_member(actor, image_id, member_id)


# ---- Glance changes (synchronous) ------------------------------------------------------------------------------


@operation("glance_add_image_member", find=selectors.get_own_image, summary=lambda kw: {"member": kw.get("member_id")})
def glance_add_image_member(actor: Actor, *, image: Image, member_id: str) -> ImageMember:
    check_shareable(image, glance=True)
    project = check_member_project(actor, member_id)
    check_shareable(image, project, glance=True)
    if image.members.filter(project=project).exists():
        raise ImsError("IMG.0611", _("Project %(id)s is already a member of this image.") % {"id": member_id}, 409)
    check_room(image, 1)
    return ImageMember.objects.create(image=image, project=project)


@operation(
    "glance_update_image_member",
    find=selectors.get_image,
    summary=lambda kw: {"member": kw.get("member_id"), "status": kw.get("status")},
)
def glance_update_image_member(actor: Actor, *, image: Image, member_id: str, status: str) -> ImageMember:
    status = check_answer(status)
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
def glance_delete_image_member(actor: Actor, *, image: Image, member_id: str) -> None:
    deleted, _rows = image.members.filter(project_id=str(member_id)).delete()
    if not deleted:
        raise member_not_found(member_id)


def rejected_shares(actor):
    """Images shared with the member's project that it rejected: hidden from its list, still open to re-accept."""
    mine = ImageMember.objects.filter(image=OuterRef("pk"), project=actor.project)
    return (
        Image.objects.visible_to(actor)
        .exclude(owner=actor.project)
        .filter(Exists(mine.filter(status=MemberStatus.REJECTED)))
        .annotate(shared_at=Subquery(mine.values("created_at")[:1]))
        .order_by("-shared_at")
    )


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
