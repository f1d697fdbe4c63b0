"""The image list filters, shared by the console list and the API lists (wire names as the API spells them)."""

import copy
import functools
import re
import uuid
from datetime import UTC, datetime, timedelta

import django_filters as filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from core.errors import ImsError
from iam.authz import is_cloud_admin
from images.choices import (
    SUPPORT_FLAGS,
    SUPPORT_GPU_FLAGS,
    Architecture,
    DiskFormat,
    FirmwareType,
    ImageStatus,
    ImageType,
    MemberStatus,
    OsType,
    Platform,
    SortKey,
    VirtualEnvType,
    Visibility,
)
from images.models import AnsweredBy, Image, ImageTag, NotSharedOrAnswered, OwnOrNotCommunity

TIME_FILTER = re.compile(r"^(gt|gte|lt|lte|eq|neq):(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})Z?$")
TRUE_FALSE = (("true", "true"), ("false", "false"))
# The console's image-type filter (system disk, data disk, ISO, whole-machine), as the product's list offers it.
IMAGE_KINDS = {
    "system": ~Q(virtual_env_type__in=("DataImage", "IsoImage")) & Q(backup_id=""),
    "data": Q(virtual_env_type="DataImage") & Q(backup_id=""),
    "iso": Q(virtual_env_type="IsoImage"),
    "whole": ~Q(backup_id=""),
}


def _is_true(value: str) -> bool:
    return value.lower() == "true"


def parse_time_filter(name: str, value: str) -> tuple[str, datetime]:
    """`gt:2018-10-28T10:00:00Z` (or `gt:2018-10-28 10:00:00`) → ("gt", that moment in UTC)."""
    match = TIME_FILTER.match(value.strip())
    try:
        if not match:
            raise ValueError(value)
        op, day, clock = match.groups()
        return op, datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=UTC)
    except ValueError:
        raise ImsError(
            "IMG.0001",
            _("%(name)s must look like gt:2018-10-28T10:00:00Z (operators gt, gte, lt, lte, eq, neq).")
            % {"name": name},
        ) from None


class ImageFilterSet(filters.FilterSet):
    """Filter names without the API's leading `__`; `from_query()` maps the wire names onto them."""

    id = filters.UUIDFilter(field_name="id")
    name = filters.CharFilter(field_name="name")
    imagetype = filters.ChoiceFilter(choices=ImageType.choices, method="filter_imagetype")
    os_type = filters.ChoiceFilter(field_name="os_type", choices=OsType.choices)
    os_bit = filters.ChoiceFilter(field_name="os_bit", choices=(("32", "32"), ("64", "64")))
    platform = filters.ChoiceFilter(field_name="platform", choices=Platform.choices)
    status = filters.ChoiceFilter(field_name="status", choices=ImageStatus.choices)
    visibility = filters.ChoiceFilter(choices=Visibility.choices, method="filter_visibility")
    member_status = filters.ChoiceFilter(choices=MemberStatus.choices, method="filter_member_status")
    shared_member_status = filters.ChoiceFilter(choices=MemberStatus.choices, method="filter_shared_member_status")
    architecture = filters.ChoiceFilter(field_name="architecture", choices=Architecture.choices)
    hw_firmware_type = filters.ChoiceFilter(field_name="hw_firmware_type", choices=FirmwareType.choices)
    disk_format = filters.ChoiceFilter(field_name="disk_format", choices=DiskFormat.choices)
    container_format = filters.CharFilter(field_name="container_format")
    virtual_env_type = filters.ChoiceFilter(field_name="virtual_env_type", choices=VirtualEnvType.choices)
    size = filters.NumberFilter(field_name="size")
    size_min = filters.NumberFilter(field_name="size", lookup_expr="gte")
    size_max = filters.NumberFilter(field_name="size", lookup_expr="lte")
    # OpenStack clients send Python's spelling too (`os_hidden=True`), which Glance reads as true.
    os_hidden = filters.CharFilter(method="filter_os_hidden")
    min_disk = filters.NumberFilter(field_name="min_disk")
    min_ram = filters.NumberFilter(field_name="min_ram")
    owner = filters.CharFilter(method="filter_owner")
    protected = filters.ChoiceFilter(choices=TRUE_FALSE, method="filter_boolean")
    isregistered = filters.ChoiceFilter(choices=TRUE_FALSE, method="filter_registered")
    enterprise_project_id = filters.CharFilter(method="filter_enterprise_project")
    tag = filters.CharFilter(method="filter_tag")
    created_at = filters.CharFilter(method="filter_time")
    updated_at = filters.CharFilter(method="filter_time")
    # The console's search box: name, ID or OS.
    q = filters.CharFilter(method="filter_search")
    kind = filters.ChoiceFilter(choices=[(kind, kind) for kind in IMAGE_KINDS], method="filter_kind")
    # The Market tab's filters: the vendor of the listing, and the exact OS version.
    vendor = filters.CharFilter(field_name="market_listing__vendor")
    os_version = filters.CharFilter(field_name="os_version")

    class Meta:
        model = Image
        fields = []

    # The form validating the filters, when built once for the class (`_filterset_of`).
    form_class = None

    def __init__(self, data=None, queryset=None, *, actor=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.actor = actor

    def get_form_class(self):
        return self.form_class or super().get_form_class()

    def filter_owner(self, queryset, name, value):
        # Glance's owner of an image held for an id no project has is that id (images/services/ownership.py).
        return queryset.filter(Q(owner_id=value, external_owner="") | Q(external_owner=value))

    def filter_kind(self, queryset, name, value):
        return queryset.filter(IMAGE_KINDS[value])

    def filter_imagetype(self, queryset, name, value):
        if value == ImageType.SHARED:
            return self._shared(queryset)
        if value == ImageType.PRIVATE:
            return queryset.filter(image_type=ImageType.PRIVATE, owner=self.actor.project)
        return queryset.filter(image_type=value)

    def filter_visibility(self, queryset, name, value):
        if value == Visibility.SHARED:
            return self._shared(queryset)
        return queryset.filter(visibility=value)

    def _shared(self, queryset):
        """Images shared with the actor; a rejected one leaves the list unless `member_status` asks for it."""
        queryset = queryset.filter(image_type=ImageType.PRIVATE).exclude(owner=self.actor.project)
        if self.data.get("member_status") or self.data.get("shared_member_status"):
            return queryset
        return queryset.filter(AnsweredBy(self.actor.project.pk, [MemberStatus.PENDING, MemberStatus.ACCEPTED]))

    def filter_member_status(self, queryset, name, value):
        return queryset.filter(AnsweredBy(self.actor.project.pk, [value]))

    def filter_shared_member_status(self, queryset, name, value):
        return not_shared_or_answered(queryset, value, actor=self.actor)

    def filter_boolean(self, queryset, name, value):
        return queryset.filter(**{name: _is_true(value)})

    def filter_os_hidden(self, queryset, name, value):
        if value.lower() not in ("true", "false"):
            raise ImsError("IMG.0001", _("os_hidden must be true or false."))
        return queryset.filter(os_hidden=_is_true(value))

    def filter_registered(self, queryset, name, value):
        return queryset.filter(is_registered=_is_true(value))

    def filter_enterprise_project(self, queryset, name, value):
        if value == "all_granted_eps":
            return queryset
        return queryset.filter(enterprise_project_id=value)

    def filter_tag(self, queryset, name, value):
        # The product accepts "key=value" and the legacy "key.value"; a bare key matches any value.
        for separator in ("=", "."):
            if separator in value:
                key, tag_value = value.split(separator, 1)
                break
        else:
            key, tag_value = value, None
        tags = ImageTag.objects.filter(image=OuterRef("pk"), key=key)
        if tag_value is not None:
            tags = tags.filter(value=tag_value)
        return queryset.filter(Exists(tags))

    def filter_time(self, queryset, name, value):
        op, start = parse_time_filter(name, value)
        # The API shows times to the second, so "eq:<a time it showed>" must match that whole second.
        end = start + timedelta(seconds=1)
        within = Q(**{f"{name}__gte": start, f"{name}__lt": end})
        return {
            "eq": lambda: queryset.filter(within),
            "neq": lambda: queryset.exclude(within),
            "gt": lambda: queryset.filter(**{f"{name}__gte": end}),
            "gte": lambda: queryset.filter(**{f"{name}__gte": start}),
            "lt": lambda: queryset.filter(**{f"{name}__lt": start}),
            "lte": lambda: queryset.filter(**{f"{name}__lt": end}),
        }[op]()

    def filter_search(self, queryset, name, value):
        value = value.strip()
        condition = (
            Q(name__icontains=value)
            | Q(os_version__icontains=value)
            | Q(os_type__iexact=value)
            | Q(platform__iexact=value)
        )
        try:
            condition |= Q(id=uuid.UUID(value))
        except ValueError:
            pass
        return queryset.filter(condition)


def support_flag_filters(query) -> dict:
    """`__support_kvm=true` and friends: stored in a JSON field, matched on the stored value."""
    wanted = {}
    for flag in SUPPORT_FLAGS:
        value = query.get(f"__support_{flag}")
        if value is None:
            continue
        if value.lower() not in ("true", "false"):
            raise ImsError("IMG.0001", _("__support_%(flag)s must be true or false.") % {"flag": flag})
        wanted[f"support_flags__{flag}"] = _is_true(value)
    for flag in SUPPORT_GPU_FLAGS:
        value = query.get(f"__support_{flag}")
        if value is not None:
            wanted[f"support_flags__{flag}"] = value
    return wanted


def not_shared_or_answered(queryset, status: str, *, actor):
    """Glance's `member_status`: the actor's answer to images shared with it; its own and public images are not
    shared with it, so they stay."""
    # A cloud administrator's images held for unknown owners are theirs to list, shared with nobody.
    return queryset.filter(NotSharedOrAnswered(actor.project.pk, status, cloud_admin=is_cloud_admin(actor)))


def from_query(query) -> dict:
    """The filter data of a request's query: `__imagetype` → `imagetype`, and so on."""
    data = {}
    for field in ImageFilterSet.base_filters:
        for wire in (f"__{field}", field):
            if wire in query:
                data[field] = query.get(wire)
    return data


def glance_defaults(queryset, query, *, actor):
    """What Glance leaves out of a list unless asked for: hidden images (`os_hidden=true` shows them) and other
    projects' community images (`visibility=community` shows them)."""
    if "os_hidden" not in query:
        queryset = queryset.filter(os_hidden=False)
    if "visibility" not in query:
        queryset = queryset.filter(OwnOrNotCommunity(actor.project.pk))
    return queryset


@functools.lru_cache(maxsize=256)
def _filterset_of(names: frozenset[str]) -> type[ImageFilterSet]:
    """ImageFilterSet with only the filters a query names, in their declared order: building and validating the
    form of every filter cost more than the query itself. A query names any subset of the filters: the most
    recent ones are kept."""
    subset = type("ImageFilterSubset", (ImageFilterSet,), {})
    subset.base_filters = {name: f for name, f in ImageFilterSet.base_filters.items() if name in names}
    # django-filter builds a form class for every filterset it makes, which cost more than the rest of the
    # filtering; this one is built once. Each form made from it copies the fields, as any Django form does.
    fields = copy.deepcopy(subset.base_filters)
    for each in fields.values():
        each.model = Image
    subset.form_class = type("ImageFilterSubsetForm", (subset._meta.form,), {n: f.field for n, f in fields.items()})
    return subset


def filter_images(queryset, query, *, actor):
    queryset = glance_defaults(queryset, query, actor=actor)
    data = from_query(query)
    if not data:  # no filter named: nothing to validate or apply
        return queryset.filter(**support_flag_filters(query))
    if data.keys() == {"shared_member_status"} and data["shared_member_status"] in MemberStatus.values:
        # A plain Glance list names only its default member status: a valid one needs no filterset.
        queryset = not_shared_or_answered(queryset, data["shared_member_status"], actor=actor)
        return queryset.filter(**support_flag_filters(query))
    filterset = _filterset_of(frozenset(data))(data, queryset, actor=actor)
    if not filterset.is_valid():
        field, errors = next(iter(filterset.errors.items()))
        wire = f"__{field}" if f"__{field}" in query else field
        raise ImsError(
            "IMG.0001", _("Invalid value for %(field)s: %(reason)s") % {"field": wire, "reason": " ".join(errors)}
        )
    return filterset.qs.filter(**support_flag_filters(query))


SORT_KEYS = {choice.value for choice in SortKey}
