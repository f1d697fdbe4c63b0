"""The console's forms: "Create private image" and the image's copy and export actions. They take the fields the
API takes, check them with the checks the API's input serializers use, and give the services their typed
keyword arguments."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core import text
from core.errors import ImsError
from images import validation
from images.choices import Architecture, FirmwareType, VirtualEnvType
from images.public_catalog import OTHER_OS_VERSIONS, PUBLIC_IMAGES

# The minimum disk (GB) each kind of image accepts, as the API checks it.
MIN_DISK = {"system": (40, 1024), "iso": (1, 1024), "data": (40, 2048)}
# The options of every file import, passed to the service as they are cleaned.
FILE_OPTIONS = ("name", "description", "image_url", "min_disk", "architecture", "hw_firmware_type", "tags", "sha256")

SOURCE_KINDS = (
    ("system", _("System disk image")),
    ("data", _("Data disk image")),
    ("iso", _("ISO image")),
)


def checked(check, *arguments):
    """The value one shared check (core.text, images.validation) returns; its refusal as this field's error,
    worded as the API words it."""
    try:
        return check(*arguments)
    except ImsError as error:
        raise forms.ValidationError(error.message, code=error.code) from None


def os_version_choices():
    """Grouped by platform like the product's picker; the "Other" versions last."""
    groups: dict[str, list] = {}
    for entry in PUBLIC_IMAGES:
        groups.setdefault(entry.platform, [])
        if entry.os_version not in dict(groups[entry.platform]):
            groups[entry.platform].append((entry.os_version, entry.os_version))
    groups["Other"] = [(other.os_version, other.os_version) for other in OTHER_OS_VERSIONS]
    return [("", _("Choose an OS version")), *sorted(groups.items(), key=lambda group: group[0] == "Other")]


class CreateImageForm(forms.Form):
    kind = forms.ChoiceField(label=_("Image type"), choices=SOURCE_KINDS, initial="system", widget=forms.RadioSelect)
    image_url = forms.ChoiceField(label=_("Image file"), help_text=_("An object in one of your buckets."))
    os_version = forms.ChoiceField(label=_("OS version"), required=False)
    os_type = forms.ChoiceField(
        label=_("OS type (data disks)"), choices=(("Linux", "Linux"), ("Windows", "Windows")), required=False
    )
    architecture = forms.ChoiceField(label=_("Architecture"), choices=Architecture.choices, initial=Architecture.X86)
    hw_firmware_type = forms.ChoiceField(label=_("Boot mode"), choices=FirmwareType.choices, initial=FirmwareType.BIOS)
    min_disk = forms.IntegerField(
        label=_("Minimum disk (GB)"),
        initial=40,
        help_text=_("System disk: 1–1024 GB, at least the disk in the file. Data disk: 40–2048 GB."),
    )
    name = forms.CharField(label=_("Name"), max_length=128)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=1024, widget=forms.Textarea(attrs={"rows": 2})
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Up to 10, one key=value per line."),
    )
    sha256 = forms.CharField(label=_("Expected SHA-256 (optional)"), required=False, max_length=64)

    def __init__(self, *args, objects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["image_url"].choices = [("", _("Choose a file"))] + [(url, url) for url in objects]
        self.fields["os_version"].choices = os_version_choices()

    def clean_name(self):
        return checked(text.check_name, self.cleaned_data["name"])

    def clean_description(self):
        return checked(text.check_description, self.cleaned_data["description"])

    def clean_tags(self):
        lines = [line.strip() for line in (self.cleaned_data["tags"] or "").splitlines() if line.strip()]
        pairs = [dict(zip(("key", "value"), [*line.split("=", 1), ""][:2], strict=False)) for line in lines]
        return checked(text.check_tags, pairs)

    def clean_sha256(self):
        return checked(validation.check_sha256, "sha256", self.cleaned_data["sha256"])

    def clean(self):
        data = super().clean()
        low, high = MIN_DISK.get(data.get("kind"), MIN_DISK["system"])
        if data.get("min_disk") is not None:
            try:
                text.check_int("min_disk", data["min_disk"], low, high)
            except ImsError as error:
                self.add_error("min_disk", error.message)
        return data

    def service_arguments(self) -> dict:
        """The cleaned form as the keyword arguments of the import service its kind calls."""
        data = self.cleaned_data
        arguments = {key: data[key] for key in FILE_OPTIONS}
        if data["kind"] == "data":
            return {**arguments, "os_type": data.get("os_type") or "Linux"}
        iso = data["kind"] == "iso"
        return {
            **arguments,
            "os_version": data.get("os_version") or "Other Linux(64 bit)",
            "virtual_env_type": VirtualEnvType.ISO_IMAGE if iso else VirtualEnvType.FUSION_COMPUTE,
        }


class CopyForm(forms.Form):
    """The action bar's copy within the region."""

    # Not stripped: the name is taken, or refused, exactly as typed, as the API takes it.
    name = forms.CharField(required=False, strip=False)
    description = forms.CharField(required=False, strip=False)

    def clean_name(self):
        return checked(text.check_name, self.cleaned_data["name"])

    def clean_description(self):
        return checked(text.check_description, self.cleaned_data["description"])


class CrossRegionCopyForm(CopyForm):
    """The action bar's copy to the account's project in another region (the service checks the region)."""

    region = forms.CharField(required=False, strip=False)


class ExportForm(forms.Form):
    """The action bar's export: a bucket of the region, an object name and a format, or "quick" for the raw disk
    as it is (the service decides which formats it exports to)."""

    bucket = forms.CharField(required=False, strip=False)
    key = forms.CharField(required=False, strip=False)
    file_format = forms.CharField(required=False, strip=False)

    def clean(self):
        data = super().clean()
        bucket_url = f"{data.get('bucket', '')}:{data.get('key', '')}"
        quick = data.get("file_format") == "quick"
        return {
            "bucket_url": checked(validation.check_bucket_url, "bucket_url", bucket_url),
            "file_format": None if quick else data.get("file_format", ""),
            "is_quick_export": quick,
        }
