"""The member API's bodies: the v1 batch calls (`images`, `projects`, `status`) and Glance's (`member`, `status`).

Each refusal keeps the code and message the API always gave (IMG.0001 naming the field)."""

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.fields import SkipField

from core.errors import ImsError
from images.api.inputs.common import CheckedChar, CheckedChoice, CheckedList, given
from images.services.members import ANSWERS, check_answer

MAX_BATCH = 100


def id_list(field: str):
    """The check of a list of ids: 1 to 100 non-empty strings, repeats dropped (order kept)."""

    def check(values) -> list[str]:
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
            raise ImsError("IMG.0001", _("%(field)s must be a non-empty list of ids.") % {"field": field})
        if len(values) > MAX_BATCH:
            raise ImsError("IMG.0001", _("%(field)s holds at most %(n)d ids.") % {"field": field, "n": MAX_BATCH})
        return list(dict.fromkeys(values))

    return check


def ignored(value) -> None:
    """For fields of the official body this installation accepts and does not use."""
    raise SkipField()


def ids_field(field: str, help_text: str) -> serializers.Field:
    return CheckedList(
        id_list(field),
        child=serializers.CharField(),
        min_length=1,
        max_length=MAX_BATCH,
        required=True,
        help_text=help_text,
    )


def answer_field(**kwargs) -> serializers.Field:
    return CheckedChoice(check_answer, choices=[str(a) for a in ANSWERS], required=True, **kwargs)


def unused_list(help_text: str) -> serializers.Field:
    return CheckedList(ignored, child=serializers.CharField(), help_text=help_text)


def vault_field() -> serializers.Field:
    return CheckedChar(ignored, help_text="The CBR vault accepting a whole-machine image; not used here.")


def refuse_unsupported_targets(data: dict) -> None:
    if data.get("domains") or data.get("organizations"):
        raise ImsError("IMG.0001", _("Only projects can be members here: domains and organizations are not supported."))


class BatchMembersBody(serializers.Serializer):
    """POST and DELETE /v1/cloudimages/members (BatchAddMembersRequestBody)."""

    images = ids_field("images", "The ids of the caller's own images.")
    projects = ids_field("projects", "The ids of projects of other accounts, in the caller's region.")
    domains = unused_list("Account ids: not supported here, refused when not empty.")
    organizations = unused_list("Organization URNs: not supported here, refused when not empty.")

    def to_internal_value(self, data):
        refuse_unsupported_targets(data)  # before the ids, as the API always answered
        return super().to_internal_value(data)


class BatchUpdateMembersBody(serializers.Serializer):
    """PUT /v1/cloudimages/members (BatchUpdateMembersRequestBody), sent by the member."""

    status = answer_field(help_text="accepted: listed among the member's images; rejected: hidden, still usable.")
    images = ids_field("images", "The ids of images shared with the caller's project.")
    project_id = CheckedChar(given, help_text="The member's project: the caller's own.")
    vault_id = vault_field()


class GlanceMemberBody(serializers.Serializer):
    """POST /v2/images/{image_id}/members."""

    # The service refuses a missing or unknown project (IMG.0606), naming it as given.
    member = CheckedChar(given, required=True, help_text="The project to share the image with.")

    def validate(self, attrs):
        return {"member_id": attrs["member"]}


class GlanceMemberStatusBody(serializers.Serializer):
    """PUT /v2/images/{image_id}/members/{member_id}, sent by the member."""

    status = answer_field()
    vault_id = vault_field()
