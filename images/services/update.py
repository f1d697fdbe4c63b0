"""Modifying an image's attributes: the IMS JSON-patch (`update_image`) and Glance's (`glance_update_image`).

Both receive the patch already reduced to `Change`s by the API's input (images/api/inputs/update.py, which reads
the IMS patch and Glance's two media types); values arrive as the client sent them (the SDK types them as
strings) and are parsed here, by the product's rules, with messages that name the attribute.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core import text, units
from core.errors import ImsError, invalid
from iam.actors import Actor
from iam.operations import operation
from images.choices import Architecture, FirmwareType, ImageStatus, Visibility
from images.glance_properties import MAX_EXTRA_PROPERTIES, check_extra_property, check_patchable, visibility_refusal
from images.models import Image
from images.selectors import get_own_image
from images.services.imports import os_version_facts
from images.services.ownership import glance_owner

MAX_RAM = 1024 * 1024
# Attributes the product lets its owner change, by their official name.
MUTABLE = (
    "name",
    "__description",
    "min_ram",
    "max_ram",
    "min_disk",
    "hw_vif_multiqueue_enabled",
    "__support_kvm_hi1822_hisriov",
    "__os_version",
    "hw_firmware_type",
    "protected",
)
GLANCE_ONLY = ("protected",)
# Attributes that cannot be removed, only replaced.
REQUIRED = (
    "name",
    "min_ram",
    "min_disk",
    "hw_vif_multiqueue_enabled",
    "__support_kvm_hi1822_hisriov",
    "hw_firmware_type",
    "protected",
)
SRIOV_FLAG = "kvm_hi1822_hisriov"
GLANCE_MODIFIABLE = (ImageStatus.ACTIVE, ImageStatus.QUEUED, ImageStatus.DEACTIVATED)


@dataclass(frozen=True)
class Change:
    """One change of a patch: add, replace or remove `attribute` (its official name)."""

    op: str
    attribute: str
    value: object = None


def summary(kwargs) -> dict:
    return {"changes": [{"op": c.op, "path": f"/{c.attribute}", "value": c.value} for c in kwargs.get("changes", [])]}


def _bool(attribute: str, value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise invalid(attribute, _("must be true or false."))


def _check_attribute(attribute: str, *, glance: bool) -> None:
    if attribute in MUTABLE and (glance or attribute not in GLANCE_ONLY):
        return
    raise ImsError(
        "IMG.0001", _("%(field)s cannot be modified: the attribute is read-only or unknown.") % {"field": attribute}
    )


def _present(image: Image, attribute: str) -> bool:
    """Whether the attribute has a value, for Glance's rule (replace or remove only what exists, add only what not)."""
    if attribute == "__description":
        return bool(image.description)
    if attribute == "max_ram":
        return image.max_ram is not None
    if attribute == "__os_version":
        return bool(image.os_version)
    return True


def _set_os_version(image: Image, value) -> None:
    if not isinstance(value, str) or not value:
        raise invalid("__os_version", _("must be a version of the OS version list."))
    image.platform, image.os_type, image.os_bit = os_version_facts(value)
    image.os_version = value


def _min_disk(image: Image, value) -> int:
    low = max(1, units.gib_ceil(image.virtual_size or 0))
    return text.check_int("min_disk", value, low, 1024)


def _firmware(image: Image, value) -> str:
    firmware = text.check_choice("hw_firmware_type", value, set(FirmwareType.values))
    if image.architecture == Architecture.ARM and firmware != FirmwareType.UEFI:
        raise invalid("hw_firmware_type", _("Kunpeng (ARM) images boot only with UEFI."))
    return firmware


def _apply(image: Image, change: Change) -> None:
    attribute, value = change.attribute, change.value
    if change.op == "remove":
        if attribute in REQUIRED:
            raise invalid(attribute, _("cannot be removed, only replaced."))
        if attribute == "__description":
            image.description = ""
        elif attribute == "max_ram":
            image.max_ram = None
        else:
            image.os_version = ""
        return
    if attribute == "name":
        image.name = text.check_name(value)
    elif attribute == "__description":
        image.description = text.check_description(value)
    elif attribute == "min_ram":
        image.min_ram = text.check_int("min_ram", value, 0, MAX_RAM)
    elif attribute == "max_ram":
        image.max_ram = text.check_int("max_ram", value, 0, MAX_RAM)
    elif attribute == "min_disk":
        image.min_disk = _min_disk(image, value)
    elif attribute == "hw_vif_multiqueue_enabled":
        image.multiqueue = _bool(attribute, value)
    elif attribute == "__support_kvm_hi1822_hisriov":
        image.support_flags = {**image.support_flags, SRIOV_FLAG: _bool(attribute, value)}
    elif attribute == "__os_version":
        _set_os_version(image, value)
    elif attribute == "hw_firmware_type":
        image.hw_firmware_type = _firmware(image, value)
    elif attribute == "protected":
        image.protected = _bool(attribute, value)


# Attributes only Glance's patch knows, handled by `_apply_glance`; any other unknown name is an extra property.
GLANCE_ATTRIBUTES = ("visibility", "os_hidden", "owner")


def _is_extra(attribute: str) -> bool:
    return attribute not in MUTABLE and attribute not in GLANCE_ATTRIBUTES


def _apply_glance(actor: Actor, image: Image, change: Change) -> None:
    """Glance's own attributes and its extra properties (RFC 6902: `add` of an existing name replaces it)."""
    attribute, value = change.attribute, change.value
    check_patchable(attribute)
    if attribute in GLANCE_ATTRIBUTES and change.op == "remove":
        raise invalid(attribute, _("cannot be removed, only replaced."))
    if attribute == "visibility":
        visibility = text.check_choice("visibility", value, set(Visibility.values))
        refusal = visibility_refusal(actor, visibility)
        if refusal is not None:
            raise refusal
        image.visibility = visibility
    elif attribute == "os_hidden":
        image.os_hidden = _bool(attribute, value)
    elif attribute == "owner":
        ownership = glance_owner(actor, image.visibility, value)
        image.owner, image.external_owner = ownership.project, ownership.external_owner
        image.region = image.owner.region
    elif change.op == "remove":
        if attribute not in image.extra_properties:
            raise ImsError("IMG.0001", _("%(field)s has no value to remove.") % {"field": attribute}, 409)
        image.extra_properties = {k: v for k, v in image.extra_properties.items() if k != attribute}
    else:
        if change.op == "replace" and attribute not in image.extra_properties:
            raise ImsError("IMG.0001", _("%(field)s has no value to replace; use add.") % {"field": attribute}, 409)
        image.extra_properties = {**image.extra_properties, attribute: check_extra_property(attribute, value)}
    if len(image.extra_properties) > MAX_EXTRA_PROPERTIES:
        raise ImsError(
            "IMG.0001", _("An image carries at most %(n)d extra properties.") % {"n": MAX_EXTRA_PROPERTIES}, 413
        )


def _glance_modify(actor: Actor, image: Image, changes: list[Change]) -> Image:
    if image.status not in GLANCE_MODIFIABLE:
        raise ImsError(
            "IMG.0008",
            _("Image %(id)s is %(status)s: only an active, queued or deactivated image can be modified.")
            % {"id": image.id, "status": image.status},
            409,
        )
    if not changes:
        raise invalid("body", _("must be a non-empty JSON array of changes."))
    for change in changes:
        if _is_extra(change.attribute) or change.attribute in GLANCE_ATTRIBUTES:
            _apply_glance(actor, image, change)
            continue
        _check_attribute(change.attribute, glance=True)
        if change.op in ("replace", "remove") and not _present(image, change.attribute):
            raise ImsError(
                "IMG.0001",
                _("%(field)s has no value to %(op)s; use add.") % {"field": change.attribute, "op": change.op},
                409,
            )
        _apply(image, change)
    if image.max_ram and image.max_ram < image.min_ram:
        raise invalid("max_ram", _("must not be less than min_ram."))
    image.save()
    return image


def _modify(image: Image, changes: list[Change], *, glance: bool, statuses) -> Image:
    if image.status not in statuses:
        raise ImsError(
            "IMG.0008",
            _("Image %(id)s is %(status)s: only an active image can be modified.")
            % {"id": image.id, "status": image.status},
            409,
        )
    if not changes:
        raise invalid("body", _("must be a non-empty JSON array of changes."))
    for change in changes:
        _check_attribute(change.attribute, glance=glance)
        if glance and change.op in ("replace", "remove") and not _present(image, change.attribute):
            raise ImsError(
                "IMG.0001",
                _("%(field)s has no value to %(op)s; use add.") % {"field": change.attribute, "op": change.op},
                409,
            )
        if glance and change.op == "add" and _present(image, change.attribute):
            raise ImsError(
                "IMG.0001", _("%(field)s already has a value; use replace.") % {"field": change.attribute}, 409
            )
        _apply(image, change)
    if image.max_ram and image.max_ram < image.min_ram:
        raise invalid("max_ram", _("must not be less than min_ram."))
    image.save()
    return image


@operation("update_image", summary=summary, find=get_own_image)
def update_image(actor: Actor, *, image: Image, changes: list[Change]) -> Image:
    """Change attributes of an active private image of the actor's project."""
    return _modify(image, changes, glance=False, statuses=(ImageStatus.ACTIVE,))


@operation("glance_update_image", summary=summary, find=get_own_image)
def glance_update_image(actor: Actor, *, image: Image, changes: list[Change]) -> Image:
    """The same for Glance clients, which may also name images still waiting for their file or deactivated, and
    Glance's own attributes and extra properties."""
    return _glance_modify(actor, image, changes)
