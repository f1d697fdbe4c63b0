"""What the images API answers, described for the OpenAPI schema in the official field names and types.

The answers themselves are rendered by the plain functions of images/api/representations.py (fast on pages of
1,000 images); these serializers only describe them, so the schema shows what a client really receives.
Field names such as `__os_version` cannot be written in a class body (Python mangles them), so the shapes are
built from tables.
"""

from rest_framework import serializers

from images.api.representations import GLANCE_CREATED_FIELDS
from images.choices import SUPPORT_FLAGS, SUPPORT_GPU_FLAGS


def _text(help_text: str = "", **kwargs) -> serializers.CharField:
    return serializers.CharField(help_text=help_text, **kwargs)


def _flag(help_text: str = "", **kwargs) -> serializers.CharField:
    return serializers.CharField(help_text=f'"true" or "false", a string. {help_text}'.strip(), **kwargs)


class Shape(serializers.Serializer):
    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            field.label = field.label or name  # DRF's label for "__os_type" would be "  os type"
        return fields


def _shape(name: str, doc: str, fields: dict) -> type[serializers.Serializer]:
    return type(name, (Shape,), {"__doc__": doc, "__module__": __name__, **fields})


def _strings(*names: str, **kwargs) -> dict:
    return {name: serializers.CharField(**kwargs) for name in names}


SUPPORT_FIELDS = {
    **{f"__support_{flag}": _flag("Present when the image declares it.", required=False) for flag in SUPPORT_FLAGS},
    **{f"__support_{flag}": _text("The GPU type, when there is one.", required=False) for flag in SUPPORT_GPU_FLAGS},
}

COMMON_FIELDS = {
    **_strings(
        "__backup_id",
        "__data_origin",
        "__description",
        "__image_source_type",
        "__originalimagename",
        "__os_type",
        "__os_version",
        "__platform",
        "__productcode",
        "checksum",
        "container_format",
        "disk_format",
        "enterprise_project_id",
        "file",
        "id",
        "name",
        "owner",
        "schema",
        "self",
        "status",
        "virtual_env_type",
        "visibility",
        "hw_firmware_type",
        "__system__cmkid",
        "__account_code",
        "__lazyloading",
        "__root_origin",
        "__sequence_num",
        "os_hash_algo",
        "os_hash_value",
    ),
    "__image_size": _text("Bytes of the stored file, as a string."),
    "__imagetype": _text("gold, private, shared or market, as the caller sees the image."),
    "__isregistered": _flag(),
    "__os_bit": _text("32 or 64, as a string."),
    **SUPPORT_FIELDS,
    "created_at": _text("UTC, 2026-11-29T08:00:00Z."),
    "updated_at": _text("UTC, 2026-11-29T08:00:00Z."),
    "active_at": _text("UTC; empty until the image became active."),
    "min_disk": serializers.IntegerField(help_text="GB."),
    "min_ram": serializers.IntegerField(help_text="MB."),
    "max_ram": _text("MB as a string; empty when not set."),
    "protected": serializers.BooleanField(),
    "size": serializers.IntegerField(help_text="Bytes of the stored file."),
    "virtual_size": serializers.IntegerField(help_text="Bytes of the virtual disk."),
    "tags": serializers.ListField(child=serializers.CharField(), help_text="key=value, or key for an empty value."),
    "__os_feature_list": _text("A JSON array, as a string."),
    "__system_encrypted": _text('"1" for an image encrypted with the KMS key __system__cmkid, else "0".'),
    "hw_vif_multiqueue_enabled": _flag(),
    "__is_offshelved": _flag(),
}

ImageInfo = _shape(
    "ImageInfo",
    "An image as the IMS API shows it (ImageInfo of GET /v2/cloudimages).",
    {
        **COMMON_FIELDS,
        "__image_displayname": _text(),
        "__support_kvm_hi1822_hisriov": _flag("Present only when true.", required=False),
        "__system_support_market": serializers.BooleanField(),
        "os_shutdown_timeout": _text(),
        "support_status": _text("supported, ending or ended; null for images without a support end.", allow_null=True),
        "support_ends": serializers.DateField(allow_null=True),
    },
)

GlanceImage = _shape(
    "GlanceImage",
    "An image as the OpenStack Image API v2 shows it.",
    {
        **COMMON_FIELDS,
        **_strings("__image_location", "_sys_enterprise_project_id"),
        "__is_config_init": _flag(),
    },
)

GlanceCreatedImage = _shape(
    "GlanceCreatedImage",
    "What POST /v2/images answers: the image, queued, in 30 fields.",
    {
        **{name: COMMON_FIELDS[name] for name in GLANCE_CREATED_FIELDS},
        "properties": serializers.DictField(help_text="Always empty."),
    },
)

NextMarker = _shape("NextMarker", "Where the next page starts.", {"next_marker": _text()})
ImageList = _shape(
    "ImageList",
    "A page of images; page_info only when there is a next page.",
    {"images": ImageInfo(many=True), "page_info": NextMarker(required=False)},
)
GlanceImageList = _shape(
    "GlanceImageList",
    "A page of images, with links to the first and the next page.",
    {
        "images": GlanceImage(many=True),
        "first": _text(),
        "next": _text("Present when there is a next page.", required=False),
        "schema": _text(),
    },
)

OsVersion = _shape(
    "OsVersion",
    "One OS version of the region.",
    {**_strings("platform", "os_version_key", "os_version", "os_type"), "os_bit": serializers.IntegerField()},
)
OsVersionGroup = _shape(
    "OsVersionGroup",
    "The OS versions of one platform.",
    {"platform": _text(), "version_list": OsVersion(many=True)},
)

QuotaResource = _shape(
    "QuotaResource",
    "One quota of the project.",
    {"type": _text(), **{name: serializers.IntegerField() for name in ("used", "quota", "min", "max")}},
)
QuotaResources = _shape("QuotaResources", "The project's quotas.", {"resources": QuotaResource(many=True)})
Quotas = _shape("Quotas", "GET /v1/cloudimages/quota.", {"quotas": QuotaResources()})

JobEntities = _shape(
    "JobEntities",
    "What the job works on and how far it got; the other fields appear when the job type has them.",
    {
        **_strings("image_id", "image_name", "current_task"),
        "process_percent": serializers.FloatField(),
        "bytes_done": serializers.IntegerField(),
        "bytes_total": serializers.IntegerField(),
        "results": serializers.ListField(
            child=serializers.DictField(), required=False, help_text="Per image and project, for member jobs."
        ),
        "sub_jobs_result": serializers.ListField(child=serializers.DictField(), required=False),
        "sub_jobs_list": serializers.ListField(child=serializers.CharField(), required=False),
        "bytes_moved": serializers.IntegerField(required=False),
        **_strings("target_image_id", "target_region", "object_url", "error_code", "error", required=False),
    },
)
Job = _shape(
    "Job",
    "An asynchronous job (GET /v1/{project_id}/jobs/{job_id}).",
    {
        "status": _text("INIT, RUNNING, SUCCESS or FAIL."),
        **_strings("job_id", "job_type", "begin_time", "end_time"),
        **_strings("error_code", "fail_reason", allow_null=True),
        "entities": JobEntities(),
    },
)

Member = _shape(
    "Member",
    "A project an image is shared with.",
    {
        "status": _text("pending, accepted or rejected."),
        **_strings("created_at", "updated_at", "image_id", "member_id", "schema"),
        "member_type": _text("project."),
    },
)
PageInfo = _shape(
    "MemberPageInfo",
    "Where the next page starts (empty on the last page) and how many members this page holds.",
    {"next_marker": _text(), "current_count": serializers.IntegerField()},
)
MemberList = _shape(
    "MemberList",
    "A page of an image's members.",
    {"members": Member(many=True), "schema": _text(), "page_info": PageInfo()},
)
GlanceMemberList = _shape(
    "GlanceMemberList",
    "A page of an image's members; page_info only when there is a next page.",
    {"members": Member(many=True), "schema": _text(), "page_info": PageInfo(required=False)},
)

TagStrings = _shape(
    "TagStrings", "The project's tags as key.value strings.", {"tags": serializers.ListField(child=_text())}
)
Tag = _shape("Tag", "A tag.", {"key": _text(), "value": _text()})
ImageTags = _shape("ImageTags", "An image's tags.", {"tags": Tag(many=True)})
KeyValues = _shape(
    "TagKeyValues",
    "The values one key has over the project's images.",
    {"key": _text(), "values": serializers.ListField(child=_text())},
)
ProjectTags = _shape("ProjectTags", "The tags of the project's images, by key.", {"tags": KeyValues(many=True)})
ResourceDetail = _shape("ResourceDetail", "The image's state.", {"status": _text()})
TaggedResource = _shape(
    "TaggedResource",
    "An image selected by tags.",
    {
        "resource_id": _text(),
        "resource_name": _text(),
        "resource_detail": ResourceDetail(),
        "tags": Tag(many=True),
    },
)
TaggedResources = _shape(
    "TaggedResources",
    "action filter: a page of images and how many match; action count: only how many.",
    {"resources": TaggedResource(many=True, required=False), "total_count": serializers.IntegerField()},
)

Link = _shape("Link", "A link.", {"href": _text(), "rel": _text()})
Version = _shape(
    "Version",
    "One API version.",
    {**_strings("id", "status", "version", "min_version", "updated"), "links": Link(many=True)},
)
Versions = _shape("Versions", "Every API version.", {"versions": Version(many=True)})
VersionDocument = _shape(
    "VersionDocument",
    "One API version, and the list of versions.",
    {"version": Version(), "versions": Version(many=True)},
)
SchemaLink = _shape("SchemaLink", "A link template of a Glance schema.", {"rel": _text(), "href": _text()})
GlanceSchema = _shape(
    "GlanceSchema",
    "A Glance JSON schema document (image, images, member or members).",
    {
        "name": _text(),
        "properties": serializers.DictField(child=serializers.DictField(), help_text="JSON schema of each property."),
        "additionalProperties": serializers.DictField(required=False),
        "links": SchemaLink(many=True, required=False),
    },
)
