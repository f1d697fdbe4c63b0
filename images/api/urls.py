from django.urls import include, path, re_path

from images.api import imports, versions, views

app_name = "ims-api"

urlpatterns = [
    path("v2/cloudimages", views.CloudImageListView.as_view(), name="list_images"),
    path("v2/images", views.GlanceImageListView.as_view(), name="glance_list_images"),
    path("v2/images/<str:image_id>/file", imports.GlanceImageFileView.as_view(), name="glance_image_file"),
    path("v2/cloudimages/action", imports.CreateImageView.as_view(), name="create_image"),
    path("v2.1/cloudimages/action", imports.CreateImageSafeView.as_view(), name="create_image_in_safe_mode"),
    path("v1/cloudimages/dataimages/action", imports.CreateDataImageView.as_view(), name="create_data_image"),
    path("v1/cloudimages/wholeimages/action", imports.CreateWholeImageView.as_view(), name="create_whole_image"),
    path("v2.1/cloudimages/dataimages/action", imports.CreateDataImageSafeView.as_view(),
         name="create_data_image_in_safe_mode"),
    path("v2/cloudimages/quickimport/action", imports.ImportQuickView.as_view(), name="import_image_quick"),
    path("v2.1/cloudimages/quickimport/action", imports.ImportQuickSafeView.as_view(),
         name="import_image_quick_in_safe_mode"),
    path("v1/cloudimages/<str:image_id>/upload", imports.RegisterImageView.as_view(), name="register_image"),
    path("v1/cloudimages/os_version", views.OsVersionListView.as_view(), name="list_os_versions"),
    path("v1/cloudimages/quota", views.QuotaView.as_view(), name="show_image_quota"),
    path("v1/<str:project_id>/jobs/<str:job_id>", views.JobView.as_view(), name="show_job"),
    path("v1/cloudimages/job/<str:job_id>", views.JobProgressView.as_view(), name="show_job_progress"),
    # GET /v2/images/{id} too: the update family's view answers every method of the single-image paths.
    path("", include("images.api.family_urls")),
    path("v2/schemas/<str:name>", versions.SchemaView.as_view(), name="glance_schema"),
    re_path(r"^(?P<version>v\d+(?:\.\d+)?)$", versions.VersionView.as_view(), name="show_version"),
    path("", versions.VersionListView.as_view(), name="list_versions"),
]
