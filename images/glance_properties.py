"""Glance's image properties: which names a client may set, and the rules of the extra properties.

Glance lets a client attach any property its schema does not name ("extra properties"), with string values
(`additionalProperties: {"type": "string"}` in `/v2/schemas/image`). It keeps a few names for itself: those of
the `os_glance_` family (the service's own bookkeeping) and the attributes only the service writes. Asking for
either is refused with 403, as Glance does, on create and on patch alike.
"""

from django.utils.translation import gettext as _

from core.errors import ImsError, invalid
from iam.authz import is_cloud_admin

RESERVED_PREFIX = "os_glance"
# Attributes the service alone writes: a client that sends them is refused, never silently ignored.
READ_ONLY = frozenset(
    {
        "status",
        "checksum",
        "size",
        "virtual_size",
        "created_at",
        "updated_at",
        "file",
        "self",
        "schema",
        "direct_url",
        "locations",
        "os_hash_algo",
        "os_hash_value",
        "stores",
    }
)
# Set when the image is created, fixed afterwards (the IMS API keeps them so; Glance's tags have their own calls).
FIXED_AFTER_CREATE = frozenset(
    {"id", "container_format", "disk_format", "tags", "virtual_env_type", "enterprise_project_id", "active_at"}
)
MAX_EXTRA_PROPERTIES = 128
MAX_KEY_LENGTH = 255
MAX_VALUE_LENGTH = 65535
# The names that store something else than an extra property, or that another field of the image answers.
IMS_ATTRIBUTE_PREFIX = "__"


def check_settable(name: str) -> None:
    """403 for a name the client may not set: the reserved family and the read-only attributes."""
    if name.startswith(RESERVED_PREFIX):
        raise ImsError(
            "IMG.0003",
            _("Attribute '%(name)s' is reserved: names starting with os_glance belong to the service.")
            % {"name": name},
            403,
        )
    if name in READ_ONLY:
        raise ImsError("IMG.0003", _("Attribute '%(name)s' is read-only.") % {"name": name}, 403)


def check_patchable(name: str) -> None:
    """What a patch may not name: `check_settable`'s refusals and the attributes fixed at creation."""
    check_settable(name)
    if name in FIXED_AFTER_CREATE:
        raise ImsError("IMG.0003", _("Attribute '%(name)s' cannot be changed after creation.") % {"name": name}, 403)


def check_extra_property(name: str, value) -> str:
    """An extra property's value: a string, as the image schema says; the name checked as `check_settable` does."""
    check_settable(name)
    if not name or len(name) > MAX_KEY_LENGTH or name.startswith(IMS_ATTRIBUTE_PREFIX):
        raise invalid(
            "properties", _("%(name)s is not a property name an image may carry.") % {"name": name[:MAX_KEY_LENGTH]}
        )
    if not isinstance(value, str):
        raise invalid(name, _("extra properties are strings; send the value in quotes."))
    if len(value) > MAX_VALUE_LENGTH:
        raise invalid(name, _("at most %(n)d characters.") % {"n": MAX_VALUE_LENGTH})
    return value


def check_extra_properties(properties: dict) -> dict[str, str]:
    checked = {name: check_extra_property(name, value) for name, value in properties.items()}
    if len(checked) > MAX_EXTRA_PROPERTIES:
        raise ImsError(
            "IMG.0001",
            _("An image carries at most %(n)d extra properties.") % {"n": MAX_EXTRA_PROPERTIES},
            413,
        )
    return checked


# Who may set each visibility (Glance's rules, as the product's tenancy reads them): private and shared are the
# owner's choice; public and community put an image before every tenant of the region, so only a cloud
# administrator may choose them.
ADMIN_ONLY_VISIBILITIES = frozenset({"public", "community"})


def visibility_refusal(actor, visibility: str) -> ImsError | None:
    if visibility in ADMIN_ONLY_VISIBILITIES and not is_cloud_admin(actor):
        return ImsError(
            "IMG.0003",
            _("Only a cloud administrator may make an image %(visibility)s.") % {"visibility": visibility},
            403,
        )
    return None


def owner_refusal(actor) -> ImsError | None:
    """Setting `owner` moves an image between projects: a cloud administrator's act, as in Glance."""
    if not is_cloud_admin(actor):
        return ImsError("IMG.0003", _("Only a cloud administrator may set an image's owner."), 403)
    return None
