"""The image, member and job objects in the official field names and types (ims-api.md §4–5); their shapes are
described for the OpenAPI schema by the serializers of images/api/outputs.py.

Plain functions rather than serializers: a page of 1,000 images is rendered on every list call, and the
SDK's types are exact (strings where it expects strings, JSON booleans where it expects booleans).
"""

import json

from images.choices import SUPPORT_FLAGS, SUPPORT_GPU_FLAGS, ImageType
from images.services.glance_import import STORE_ID


def _text(flag: bool) -> str:
    return "true" if flag else "false"


def utc(moment) -> str:
    # The same text as strftime("%Y-%m-%dT%H:%M:%SZ"), several times faster: three times a row on a page of 1,000.
    if not moment:
        return ""
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (  # noqa: UP031 percent formatting is the fastest here
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
    )


def _support_fields(image) -> dict:
    if not image.support_flags:  # most images: spares a dozen lookups a row on a page of 1,000
        return {}
    fields = {}
    for flag in SUPPORT_FLAGS:
        if flag in image.support_flags:
            fields[f"__support_{flag}"] = _text(bool(image.support_flags[flag]))
    for flag in SUPPORT_GPU_FLAGS:
        if image.support_flags.get(flag):
            fields[f"__support_{flag}"] = str(image.support_flags[flag])
    return fields


def tag_texts(image) -> list[str]:
    listed = getattr(image, "listed_tags", None)  # a list page reads them in one query (selectors.list_images)
    if listed is not None:
        return listed
    return [f"{tag.key}={tag.value}" if tag.value else tag.key for tag in image.tags.all()]


def common_fields(image, project) -> dict:
    """Fields the IMS and the Glance representations share."""
    image_id = str(image.id)
    image_type = image.image_type_for(project)
    return {
        "__backup_id": image.backup_id,
        "__data_origin": image.data_origin,
        "__description": image.description,
        "__image_size": str(image.size),
        "__image_source_type": "uds",
        "__imagetype": image_type,
        "__isregistered": _text(image.is_registered),
        "__originalimagename": image.original_image_id,
        "__os_bit": str(image.os_bit),
        "__os_type": image.os_type,
        "__os_version": image.os_version,
        "__platform": image.platform,
        "__productcode": image.product_code,
        **_support_fields(image),
        "checksum": image.checksum,
        "container_format": image.container_format,
        "created_at": utc(image.created_at),
        "disk_format": image.disk_format,
        "enterprise_project_id": image.enterprise_project_id,
        "file": f"/v2/images/{image_id}/file",
        "id": image_id,
        "min_disk": image.min_disk,
        "min_ram": image.min_ram,
        "name": image.name,
        "owner": image.owner_id,
        "protected": image.protected,
        "schema": "/v2/schemas/image",
        "self": f"/v2/images/{image_id}",
        "size": image.size,
        "status": image.status,
        "tags": tag_texts(image),
        "updated_at": utc(image.updated_at),
        "virtual_env_type": image.virtual_env_type,
        "virtual_size": image.virtual_size or 0,
        "visibility": "shared" if image_type == ImageType.SHARED else image.visibility,
        "hw_firmware_type": image.hw_firmware_type,
        "max_ram": str(image.max_ram) if image.max_ram is not None else "",
        "__system__cmkid": image.cmk_id,
        "__system_encrypted": "1" if image.encrypted else "0",
        "__os_feature_list": "[]" if image.features == [] else json.dumps(image.features),
        "__account_code": "",
        "hw_vif_multiqueue_enabled": _text(image.multiqueue),
        "__is_offshelved": _text(image.offline),
        "__lazyloading": "False",
        "__root_origin": image.root_origin,
        "__sequence_num": "0",
        "active_at": utc(image.active_at),
        "os_hash_algo": image.os_hash_algo,
        "os_hash_value": image.os_hash_value,
    }


def image_info(image, project) -> dict:
    """`ImageInfo` of `GET /v2/cloudimages`, plus the catalog's support status."""
    return {
        **common_fields(image, project),
        "__image_displayname": image.name,
        **({"__support_kvm_hi1822_hisriov": "true"} if image.support_flags.get("kvm_hi1822_hisriov") else {}),
        "__system_support_market": image.system_support_market,
        "os_shutdown_timeout": "60",
        "support_status": image.support_status(),
        "support_ends": image.support_ends.isoformat() if image.support_ends else None,
    }


def glance_image(image, project) -> dict:
    # Extra properties first: a property can never shadow one of the image's own fields.
    return {
        **image.extra_properties,
        **common_fields(image, project),
        "__image_location": f"uds://{image.region_id}/{image.id}",
        "__is_config_init": "false",
        "_sys_enterprise_project_id": image.enterprise_project_id,
        # Held for an owner no project has: Glance shows the id it was given (the IMS API shows the holding project).
        "owner": image.external_owner or image.owner_id,
        # Glance shows an image created without a name with a null name.
        "name": image.name or None,
        "os_hidden": image.os_hidden,
        # The store holding the image's data, as Glance names it for an image that has data.
        **({"stores": STORE_ID} if image.manifest_id else {}),
    }


# What a job's entities may show its caller (ims-api §4.1); the rest is the worker's own bookkeeping.
PUBLIC_JOB_ENTITIES = (
    "image_id",
    "image_name",
    "results",
    "sub_jobs_result",
    "sub_jobs_list",
    "bytes_moved",
    "target_image_id",
    "target_region",
    "object_url",
    # ECS jobs (compute) share this job API: the servers they acted on.
    "server_id",
    "server_ids",
    "sub_jobs",
    "sub_jobs_total",
    "backup_id",
)


def job_body(job) -> dict:
    public = {key: job.entities[key] for key in PUBLIC_JOB_ENTITIES if key in job.entities}
    entities = {
        "image_id": str(job.image_id) if job.image_id else "",
        "image_name": job.image.name if job.image else "",
        "current_task": job.phase,
        "process_percent": job.percent,
        "bytes_done": job.bytes_done,
        "bytes_total": job.bytes_total,
        **public,
    }
    if job.error_code:
        entities.update(error_code=job.error_code, error=job.fail_reason)
    return {
        "status": job.status,
        "job_id": job.id,
        "job_type": job.job_type,
        "begin_time": utc(job.begin_time),
        "end_time": utc(job.end_time),
        "error_code": job.error_code or None,
        "fail_reason": job.fail_reason or None,
        "entities": entities,
    }


MEMBER_SCHEMA = "/v2/schemas/member"
MEMBERS_SCHEMA = "/v2/schemas/members"


def member_body(member) -> dict:
    """A member as the IMS v1 and the Glance member calls show it."""
    return {
        "status": member.status,
        "created_at": utc(member.created_at),
        "updated_at": utc(member.updated_at),
        "image_id": str(member.image_id),
        "member_id": member.project_id,
        "schema": MEMBER_SCHEMA,
        "member_type": member.member_type,
    }


def member_page(page, *, glance: bool) -> dict:
    """A page of members; Glance shows `page_info` only when there is a next page, IMS always."""
    body = {"members": [member_body(member) for member in page.items], "schema": MEMBERS_SCHEMA}
    if page.next_marker or not glance:
        body["page_info"] = {"next_marker": page.next_marker or "", "current_count": len(page.items)}
    return body


def tag_list(image) -> list[dict]:
    return [{"key": tag.key, "value": tag.value} for tag in image.tags.all()]


def tagged_resources(selection) -> dict:
    """The answer of list_image_by_tags: only the count for `count`, a page of images as resources too."""
    if selection.page is None:
        return {"total_count": selection.total_count}
    resources = [
        {
            "resource_id": str(image.pk),
            "resource_name": image.name,
            "resource_detail": {"status": image.status},
            "tags": tag_list(image),
        }
        for image in selection.page
    ]
    return {"resources": resources, "total_count": selection.total_count}


# The 30 fields of Glance's create answer (ims-api.md §5.3), in its order.
GLANCE_CREATED_FIELDS = (
    "visibility",
    "name",
    "protected",
    "container_format",
    "disk_format",
    "tags",
    "min_ram",
    "min_disk",
    "status",
    "created_at",
    "updated_at",
    "self",
    "id",
    "file",
    "schema",
    "__image_source_type",
    "__image_size",
    "__isregistered",
    "__os_version",
    "__os_type",
    "__platform",
    "__os_bit",
    "__imagetype",
    "virtual_env_type",
    "owner",
    "virtual_size",
    "__root_origin",
    "checksum",
    "size",
)


def glance_created_image(image, project) -> dict:
    """The 30 fields `POST /v2/images` answers with (ims-api.md §5.3)."""
    full = glance_image(image, project)
    # The extra properties the client sent come back too; without them the answer keeps exactly its 30 fields.
    return {**image.extra_properties, **{name: full[name] for name in GLANCE_CREATED_FIELDS}, "properties": {}}
