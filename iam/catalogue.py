"""Every operation of the service, as data: its permission actions, its audit event and its route.

One line per operation: the service function is named after `name` (the official SDK's operation in
snake_case), `actions` are all the IAM actions it needs (ims-api.md §9), `event` is the audit trace name
(ims-api.md §10; None: not a traced key operation of the product, still traced when it changes state).
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    path: str
    actions: tuple[str, ...]
    event: str | None = None
    resource_type: str = "ims"
    # False for a step of a larger operation that is traced itself (an upload's parts: the upload is traced when
    # it starts and ends); its refusals and failures are still traced.
    traces_success: bool = True

    @property
    def changes_state(self) -> bool:
        return self.method not in {"GET", "HEAD"}

    @property
    def trace_name(self) -> str:
        """The audit event: the product's name where it has one, else the operation's camelCase name."""
        if self.event:
            return self.event
        head, *rest = self.name.split("_")
        return head + "".join(word.title() for word in rest)


LIST = ("ims:images:list",)
GET = ("ims:images:get",)
UPDATE = ("ims:images:update",)
SHARE = ("ims:images:get", "ims:images:share")
TAG = ("ims:images:get", "ims:images:update")
KMS = "/v1.0/{project_id}/kms/"
MD = "/v2/metadefs/namespaces"
MD_CREATE, MD_UPDATE, MD_DELETE = ("ims:metadefs:create",), ("ims:metadefs:update",), ("ims:metadefs:delete",)
ECS_CREATE = "ecs:cloudServers:create"

OPERATIONS: tuple[Operation, ...] = (
    # Images: list, show, update, delete
    Operation("list_images", "GET", "/v2/cloudimages", LIST),
    Operation("update_image", "PATCH", "/v2/cloudimages/{image_id}", UPDATE, "updateImage"),
    Operation("glance_list_images", "GET", "/v2/images", LIST),
    Operation("glance_show_image", "GET", "/v2/images/{image_id}", GET),
    Operation("glance_update_image", "PATCH", "/v2/images/{image_id}", UPDATE, "updateImage"),
    Operation("glance_delete_image", "DELETE", "/v2/images/{image_id}", ("ims:images:delete",), "deleteImage"),
    Operation("glance_deactivate_image", "POST", "/v2/images/{image_id}/actions/deactivate", UPDATE, "deactivateImage"),
    Operation("glance_reactivate_image", "POST", "/v2/images/{image_id}/actions/reactivate", UPDATE, "reactivateImage"),
    # Creation
    Operation("create_image", "POST", "/v2/cloudimages/action", ("ims:serverImages:create",), "createImage"),
    Operation(
        "create_image_in_safe_mode", "POST", "/v2.1/cloudimages/action", ("ims:serverImages:create",), "createImage"
    ),
    Operation(
        "create_data_image", "POST", "/v1/cloudimages/dataimages/action", ("ims:dataImages:create",), "createImage"
    ),
    Operation(
        "create_data_image_in_safe_mode",
        "POST",
        "/v2.1/cloudimages/dataimages/action",
        ("ims:dataImages:create",),
        "createImage",
    ),
    Operation(
        "create_whole_image", "POST", "/v1/cloudimages/wholeimages/action", ("ims:wholeImages:create",), "createImage"
    ),
    Operation("glance_create_image_metadata", "POST", "/v2/images", ("ims:images:create",), "createImage"),
    Operation("register_image", "PUT", "/v1/cloudimages/{image_id}/upload", ("ims:images:upload",), "createImage"),
    Operation(
        "import_image_quick", "POST", "/v2/cloudimages/quickimport/action", ("ims:serverImages:create",), "createImage"
    ),
    Operation(
        "import_image_quick_in_safe_mode",
        "POST",
        "/v2.1/cloudimages/quickimport/action",
        ("ims:serverImages:create",),
        "createImage",
    ),
    Operation(
        "glance_upload_image_file",
        "PUT",
        "/v2/images/{image_id}/file",
        ("ims:images:get", "ims:images:update", "ims:images:upload"),
        "createImage",
    ),
    Operation("glance_download_image_file", "GET", "/v2/images/{image_id}/file", GET),
    # Glance's interoperable import (glance-direct): stage the file, then import it
    Operation(
        "glance_stage_image_data",
        "PUT",
        "/v2/images/{image_id}/stage",
        ("ims:images:get", "ims:images:update", "ims:images:upload"),
        "stageImageData",
    ),
    Operation(
        "glance_import_image",
        "POST",
        "/v2/images/{image_id}/import",
        ("ims:images:get", "ims:images:update", "ims:images:upload"),
        "importImage",
    ),
    # Export and copy
    Operation("export_image", "POST", "/v1/cloudimages/{image_id}/file", ("ims:images:export",), "exportImage"),
    Operation(
        "export_image_in_safe_mode", "POST", "/v2.1/cloudimages/{image_id}/file", ("ims:images:export",), "exportImage"
    ),
    Operation("copy_image_in_region", "POST", "/v1/cloudimages/{image_id}/copy", ("ims:images:copy",), "copyImage"),
    Operation(
        "copy_image_in_region_in_safe_mode",
        "POST",
        "/v2.1/cloudimages/{image_id}/copy",
        ("ims:images:copy",),
        "copyImage",
    ),
    Operation(
        "copy_image_cross_region",
        "POST",
        "/v1/cloudimages/{image_id}/cross_region_copy",
        ("ims:images:copy",),
        "copyImage",
    ),
    # Members
    Operation("batch_add_members", "POST", "/v1/cloudimages/members", ("ims:images:share",), "addMember"),
    Operation("batch_delete_members", "DELETE", "/v1/cloudimages/members", ("ims:images:share",), "deleteMemeber"),
    Operation("batch_update_members", "PUT", "/v1/cloudimages/members", ("ims:images:share",), "updateMember"),
    Operation("list_image_members", "GET", "/v1/{project_id}/cloudimages/{image_id}/members", SHARE),
    Operation("show_image_member", "GET", "/v1/{project_id}/cloudimages/{image_id}/members/{member_id}", SHARE),
    Operation("glance_add_image_member", "POST", "/v2/images/{image_id}/members", SHARE, "addMember"),
    Operation("glance_list_image_members", "GET", "/v2/images/{image_id}/members", SHARE),
    Operation("glance_show_image_member", "GET", "/v2/images/{image_id}/members/{member_id}", SHARE),
    Operation("glance_update_image_member", "PUT", "/v2/images/{image_id}/members/{member_id}", SHARE, "updateMember"),
    Operation(
        "glance_delete_image_member", "DELETE", "/v2/images/{image_id}/members/{member_id}", SHARE, "deleteMemeber"
    ),
    # Tags
    Operation("create_or_update_tags", "PUT", "/v1/cloudimages/tags", TAG, "addTag"),
    Operation("list_tags", "GET", "/v1/cloudimages/tags", LIST),
    Operation(
        "batch_delete_tags", "DELETE", "/v1/{project_id}/cloudimages/{image_id}/tags/delete", UPDATE, "deleteTag"
    ),
    Operation("add_image_tag", "POST", "/v2/{project_id}/images/{image_id}/tags", UPDATE, "addTag"),
    Operation(
        "batch_add_or_delete_tags", "POST", "/v2/{project_id}/images/{image_id}/tags/action", UPDATE, "batchTagsAction"
    ),
    Operation("delete_image_tag", "DELETE", "/v2/{project_id}/images/{image_id}/tags/{key}", UPDATE, "deleteTag"),
    Operation("list_image_tags", "GET", "/v2/{project_id}/images/{image_id}/tags", LIST),
    Operation("list_images_tags", "GET", "/v2/{project_id}/images/tags", LIST),
    Operation(
        "list_image_by_tags", "POST", "/v2/{project_id}/images/resource_instances/action", LIST, "batchTagsAction"
    ),
    Operation("glance_create_tag", "PUT", "/v2/images/{image_id}/tags/{tag}", TAG, "addTag"),
    Operation("glance_delete_tag", "DELETE", "/v2/images/{image_id}/tags/{tag}", TAG, "deleteTag"),
    # Glance's metadata definitions: reads are open (images/metadefs/selectors.py), writes a cloud administrator's.
    Operation("glance_create_metadef_namespace", "POST", MD, MD_CREATE, "createMetadefNamespace"),
    Operation("glance_update_metadef_namespace", "PUT", MD + "/{namespace}", MD_UPDATE, "updateMetadefNamespace"),
    Operation("glance_delete_metadef_namespace", "DELETE", MD + "/{namespace}", MD_DELETE, "deleteMetadefNamespace"),
    Operation("glance_create_metadef_object", "POST", MD + "/{namespace}/objects", MD_CREATE, "createMetadefObject"),
    Operation(
        "glance_delete_metadef_objects", "DELETE", MD + "/{namespace}/objects", MD_DELETE, "deleteMetadefObjects"
    ),
    Operation(
        "glance_update_metadef_object", "PUT", MD + "/{namespace}/objects/{name}", MD_UPDATE, "updateMetadefObject"
    ),
    Operation(
        "glance_delete_metadef_object", "DELETE", MD + "/{namespace}/objects/{name}", MD_DELETE, "deleteMetadefObject"
    ),
    Operation(
        "glance_create_metadef_property", "POST", MD + "/{namespace}/properties", MD_CREATE, "createMetadefProperty"
    ),
    Operation(
        "glance_delete_metadef_properties",
        "DELETE",
        MD + "/{namespace}/properties",
        MD_DELETE,
        "deleteMetadefProperties",
    ),
    Operation(
        "glance_update_metadef_property",
        "PUT",
        MD + "/{namespace}/properties/{name}",
        MD_UPDATE,
        "updateMetadefProperty",
    ),
    Operation(
        "glance_delete_metadef_property",
        "DELETE",
        MD + "/{namespace}/properties/{name}",
        MD_DELETE,
        "deleteMetadefProperty",
    ),
    Operation("glance_create_metadef_tags", "POST", MD + "/{namespace}/tags", MD_CREATE, "createMetadefTags"),
    Operation("glance_delete_metadef_tags", "DELETE", MD + "/{namespace}/tags", MD_DELETE, "deleteMetadefTags"),
    Operation("glance_create_metadef_tag", "POST", MD + "/{namespace}/tags/{name}", MD_CREATE, "createMetadefTag"),
    Operation("glance_update_metadef_tag", "PUT", MD + "/{namespace}/tags/{name}", MD_UPDATE, "updateMetadefTag"),
    Operation("glance_delete_metadef_tag", "DELETE", MD + "/{namespace}/tags/{name}", MD_DELETE, "deleteMetadefTag"),
    Operation(
        "glance_create_metadef_resource_type_association",
        "POST",
        MD + "/{namespace}/resource_types",
        MD_CREATE,
        "createMetadefResourceTypeAssociation",
    ),
    Operation(
        "glance_delete_metadef_resource_type_association",
        "DELETE",
        MD + "/{namespace}/resource_types/{name}",
        MD_DELETE,
        "deleteMetadefResourceTypeAssociation",
    ),
    # Quota, jobs, OS versions
    Operation("show_image_quota", "GET", "/v1/cloudimages/quota", ("ims:quotas:get",)),
    Operation("show_job", "GET", "/v1/{project_id}/jobs/{job_id}", ()),
    Operation("show_job_progress", "GET", "/v1/cloudimages/job/{job_id}", ()),
    Operation("list_os_versions", "GET", "/v1/cloudimages/os_version", LIST),
    Operation("cancel_job", "POST", "console:images/jobs/{job_id}/cancel", UPDATE, "cancelJob"),
    # Versions and schemas need no permission
    Operation("list_versions", "GET", "/", ()),
    Operation("show_version", "GET", "/{version}", ()),
    Operation("glance_list_image_schemas", "GET", "/v2/schemas/images", ()),
    Operation("glance_show_image_schemas", "GET", "/v2/schemas/image", ()),
    Operation("glance_list_image_member_schemas", "GET", "/v2/schemas/members", ()),
    Operation("glance_show_image_member_schemas", "GET", "/v2/schemas/member", ()),
    Operation("glance_show_import_info", "GET", "/v2/info/import", ()),
    Operation("glance_show_stores_info", "GET", "/v2/info/stores", ()),
    # Console-only
    Operation("export_image_list", "GET", "console:images/export.csv", LIST),
    # Identity
    Operation("login", "POST", "/v3/auth/tokens", (), "login", resource_type="iam"),
    Operation("logout", "POST", "console:logout", (), "logout", resource_type="iam"),
    # The user's own credentials ("My account"): no policy is needed, and only the user's own can be reached.
    Operation("change_password", "POST", "console:account/password", (), "changePassword", resource_type="iam"),
    Operation(
        "create_own_access_key", "POST", "console:account/keys/create", (), "createAccessKey", resource_type="iam"
    ),
    Operation(
        "set_access_key_status",
        "POST",
        "console:account/keys/{access_key}/status",
        (),
        "updateAccessKey",
        resource_type="iam",
    ),
    Operation(
        "delete_access_key",
        "POST",
        "console:account/keys/{access_key}/delete",
        (),
        "deleteAccessKey",
        resource_type="iam",
    ),
    # Per-image grants (django-guardian rows), given in the Django admin: the admin lets in only the account's
    # administrators and the operator, so no policy is asked; the service keeps a grant inside the image's account.
    Operation("grant_image_to_user", "POST", "admin:images/perimagegrant/add", (), "grantImage", resource_type="iam"),
    Operation(
        "revoke_image_from_user",
        "POST",
        "admin:images/perimagegrant/{grant_id}/delete",
        (),
        "revokeImage",
        resource_type="iam",
    ),
    # Market images (images/services/market.py): the platform operator publishes and withdraws them in the
    # Django admin; no tenant policy grants it, the service admits the operator (superuser) alone.
    Operation("publish_market_image", "POST", "admin:images/marketlisting/add", (), "publishMarketImage"),
    Operation(
        "unpublish_market_image", "POST", "admin:images/marketlisting/{listing_id}/delete", (), "unpublishMarketImage"
    ),
    # Local compute (compute/): servers (ECS), disks (EVS) and backups (CBR) at the product's paths. Start and stop
    # share one route (the body's os-start / os-stop chooses): the route names the start, the stop is listed apart.
    Operation(
        "create_post_paid_servers", "POST", "/v1/{project_id}/cloudservers", (ECS_CREATE,), "createServer", "ecs"
    ),
    Operation("create_servers", "POST", "/v1.1/{project_id}/cloudservers", (ECS_CREATE,), "createServer", "ecs"),
    Operation(
        "list_servers_details",
        "GET",
        "/v1/{project_id}/cloudservers/detail",
        ("ecs:cloudServers:list",),
        resource_type="ecs",
    ),
    Operation(
        "show_server",
        "GET",
        "/v1/{project_id}/cloudservers/{server_id}",
        ("ecs:cloudServers:get",),
        resource_type="ecs",
    ),
    Operation(
        "delete_servers",
        "POST",
        "/v1/{project_id}/cloudservers/delete",
        ("ecs:cloudServers:delete",),
        "deleteServer",
        "ecs",
    ),
    Operation(
        "batch_start_servers",
        "POST",
        "/v1/{project_id}/cloudservers/action",
        ("ecs:cloudServers:start",),
        "startServer",
        "ecs",
    ),
    Operation(
        "batch_stop_servers",
        "POST",
        "ecs:/v1/{project_id}/cloudservers/action#os-stop",
        ("ecs:cloudServers:stop",),
        "stopServer",
        "ecs",
    ),
    Operation(
        "attach_server_volume",
        "POST",
        "/v1/{project_id}/cloudservers/{server_id}/attachvolume",
        ("ecs:cloudServers:attach",),
        "attachVolume",
        "ecs",
    ),
    Operation(
        "detach_server_volume",
        "DELETE",
        "/v1/{project_id}/cloudservers/{server_id}/detachvolume/{volume_id}",
        ("ecs:cloudServers:detachVolume",),
        "detachVolume",
        "ecs",
    ),
    Operation(
        "list_volumes", "GET", "/v2/{project_id}/cloudvolumes/detail", ("evs:volumes:list",), resource_type="evs"
    ),
    Operation(
        "show_volume", "GET", "/v2/{project_id}/cloudvolumes/{volume_id}", ("evs:volumes:get",), resource_type="evs"
    ),
    Operation("create_volume", "POST", "/v2/{project_id}/cloudvolumes", ("evs:volumes:create",), "createVolume", "evs"),
    Operation(
        "delete_volume",
        "DELETE",
        "/v2/{project_id}/cloudvolumes/{volume_id}",
        ("evs:volumes:delete",),
        "deleteVolume",
        "evs",
    ),
    # Not an EVS call: how a "guest" changes a disk here (an object of the tenant's bucket written onto it).
    Operation(
        "write_volume",
        "POST",
        "/v2/{project_id}/cloudvolumes/{volume_id}/write",
        ("evs:volumes:update", "obs:objects:get"),
        "writeVolume",
        "evs",
    ),
    Operation(
        "create_checkpoint", "POST", "/v3/{project_id}/checkpoint", ("cbr:vaults:backup",), "createBackup", "cbr"
    ),
    Operation("list_backups", "GET", "/v3/{project_id}/backups", ("cbr:backups:list",), resource_type="cbr"),
    Operation("show_backup", "GET", "/v3/{project_id}/backups/{backup_id}", ("cbr:backups:get",), resource_type="cbr"),
    Operation(
        "delete_backup",
        "DELETE",
        "/v3/{project_id}/backups/{backup_id}",
        ("cbr:backups:delete",),
        "deleteBackup",
        "cbr",
    ),
    # Object storage (obs/): buckets and objects of the account in one region. Tenant Administrator (*:*:*)
    # grants these; the IMS policies (ims:*) do not, as the product keeps OBS permissions apart.
    Operation("list_buckets", "GET", "/v1/obs/buckets", ("obs:buckets:list",), resource_type="obs"),
    Operation("create_bucket", "POST", "/v1/obs/buckets", ("obs:buckets:create",), "createBucket", resource_type="obs"),
    Operation(
        "delete_bucket",
        "DELETE",
        "/v1/obs/buckets/{bucket}",
        ("obs:buckets:delete",),
        "deleteBucket",
        resource_type="obs",
    ),
    Operation("list_objects", "GET", "/v1/obs/buckets/{bucket}/objects", ("obs:objects:list",), resource_type="obs"),
    Operation("put_object", "PUT", "/v1/obs/buckets/{bucket}/objects/{key}", ("obs:objects:put",), resource_type="obs"),
    Operation(
        "open_object", "GET", "/v1/obs/buckets/{bucket}/objects/{key}", ("obs:objects:get",), resource_type="obs"
    ),
    Operation(
        "delete_object",
        "DELETE",
        "/v1/obs/buckets/{bucket}/objects/{key}",
        ("obs:objects:delete",),
        resource_type="obs",
    ),
    Operation(
        "start_upload", "POST", "/v1/obs/uploads", ("obs:objects:put",), "initiateMultipartUpload", resource_type="obs"
    ),
    Operation(
        "put_part",
        "PUT",
        "/v1/obs/uploads/{upload_id}/parts/{number}",
        ("obs:objects:put",),
        "uploadPart",
        resource_type="obs",
        traces_success=False,
    ),
    Operation("list_parts", "GET", "/v1/obs/uploads/{upload_id}", ("obs:objects:put",), resource_type="obs"),
    Operation(
        "complete_upload",
        "POST",
        "/v1/obs/uploads/{upload_id}/complete",
        ("obs:objects:put",),
        "completeMultipartUpload",
        resource_type="obs",
    ),
    Operation(
        "abort_upload",
        "DELETE",
        "/v1/obs/uploads/{upload_id}",
        ("obs:objects:put",),
        "abortMultipartUpload",
        resource_type="obs",
    ),
    # Keys (kms/): customer master keys and data keys at the paths of the official KMS API (huaweicloudsdkkms).
    # Reads are POSTs there: they trace refusals only (traces_success=False), as the other reads trace nothing.
    Operation("create_key", "POST", KMS + "create-key", ("kms:cmk:create",), "createKey", resource_type="kms"),
    Operation("list_keys", "POST", KMS + "list-keys", ("kms:cmk:list",), resource_type="kms", traces_success=False),
    Operation(
        "list_key_detail", "POST", KMS + "describe-key", ("kms:cmk:get",), resource_type="kms", traces_success=False
    ),
    Operation("enable_key", "POST", KMS + "enable-key", ("kms:cmk:enable",), "enableKey", resource_type="kms"),
    Operation("disable_key", "POST", KMS + "disable-key", ("kms:cmk:disable",), "disableKey", resource_type="kms"),
    Operation(
        "delete_key",
        "POST",
        KMS + "schedule-key-deletion",
        ("kms:cmk:update",),
        "scheduleKeyDeletion",
        resource_type="kms",
    ),
    Operation(
        "cancel_key_deletion",
        "POST",
        KMS + "cancel-key-deletion",
        ("kms:cmk:update",),
        "cancelKeyDeletion",
        resource_type="kms",
    ),
    Operation(
        "create_datakey", "POST", KMS + "create-datakey", ("kms:cmk:generate",), "createDataKey", resource_type="kms"
    ),
    Operation(
        "encrypt_datakey", "POST", KMS + "encrypt-datakey", ("kms:cmk:crypto",), "encryptDataKey", resource_type="kms"
    ),
    Operation(
        "decrypt_datakey", "POST", KMS + "decrypt-datakey", ("kms:cmk:crypto",), "decryptDataKey", resource_type="kms"
    ),
    Operation(
        "create_grant", "POST", KMS + "create-grant", ("kms:cmk:createGrant",), "createGrant", resource_type="kms"
    ),
    Operation(
        "list_grants", "POST", KMS + "list-grants", ("kms:cmk:listGrants",), resource_type="kms", traces_success=False
    ),
    Operation(
        "revoke_grant", "POST", KMS + "revoke-grant", ("kms:cmk:revokeGrant",), "revokeGrant", resource_type="kms"
    ),
)

BY_NAME: dict[str, Operation] = {op.name: op for op in OPERATIONS}

# How a job ended, traced once per job as the system actor on the job's image (operation: the job type, summary:
# the job id). Not operations: nobody calls them, so they need no permission and no line above; the request that
# queued the job was traced under its operation's own event.
JOB_SUCCEEDED, JOB_FAILED = "jobSucceeded", "jobFailed"

# The product's IMS actions (ims-api.md §9), including those no operation here needs yet.
IMS_ACTIONS = (
    "ims:images:list",
    "ims:images:get",
    "ims:images:create",
    "ims:images:update",
    "ims:images:delete",
    "ims:images:upload",
    "ims:images:export",
    "ims:images:share",
    "ims:images:copy",
    "ims:serverImages:create",
    "ims:dataImages:create",
    "ims:wholeImages:create",
    "ims:quotas:get",
)

ALL_ACTIONS: frozenset[str] = frozenset(IMS_ACTIONS) | {action for op in OPERATIONS for action in op.actions}


def operation(name: str) -> Operation:
    return BY_NAME[name]


_PARAMETER = re.compile(r"\{[^}]+\}|<(?:[^>:]+:)?[^>]+>")


def _shape(path: str) -> str:
    """A route with its parameters blanked: `/v2/images/{image_id}` and Django's `v2/images/<str:image_id>`
    have the same shape."""
    return "/" + _PARAMETER.sub("{}", path).lstrip("/")


BY_ROUTE: dict[tuple[str, str], Operation] = {
    (op.method, _shape(op.path)): op for op in OPERATIONS if op.path.startswith("/")
}


def operation_at(method: str, route: str) -> Operation | None:
    """The API operation a request to Django route `route` with `method` is, if it is one of the catalogue."""
    return BY_ROUTE.get((method, _shape(route)))
