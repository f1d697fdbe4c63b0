"""API routes of the images app (namespace `ims-api`): IMS and Glance paths, one block per family.

Order matters: the version patterns at the end match what nothing above did.
"""

from django.urls import include, path, re_path

from images.api.views import copy_export, glance_import, images, imports, members, update, versions

app_name = "ims-api"

urlpatterns = [
    path("v2/cloudimages", images.CloudImageListView.as_view(), name="list_images"),
    path("v2/images", images.GlanceImageListView.as_view(), name="glance_list_images"),
    path("v2/images/<str:image_id>/file", imports.GlanceImageFileView.as_view(), name="glance_image_file"),
    path("v2/images/<str:image_id>/stage", glance_import.StageView.as_view(), name="glance_stage_image_data"),
    path("v2/images/<str:image_id>/import", glance_import.ImportView.as_view(), name="glance_import_image"),
    path("v2/info/import", glance_import.ImportInfoView.as_view(), name="glance_show_import_info"),
    path("v2/info/stores", glance_import.StoresInfoView.as_view(), name="glance_show_stores_info"),
    path("v2/cloudimages/action", imports.CreateImageView.as_view(), name="create_image"),
    path("v2.1/cloudimages/action", imports.CreateImageSafeView.as_view(), name="create_image_in_safe_mode"),
    path("v1/cloudimages/dataimages/action", imports.CreateDataImageView.as_view(), name="create_data_image"),
    path("v1/cloudimages/wholeimages/action", imports.CreateWholeImageView.as_view(), name="create_whole_image"),
    path(
        "v2.1/cloudimages/dataimages/action",
        imports.CreateDataImageSafeView.as_view(),
        name="create_data_image_in_safe_mode",
    ),
    path("v2/cloudimages/quickimport/action", imports.ImportQuickView.as_view(), name="import_image_quick"),
    path(
        "v2.1/cloudimages/quickimport/action",
        imports.ImportQuickSafeView.as_view(),
        name="import_image_quick_in_safe_mode",
    ),
    path("v1/cloudimages/<str:image_id>/upload", imports.RegisterImageView.as_view(), name="register_image"),
    path("v1/cloudimages/os_version", images.OsVersionListView.as_view(), name="list_os_versions"),
    path("v1/cloudimages/quota", images.QuotaView.as_view(), name="show_image_quota"),
    path("v1/<str:project_id>/jobs/<str:job_id>", images.JobView.as_view(), name="show_job"),
    path("v1/cloudimages/job/<str:job_id>", images.JobProgressView.as_view(), name="show_job_progress"),
    # update, tags and delete; GET /v2/images/{id} too: this family's view answers every method of the
    # single-image paths.
    path("v2/cloudimages/<str:image_id>", update.CloudImageView.as_view(), name="update_image"),
    path("v2/images/<str:image_id>", update.GlanceImageItemView.as_view(), name="glance_update_image"),
    path(
        "v2/images/<str:image_id>/actions/deactivate",
        update.GlanceDeactivateView.as_view(),
        name="glance_deactivate_image",
    ),
    path(
        "v2/images/<str:image_id>/actions/reactivate",
        update.GlanceReactivateView.as_view(),
        name="glance_reactivate_image",
    ),
    path("v1/cloudimages/tags", update.LegacyTagsView.as_view(), name="create_or_update_tags"),
    path(
        "v1/<str:project_id>/cloudimages/<str:image_id>/tags/delete",
        update.LegacyBatchDeleteTagsView.as_view(),
        name="batch_delete_tags",
    ),
    path("v2/<str:project_id>/images/tags", update.ProjectTagsView.as_view(), name="list_images_tags"),
    path(
        "v2/<str:project_id>/images/resource_instances/action",
        update.ImagesByTagsView.as_view(),
        name="list_image_by_tags",
    ),
    path("v2/<str:project_id>/images/<str:image_id>/tags", update.ImageTagsView.as_view(), name="add_image_tag"),
    path(
        "v2/<str:project_id>/images/<str:image_id>/tags/action",
        update.ImageTagsActionView.as_view(),
        name="batch_add_or_delete_tags",
    ),
    path(
        "v2/<str:project_id>/images/<str:image_id>/tags/<str:key>",
        update.ImageTagKeyView.as_view(),
        name="delete_image_tag",
    ),
    path("v2/images/<str:image_id>/tags/<str:tag>", update.GlanceTagView.as_view(), name="glance_create_tag"),
    # members (sharing)
    path("v1/cloudimages/members", members.BatchMembersView.as_view(), name="batch_add_members"),
    path(
        "v1/<str:project_id>/cloudimages/<str:image_id>/members",
        members.ImageMemberListView.as_view(),
        name="list_image_members",
    ),
    path(
        "v1/<str:project_id>/cloudimages/<str:image_id>/members/<str:member_id>",
        members.ImageMemberView.as_view(),
        name="show_image_member",
    ),
    path("v2/images/<str:image_id>/members", members.GlanceMemberListView.as_view(), name="glance_list_image_members"),
    path(
        "v2/images/<str:image_id>/members/<str:member_id>",
        members.GlanceMemberView.as_view(),
        name="glance_show_image_member",
    ),
    # copy and export
    path("v1/cloudimages/<str:image_id>/copy", copy_export.CopyInRegionView.as_view(), name="copy_image_in_region"),
    path(
        "v2.1/cloudimages/<str:image_id>/copy",
        copy_export.CopyInRegionSafeView.as_view(),
        name="copy_image_in_region_in_safe_mode",
    ),
    path(
        "v1/cloudimages/<str:image_id>/cross_region_copy",
        copy_export.CopyCrossRegionView.as_view(),
        name="copy_image_cross_region",
    ),
    path("v1/cloudimages/<str:image_id>/file", copy_export.ExportView.as_view(), name="export_image"),
    path(
        "v2.1/cloudimages/<str:image_id>/file", copy_export.ExportSafeView.as_view(), name="export_image_in_safe_mode"
    ),
    # Glance's metadata definitions (their own package: images/metadefs/).
    path("", include("images.metadefs.urls")),
    path("v2/schemas/<str:name>", versions.SchemaView.as_view(), name="glance_schema"),
    re_path(r"^(?P<version>v\d+(?:\.\d+)?)$", versions.VersionView.as_view(), name="show_version"),
    path("", versions.VersionListView.as_view(), name="list_versions"),
]
