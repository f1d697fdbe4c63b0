"""The console's forms: "Create private image" and the image's copy and export actions. They take the fields the
API takes, check them with the checks the API's input serializers use, and give the services their typed
keyword arguments."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from core import text
from core.errors import ImsError
from images import validation
from images.choices import Architecture, FirmwareType, VirtualEnvType
from images.public_catalog import OTHER_OS_VERSIONS, PUBLIC_IMAGES
from images.services.update import Change

# The minimum disk (GB) each kind of image accepts, as the API checks it.
MIN_DISK = {"system": (40, 1024), "iso": (1, 1024), "data": (40, 2048), "fast": (40, 1024)}
# The options of every file import, passed to the service as they are cleaned.
FILE_OPTIONS = ("name", "description", "image_url", "min_disk", "architecture", "hw_firmware_type", "tags", "sha256")

SOURCE_KINDS = (
    ("system", _("System disk image")),
    ("data", _("Data disk image")),
    ("iso", _("ISO image")),
    ("fast", _("Fast import (RAW, up to 1 TB)")),
)
ALL_KINDS = tuple(kind for kind, _label in SOURCE_KINDS)
# The wizard's steps by source: the fields each source shows (and the only ones it takes).
KIND_FIELDS = {
    "os_version": ("system", "iso", "fast"),
    "hw_firmware_type": ("system", "iso", "fast"),
    "architecture": ("system", "iso", "fast"),
    "os_type": ("data",),
    "cmk_id": ("system", "data", "fast"),  # ISO images cannot be encrypted
}
EMPTY_OS = _("Detect from the disk (else Other Linux)")


def checked(check, *arguments):
    """The value one shared check (core.text, images.validation) returns; its refusal as this field's error,
    worded as the API words it, less the API's "field: " prefix (the form shows the error beside its field)."""
    try:
        return check(*arguments)
    except ImsError as error:
        raise forms.ValidationError(plain(error.message), code=error.code) from None


def plain(message: str) -> str:
    """An API message without its leading "field_name: " (the console names the field by its label)."""
    return re.sub(r"^[a-z_]+: ", "", str(message))


def os_architectures() -> dict[str, str]:
    """Each OS version of the picker and its architecture ("" for the "Other" versions, which fit both)."""
    found = {entry.os_version: entry.architecture for entry in PUBLIC_IMAGES}
    return {**found, **{other.os_version: "" for other in OTHER_OS_VERSIONS}}


def os_version_choices():
    """Grouped by platform like the product's picker; the "Other" versions last."""
    groups: dict[str, list] = {}
    for entry in PUBLIC_IMAGES:
        groups.setdefault(entry.platform, [])
        if entry.os_version not in dict(groups[entry.platform]):
            groups[entry.platform].append((entry.os_version, entry.os_version))
    groups["Other"] = [(other.os_version, other.os_version) for other in OTHER_OS_VERSIONS]
    return [("", EMPTY_OS), *sorted(groups.items(), key=lambda group: group[0] == "Other")]


def _min_disk_help() -> str:
    names = {"system": _("system disk"), "fast": _("fast import"), "iso": _("ISO"), "data": _("data disk")}
    limits = "; ".join(
        _("%(kind)s: %(low)d–%(high)d GB") % {"kind": names[kind], "low": low, "high": high}
        for kind, (low, high) in MIN_DISK.items()
    )
    return _("At least the disk in the file. %(limits)s.") % {"limits": limits}


class CreateImageForm(forms.Form):
    kind = forms.ChoiceField(label=_("Image type"), choices=SOURCE_KINDS, initial="system", widget=forms.RadioSelect)
    image_url = forms.ChoiceField(label=_("Image file"), help_text=_("An object in one of your buckets."))
    os_version = forms.ChoiceField(label=_("OS version"), required=False)
    os_type = forms.ChoiceField(
        label=_("OS type"), choices=(("Linux", "Linux"), ("Windows", "Windows")), required=False
    )
    architecture = forms.ChoiceField(label=_("Architecture"), choices=Architecture.choices, initial=Architecture.X86)
    hw_firmware_type = forms.ChoiceField(label=_("Boot mode"), choices=FirmwareType.choices, initial=FirmwareType.BIOS)
    min_disk = forms.IntegerField(label=_("Minimum disk (GB)"), initial=40)
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
    cmk_id = forms.ChoiceField(
        label=_("Encryption"),
        required=False,
        help_text=_("A KMS key encrypts the image with a data key of its own. It cannot be changed later."),
    )

    def __init__(self, *args, objects=(), encryption=(), **kwargs):
        """`encryption`: the (cmk_id, label) of the keys the user may encrypt with (kms.selectors)."""
        super().__init__(*args, **kwargs)
        self.fields["image_url"].choices = [("", _("Choose a file"))] + [(url, url) for url in objects]
        self.fields["cmk_id"].choices = [("", _("Not encrypted")), *encryption]
        self.fields["os_version"].choices = os_version_choices()
        self.fields["min_disk"].help_text = _min_disk_help()

    def settings_fields(self) -> list[tuple]:
        """(bound field, the sources that show it) of the wizard's second step."""
        return [
            (self[name], " ".join(KIND_FIELDS.get(name, ALL_KINDS)))
            for name in self.fields
            if name not in ("kind", "image_url")
        ]

    def os_groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The OS picker by platform, each version with its architecture ("" fits both), for the filter."""
        architectures = os_architectures()
        return [
            (group, [(value, architectures.get(value, "")) for value, _label in choices])
            for group, choices in self.fields["os_version"].choices
            if isinstance(choices, list)
        ]

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
                self.add_error("min_disk", plain(error.message))
        self._check_os_architecture(data)
        return data

    def _check_os_architecture(self, data) -> None:
        os_version, chosen = data.get("os_version"), data.get("architecture")
        found = os_architectures().get(os_version or "", "")
        if data.get("kind") != "data" and found and chosen and found != chosen:
            labels = {"x86": "x86", "arm": "ARM"}
            self.add_error(
                "os_version",
                _("%(os)s is an %(found)s system; choose an OS for %(chosen)s, or change the architecture.")
                % {"os": os_version, "found": labels.get(found, found), "chosen": labels.get(chosen, chosen)},
            )

    def all_errors(self) -> list[tuple[str, str]]:
        """(label, message) of every error, the form's own first: the summary above the wizard."""
        found = [("", str(message)) for message in self.non_field_errors()]
        for name, errors in self.errors.items():
            if name != forms.forms.NON_FIELD_ERRORS:
                found += [(str(self.fields[name].label), str(message)) for message in errors]
        return found

    def service_arguments(self) -> dict:
        """The cleaned form as the keyword arguments of the import service its kind calls."""
        data = self.cleaned_data
        arguments = {key: data[key] for key in FILE_OPTIONS}
        if data.get("cmk_id") and data["kind"] != "iso":
            arguments["cmk_id"] = data["cmk_id"]
        if data["kind"] == "data":
            # A data disk has no boot mode: the wizard does not ask for one.
            return {**arguments, "os_type": data.get("os_type") or "Linux", "hw_firmware_type": FirmwareType.BIOS}
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
    cmk_id = forms.CharField(required=False)  # "": not encrypted; the service checks the key

    def clean_name(self):
        return checked(text.check_name, self.cleaned_data["name"])

    def clean_description(self):
        return checked(text.check_description, self.cleaned_data["description"])


class CrossRegionCopyForm(CopyForm):
    """The action bar's copy to the account's project in another region (the service checks the region)."""

    cmk_id = None  # encrypted images stay in their region

    region = forms.CharField(required=False, strip=False)


class ExportForm(forms.Form):
    """The action bar's export: a bucket of the region, an object name and a format, or "quick" for the raw disk
    as it is (the service decides which formats it exports to)."""

    bucket = forms.CharField(required=False, strip=False)
    key = forms.CharField(required=False, strip=False)
    file_format = forms.CharField(required=False, strip=False)
    # Unticked, an existing object of that name is refused (IMG.0917) and the dialog asks again.
    overwrite = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        bucket_url = f"{data.get('bucket', '')}:{data.get('key', '')}"
        quick = data.get("file_format") == "quick"
        return {
            "bucket_url": checked(validation.check_bucket_url, "bucket_url", bucket_url),
            "file_format": None if quick else data.get("file_format", ""),
            "is_quick_export": quick,
            "overwrite": bool(data.get("overwrite")),
        }


class ModifyImageForm(forms.Form):
    """The "Modify image" dialog: the attributes the IMS update service lets the owner change, as typed `Change`s.
    Only the fields that differ from the image become changes; a data disk image has no OS version or boot mode."""

    # Form field -> the attribute's official name in the update service.
    ATTRIBUTES = {
        "name": "name",
        "description": "__description",
        "min_ram": "min_ram",
        "max_ram": "max_ram",
        "min_disk": "min_disk",
        "os_version": "__os_version",
        "hw_firmware_type": "hw_firmware_type",
        "multiqueue": "hw_vif_multiqueue_enabled",
        "sriov": "__support_kvm_hi1822_hisriov",
    }
    SYSTEM_ONLY = ("os_version", "hw_firmware_type")
    # Removable attributes: an emptied field removes them rather than setting an empty value.
    REMOVABLE = ("description", "max_ram")

    name = forms.CharField(label=_("Name"), max_length=128, strip=False)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=1024, widget=forms.Textarea(attrs={"rows": 2})
    )
    os_version = forms.ChoiceField(label=_("OS version"), required=False)
    hw_firmware_type = forms.ChoiceField(label=_("Boot mode"), choices=FirmwareType.choices)
    min_disk = forms.IntegerField(label=_("Minimum disk (GB)"), min_value=1, max_value=2048)
    min_ram = forms.IntegerField(
        label=_("Minimum memory (MB)"), min_value=0, max_value=1024 * 1024, help_text=_("0: no minimum.")
    )
    max_ram = forms.IntegerField(
        label=_("Maximum memory (MB)"),
        required=False,
        min_value=0,
        max_value=1024 * 1024,
        help_text=_("Empty: no maximum."),
    )
    multiqueue = forms.BooleanField(label=_("NIC multi-queue"), required=False)
    sriov = forms.BooleanField(label=_("SR-IOV network (Hi1822)"), required=False)

    def __init__(self, *args, image, **kwargs):
        self.image = image
        initial = {
            "name": image.name,
            "description": image.description,
            "os_version": image.os_version,
            "hw_firmware_type": image.hw_firmware_type,
            "min_disk": image.min_disk,
            "min_ram": image.min_ram,
            "max_ram": image.max_ram,
            "multiqueue": image.multiqueue,
            "sriov": bool(image.support_flags.get("kvm_hi1822_hisriov")),
        }
        super().__init__(*args, initial=initial, **kwargs)
        if image.virtual_env_type == VirtualEnvType.DATA_IMAGE:
            for name in self.SYSTEM_ONLY:
                del self.fields[name]
        else:
            choices = os_version_choices()
            known = {value for _group, options in choices[1:] for value, _label in options}
            if image.os_version and image.os_version not in known:
                choices.insert(1, (image.os_version, image.os_version))
            self.fields["os_version"].choices = choices

    def clean_name(self):
        return checked(text.check_name, self.cleaned_data["name"])

    def clean_description(self):
        return checked(text.check_description, self.cleaned_data["description"])

    def changes(self) -> list:
        """The typed changes for `images.services.update.update_image` (nothing when nothing was changed)."""
        result = []
        for name in self.changed_data:
            if name not in self.fields:
                continue
            value = self.cleaned_data.get(name)
            if name == "os_version" and not value:
                continue  # the picker's empty choice keeps the version the image has
            attribute = self.ATTRIBUTES[name]
            if name in self.REMOVABLE and value in (None, ""):
                result.append(Change("remove", attribute))
            else:
                result.append(Change("replace", attribute, value))
        return result

    def field_of(self, attribute: str) -> str | None:
        """The form field that shows the service's refusal of `attribute` (its official name)."""
        by_attribute = {official: name for name, official in self.ATTRIBUTES.items()}
        name = by_attribute.get(attribute)
        return name if name in self.fields else None


class ShareForm(forms.Form):
    """The "Share" dialog: one project of another account in this region, by its ID (the service checks it)."""

    project_id = forms.CharField(
        label=_("Project ID"),
        max_length=64,
        help_text=_("The ID of the other account's project in this region: its My credentials page shows it."),
    )


class AddTagForm(forms.Form):
    """The "Tags" dialog: one key=value pair, checked by the service with the product's tag rules."""

    key = forms.CharField(label=_("Key"), max_length=36)
    value = forms.CharField(label=_("Value"), max_length=43, required=False)
