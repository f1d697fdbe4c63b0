"""The bodies of the copy and export operations as the services' keyword arguments, checked by the checks every
face shares; what depends on the image, the regions or the buckets is the service's to decide."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from core import text
from core.errors import invalid
from images import validation
from images.api.inputs.common import CheckedBoolean, CheckedChar, CheckedChoice, given
from images.services.export import FORMATS


def _enterprise_project(value) -> str:
    if value in (None, ""):
        return "0"
    if not isinstance(value, str) or len(value) > 36:
        raise invalid("enterprise_project_id", _("at most 36 characters."))
    return value


def _agency(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid("agency_name", _("is required: the name of the IMS agency."))
    return value


class CopyInRegionInput(serializers.Serializer):
    """POST /v1/cloudimages/{image_id}/copy: a private copy in the image's own region."""

    name = CheckedChar(check=text.check_name, required=True, help_text="1 to 128 characters.")
    description = CheckedChar(check=text.check_description, help_text="At most 1024 characters.")
    cmk_id = CheckedChar(check=given, allow_null=True, help_text="A KMS key id (or ims/default): encrypt the image.")
    enterprise_project_id = CheckedChar(check=_enterprise_project, help_text='"0" for the default project.')


class CopyCrossRegionInput(serializers.Serializer):
    """POST /v1/cloudimages/{image_id}/cross_region_copy: a copy in the account's project of another region.

    `agency_name` is required as the official API requires it; any non-empty name is accepted, because here the
    service itself moves the chunks and needs no delegated rights in the destination."""

    name = CheckedChar(check=text.check_name, required=True, help_text="1 to 128 characters.")
    description = CheckedChar(check=text.check_description, help_text="At most 1024 characters.")
    agency_name = CheckedChar(check=_agency, required=True, help_text="Any non-empty name.")
    region = CheckedChar(check=given, required=True, help_text="The destination region, e.g. cn-east-3.")
    project_name = CheckedChar(check=given, allow_null=True, help_text="The destination region's id.")

    def validate(self, attrs):
        attrs.pop("agency_name", None)
        return attrs


class ExportInput(serializers.Serializer):
    """POST /v1/cloudimages/{image_id}/file: the image as a file in a bucket of its region."""

    is_quick_export = CheckedBoolean(check="_quick", help_text="The raw disk as it is; no file_format then.")
    file_format = CheckedChoice(check=given, choices=list(FORMATS), allow_null=True)
    bucket_url = CheckedChar(
        check=lambda value: validation.check_bucket_url("bucket_url", value), required=True, help_text="bucket:key"
    )
    overwrite = CheckedBoolean(
        check="_overwrite",
        help_text="Replace an existing object of that name (the default, as the official API does); false refuses "
        "an existing name with IMG.0917.",
    )

    def _overwrite(self, value) -> bool:
        # The official API has no such field and replaces the object: scripts written for it must keep working.
        if value is None:
            return True
        if not isinstance(value, bool):
            raise invalid("overwrite", _("must be true or false."))
        return value

    def _quick(self, value) -> bool:
        quick = self.initial_data.get("is_quick_export", False)
        if not isinstance(quick, bool):
            raise invalid("is_quick_export", _("must be true or false."))
        return quick
