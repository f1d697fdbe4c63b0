"""Console pages of sharing: the members panel of the detail page, its add/remove/accept/reject forms, and the
pending inbox of the Shared tab. Each form calls the same service as the API and redirects after the POST."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from core.errors import ImsError
from iam.authz import can
from iam.pages import ConsolePage
from images import rules, selectors
from images.choices import MemberStatus
from images.services import members

SHARE_ACTIONS = ("ims:images:get", "ims:images:share")


def can_share(actor, image=None) -> bool:
    """For one image (statements naming it and per-image grants count too), or for images in general."""
    return all(can(actor, action, image) for action in SHARE_ACTIONS)


def no_permission_reason() -> str:
    return _("You need the ims:images:share permission for this.")


class MembersPanelView(ConsolePage):
    """The members section of the detail page, loaded into it (owner: members; member: its own answer)."""

    def get(self, request, image_id):
        actor = request.actor
        image = selectors.get_image(actor, image_id)
        is_owner = image.owner_id == actor.project.id
        allowed = can_share(actor, image)
        membership = None if is_owner else image.members.filter(project=actor.project).first()
        share = rules.image_actions(actor, image)["share"]
        rows = list(members.members_visible(actor, image)) if is_owner and allowed else []
        return render(
            request,
            "images/_detail_members.html",
            {
                "members_loaded": True,
                "image": image,
                "is_owner": is_owner,
                "membership": membership,
                "members": rows,
                "can_share": share.allowed,
                "share_reason": share.reason,
                "can_answer": allowed,
                "answer_reason": "" if allowed else no_permission_reason(),
                "member_limit": rules.member_limit(image),
            },
        )


def _back(request, image_id) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("images:image_detail", args=[image_id])


def _act(request, image_id, change, success: str):
    try:
        change()
    except ImsError as error:
        if error.status == 404 and error.code == "IMG.0002":
            raise  # no such image for this actor: the error page, not its detail page
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(_back(request, image_id))


class MemberAddView(ConsolePage):
    def post(self, request, image_id):
        project_id = request.POST.get("project_id", "").strip()
        return _act(
            request,
            image_id,
            lambda: members.glance_add_image_member(request.actor, image_id=image_id, member_id=project_id),
            _("The image is shared with project %(id)s. It appears there once the project accepts it.")
            % {"id": project_id},
        )


class MemberRemoveView(ConsolePage):
    def post(self, request, image_id, member_id):
        return _act(
            request,
            image_id,
            lambda: members.glance_delete_image_member(request.actor, image_id=image_id, member_id=member_id),
            _("Project %(id)s is no longer a member of the image.") % {"id": member_id},
        )


class MemberAnswerView(ConsolePage):
    def post(self, request, image_id):
        status = request.POST.get("status", "")
        success = (
            _("You accepted the shared image.")
            if status == MemberStatus.ACCEPTED
            else _("You rejected the shared image.")
        )
        return _act(
            request,
            image_id,
            lambda: members.glance_update_image_member(
                request.actor, image_id=image_id, member_id=request.actor.project.id, status=status
            ),
            success,
        )


class SharedInboxView(ConsolePage):
    """The images shared with the actor's project that wait for an answer, and those it rejected (to re-accept)."""

    def get(self, request):
        actor = request.actor
        allowed = can_share(actor)
        listed = can(actor, "ims:images:list")
        pending = list(members.pending_shares(actor)) if listed else []
        rejected = list(members.rejected_shares(actor)) if listed else []
        return render(
            request,
            "images/_shared_inbox.html",
            {
                "inbox_loaded": True,
                "pending": pending,
                "rejected": rejected,
                "can_answer": allowed,
                "answer_reason": "" if allowed else no_permission_reason(),
                "back": reverse("images:image_list") + "?imagetype=shared",
            },
        )
