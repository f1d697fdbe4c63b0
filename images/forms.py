"""The console's "Create private image" form: the same fields the API takes, checked by the same service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from images.choices import Architecture, FirmwareType
from images.public_catalog import OTHER_OS_VERSIONS, PUBLIC_IMAGES

SOURCE_KINDS = (
    ("system", _("System disk image")),
    ("data", _("Data disk image")),
    ("iso", _("ISO image")),
)


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

    def api_body(self) -> dict:
        """The request body the official API would take for the same image."""
        data = self.cleaned_data
        body = {
            key: data[key]
            for key in ("name", "description", "image_url", "min_disk", "architecture", "hw_firmware_type", "sha256")
            if data.get(key) not in (None, "")
        }
        tags = [line.strip() for line in (data.get("tags") or "").splitlines() if line.strip()]
        body["image_tags"] = [dict(zip(("key", "value"), ([*tag.split("=", 1), ""])[:2], strict=False)) for tag in tags]
        if data["kind"] == "data":
            body["os_type"] = data.get("os_type") or "Linux"
        else:
            body["os_version"] = data.get("os_version") or "Other Linux(64 bit)"
        if data["kind"] == "iso":
            body["type"] = "IsoImage"
        return body
