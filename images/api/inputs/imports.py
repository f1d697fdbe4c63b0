"""The bodies of the import operations (IMS create/quick import/register, Glance's create) as the services'
keyword arguments. Fields are checked in the order the product checks them, each by the check every face shares,
so a refused value gets the same code and message wherever it is sent."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from core import text
from core.errors import ImsError, invalid
from images import validation
from images.api.inputs.common import (
    CheckedBoolean,
    CheckedChar,
    CheckedChoice,
    CheckedInteger,
    CheckedList,
    given,
)
from images.choices import Architecture, FirmwareType, VirtualEnvType
from images.services.imports import GLANCE_DISK_FORMATS

OS_TYPES = ("Linux", "Windows")
# The official `type` of a system disk import, as the image's virtualization type.
SERVER_TYPES = {
    None: VirtualEnvType.FUSION_COMPUTE,
    "": VirtualEnvType.FUSION_COMPUTE,
    "ECS": VirtualEnvType.FUSION_COMPUTE,
    "FusionCompute": VirtualEnvType.FUSION_COMPUTE,
    "BMS": VirtualEnvType.IRONIC,
    "Ironic": VirtualEnvType.IRONIC,
    "IsoImage": VirtualEnvType.ISO_IMAGE,
}


def image_file_required() -> ImsError:
    return invalid("image_url", _("is required: the bucket:key of the image file."))


def _architecture(value) -> str:
    return text.check_choice("architecture", value, set(Architecture.values), default=Architecture.X86)


def _firmware(value) -> str:
    return text.check_choice("hw_firmware_type", value, set(FirmwareType.values), default=FirmwareType.BIOS)


def _min_ram(value) -> int:
    return text.check_int("min_ram", value, 0, 1024 * 1024, default=0)


def _max_ram(value) -> int | None:
    return None if value in (None, "") else text.check_int("max_ram", value, 0, 1024 * 1024)


def _image_url(value) -> str | None:
    return None if value is None else validation.check_bucket_url("image_url", value)


class TagInput(serializers.Serializer):
    key = serializers.CharField(help_text="1 to 36 letters, digits, Chinese characters, '_', '.' or '-'.")
    value = serializers.CharField(required=False, help_text="Up to 43 such characters.")


class ImageFileInput(serializers.Serializer):
    """What every import of an image file takes. `min_disk_range` and `data_image` tell the kinds apart."""

    min_disk_range = (40, 1024)

    name = CheckedChar(check=text.check_name, required=True, help_text="1 to 128 characters.")
    description = CheckedChar(check=text.check_description, help_text="At most 1024 characters.")
    min_disk = CheckedInteger(check="_min_disk", help_text="The smallest system or data disk (GB) for the image.")
    architecture = CheckedChoice(check=_architecture, choices=Architecture.values)
    hw_firmware_type = CheckedChoice(check=_firmware, choices=FirmwareType.values, help_text="ARM boots with uefi.")
    min_ram = CheckedInteger(check=_min_ram, help_text="MB; 0 for no minimum.")
    max_ram = CheckedInteger(check=_max_ram, allow_null=True, help_text="MB.")
    image_tags = CheckedList(check="_tags", source="tags", child=TagInput(), help_text="At most 10 tags.")
    tags = CheckedList(
        check=given, source="legacy_tags", child=serializers.CharField(), help_text="The older form: 'key.value'."
    )
    sha256 = CheckedChar(check=lambda value: validation.check_sha256("sha256", value), help_text="Of the file.")
    cmk_id = CheckedChar(check=given, allow_null=True, help_text="Refused: no key management service here.")
    image_url = CheckedChar(check=_image_url, required=True, help_text="The image file, as bucket:key.")
    os_type = CheckedChoice(check="_os_type", choices=OS_TYPES)

    def data_image(self) -> bool:
        return False

    def _min_disk(self, value) -> int:
        low, high = self.min_disk_range
        return text.check_int("min_disk", value, low, high, default=low)

    def _tags(self, value) -> dict[str, str]:
        return text.check_tags(value, self.initial_data.get("tags"))

    def _os_type(self, value) -> str:
        if self.data_image():
            return text.check_choice("os_type", value, set(OS_TYPES), default="Linux")
        return value if value in OS_TYPES else "Linux"  # a system disk's OS type comes from its os_version

    def validate(self, attrs):
        attrs.pop("legacy_tags", None)
        return attrs


class CreateImageInput(ImageFileInput):
    """POST /v2/cloudimages/action: a system disk image (type ECS, BMS) or an ISO image (type IsoImage) from a
    file. Creating from a server (instance_id) or a disk (volume_id) is not available here."""

    os_version = CheckedChar(check=given, allow_null=True, help_text="From GET /v1/cloudimages/os_version.")
    type = CheckedChoice(check="_type", source="virtual_env_type", choices=["ECS", "BMS", "IsoImage"])

    @property
    def min_disk_range(self):
        return (1, 1024) if self.initial_data.get("type") == "IsoImage" else (40, 1024)

    def to_internal_value(self, data):
        if data.get("instance_id") or data.get("volume_id"):
            raise ImsError(
                "IMG.0110",
                _(
                    "Creating an image from a server or a disk is not available yet; create it "
                    "from an image file (image_url)."
                ),
            )
        if not data.get("image_url"):
            raise image_file_required()
        return super().to_internal_value(data)

    def _type(self, value) -> str:
        if not isinstance(value, str | None) or value not in SERVER_TYPES:
            raise invalid("type", _("must be ECS, BMS or IsoImage."))
        return SERVER_TYPES[value]


class CreateDataImageInput(ImageFileInput):
    """POST /v1/cloudimages/dataimages/action: a data disk image from a file."""

    min_disk_range = (40, 2048)

    def data_image(self) -> bool:
        return True

    def validate(self, attrs):
        if not attrs.get("image_url"):
            raise image_file_required()
        return super().validate(attrs)


class ImportImageQuickInput(ImageFileInput):
    """POST /v2/cloudimages/quickimport/action: a RAW file imported as it is; type DataImage for a data disk."""

    os_version = CheckedChar(check=given, allow_null=True, help_text="Required for a system disk image.")
    type = CheckedChoice(check="_type", source="virtual_env_type", choices=["ECS", "BMS", "DataImage"])

    def data_image(self) -> bool:
        return self.initial_data.get("type") == "DataImage"

    @property
    def min_disk_range(self):
        return (1, 2048 if self.data_image() else 1024)

    def _type(self, value) -> str:
        return VirtualEnvType.DATA_IMAGE if self.data_image() else VirtualEnvType.FUSION_COMPUTE

    def validate(self, attrs):
        if not self.data_image() and not attrs.get("os_version"):
            raise invalid("os_version", _("is required for a fast import."))
        if not attrs.get("image_url"):
            raise image_file_required()
        return super().validate(attrs)


class CreateWholeImageInput(serializers.Serializer):
    """POST /v1/cloudimages/wholeimages/action: the service refuses it (no servers here), naming the image."""

    name = CheckedChar(check=text.check_name, required=True)
    instance_id = CheckedChar(check=given, allow_null=True)
    backup_id = CheckedChar(check=given, allow_null=True)


class RegisterImageInput(serializers.Serializer):
    """PUT /v1/cloudimages/{image_id}/upload: the file of a queued image."""

    image_url = CheckedChar(
        check=lambda value: validation.check_bucket_url("image_url", value), required=True, help_text="bucket:key"
    )


class GlanceCreateImageInput(serializers.Serializer):
    """POST /v2/images: a queued image waiting for its file."""

    name = CheckedChar(check=text.check_name, required=True, help_text="1 to 128 characters.")
    visibility = CheckedChoice(check="_visibility", choices=["private"])
    disk_format = CheckedChoice(
        check=lambda value: text.check_choice("disk_format", value, GLANCE_DISK_FORMATS, default="vhd"),
        choices=sorted(GLANCE_DISK_FORMATS),
    )
    container_format = CheckedChoice(
        check=lambda value: text.check_choice("container_format", value, {"bare"}, default="bare"), choices=["bare"]
    )
    tags = CheckedList(check=text.check_glance_tags, child=serializers.CharField())
    min_disk = CheckedInteger(check=lambda value: text.check_int("min_disk", value, 0, 1024, default=0))
    min_ram = CheckedInteger(check=lambda value: text.check_int("min_ram", value, 0, 1024 * 1024, default=0))
    protected = CheckedBoolean(check=lambda value: validation.check_bool("protected", value))

    @staticmethod
    def not_an_object() -> ImsError:
        return invalid("body", _("must be a JSON object."))

    def get_fields(self):
        fields = super().get_fields()
        # Glance's name for it cannot be a class attribute: Python would mangle the leading underscores.
        fields["__os_version"] = CheckedChar(
            check=lambda value: value or "Other Linux(64 bit)", source="os_version", help_text="The OS version."
        )
        return fields

    def _visibility(self, value) -> str:
        if self.initial_data.get("visibility", "private") != "private":
            raise invalid("visibility", _("only private images can be created."))
        return "private"

    def validate(self, attrs):
        attrs.pop("visibility", None)
        return attrs
