"""The bodies of the import operations (IMS create/quick import/register, Glance's create) as the services'
keyword arguments. Fields are checked in the order the product checks them, each by the check every face shares,
so a refused value gets the same code and message wherever it is sent."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from core import text
from core.errors import ImsError, invalid
from images import validation
from images.api.inputs.common import (
    CheckedChar,
    CheckedChoice,
    CheckedInteger,
    CheckedList,
    given,
)

# Glance's create lives with Glance's other bodies (inputs/glance.py); named here beside its IMS siblings.
from images.api.inputs.glance import GlanceCreateImageInput  # noqa: F401
from images.choices import Architecture, FirmwareType, VirtualEnvType

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
    cmk_id = CheckedChar(check=given, allow_null=True, help_text="A KMS key id (or ims/default): encrypt the image.")
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


class DataImageInput(serializers.Serializer):
    name = CheckedChar(check=text.check_name, required=True, help_text="1 to 128 characters.")
    volume_id = CheckedChar(check=given, required=True, help_text="A data disk of the server.")
    description = CheckedChar(check=text.check_description, help_text="At most 1024 characters.")
    tags = CheckedList(check=given, child=serializers.CharField(), help_text="'key.value'.")


def _data_images(value) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 23:
        raise invalid("data_images", _("must be a list of at most 23 data disks."))
    parsed = []
    for item in value:
        data = DataImageInput(data=item if isinstance(item, dict) else {})
        if not isinstance(item, dict) or not data.is_valid():
            raise invalid("data_images", _("each entry needs a name and a volume_id."))
        entry = dict(data.validated_data)
        if not entry.get("volume_id"):
            raise invalid("data_images", _("each entry needs a name and a volume_id."))
        entry["tags"] = text.check_tags([], entry.get("tags") or []) if entry.get("tags") else {}
        parsed.append(entry)
    return parsed


class CreateImageInput(ImageFileInput):
    """POST /v2/cloudimages/action: a system disk image (type ECS, BMS) or an ISO image (type IsoImage) from a
    file; a server's system disk image (instance_id, with data_images for its data disks); a disk's image
    (volume_id)."""

    os_version = CheckedChar(check=given, allow_null=True, help_text="From GET /v1/cloudimages/os_version.")
    type = CheckedChoice(check="_type", source="virtual_env_type", choices=["ECS", "BMS", "IsoImage"])
    instance_id = CheckedChar(check=given, help_text="A running or stopped server: its system disk image.")
    volume_id = CheckedChar(check=given, help_text="A disk: its image.")
    data_images = CheckedList(check=_data_images, child=serializers.DictField(), help_text="With instance_id.")

    @property
    def min_disk_range(self):
        return (1, 1024) if self.initial_data.get("type") == "IsoImage" else (40, 1024)

    def to_internal_value(self, data):
        if isinstance(data, dict) and (data.get("instance_id") or data.get("volume_id")):
            if data.get("image_url"):
                raise invalid("image_url", _("give image_url, instance_id or volume_id: one source only."))
            if data.get("instance_id") and data.get("volume_id"):
                raise invalid("volume_id", _("give instance_id or volume_id, not both."))
            if data.get("data_images") and not data.get("instance_id"):
                raise invalid("data_images", _("data disk images come with instance_id."))
            self.fields["image_url"].required = False
            return super().to_internal_value(data)
        if not data.get("image_url"):
            raise image_file_required()
        return super().to_internal_value(data)

    def _type(self, value) -> str:
        if not isinstance(value, str | None) or value not in SERVER_TYPES:
            raise invalid("type", _("must be ECS, BMS or IsoImage."))
        return SERVER_TYPES[value]

    def validate(self, attrs):
        for source in ("instance_id", "volume_id", "data_images"):
            if not attrs.get(source):
                attrs.pop(source, None)  # a file import: the service's defaults say "no server, no disk"
        return super().validate(attrs)


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
    """POST /v1/cloudimages/wholeimages/action: a whole-machine image of a server or of a CBR backup."""

    name = CheckedChar(check=text.check_name, required=True)
    description = CheckedChar(check=text.check_description, help_text="At most 1024 characters.")
    instance_id = CheckedChar(check=given, allow_null=True)
    backup_id = CheckedChar(check=given, allow_null=True)
    whole_image_type = CheckedChoice(check=given, choices=["CBR", "CSBS"], help_text="With backup_id: CBR.")
    vault_id = CheckedChar(check=given, help_text="The CBR vault of the backup.")
    min_ram = CheckedInteger(check=_min_ram, help_text="MB; 0 for no minimum.")
    max_ram = CheckedInteger(check=_max_ram, allow_null=True, help_text="MB.")
    image_tags = CheckedList(check="_tags", source="tags", child=TagInput(), help_text="At most 10 tags.")
    tags = CheckedList(check=given, source="legacy_tags", child=serializers.CharField(), help_text="'key.value'.")
    enterprise_project_id = CheckedChar(check=given, help_text="Accepted; one enterprise project here.")

    def _tags(self, value) -> dict[str, str]:
        return text.check_tags(value, self.initial_data.get("tags"))

    def validate(self, attrs):
        attrs.pop("legacy_tags", None)
        attrs.pop("enterprise_project_id", None)
        if "tags" not in attrs and self.initial_data.get("tags"):
            attrs["tags"] = text.check_tags([], self.initial_data.get("tags"))
        return attrs


class RegisterImageInput(serializers.Serializer):
    """PUT /v1/cloudimages/{image_id}/upload: the file of a queued image."""

    image_url = CheckedChar(
        check=lambda value: validation.check_bucket_url("image_url", value), required=True, help_text="bucket:key"
    )
