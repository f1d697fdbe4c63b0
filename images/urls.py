from django.urls import include, path

from images import console_jobs, views, wizard

app_name = "images"

urlpatterns = [
    path("", views.ImageListView.as_view(), name="image_list"),
    path("<uuid:image_id>", views.ImageDetailView.as_view(), name="image_detail"),
    path("create", wizard.CreateImageView.as_view(), name="image_create"),
    path("create/check", wizard.DryRunView.as_view(), name="image_dry_run"),
    path("export.csv", console_jobs.ImageListExportView.as_view(), name="image_export"),
    path("jobs", console_jobs.JobListView.as_view(), name="job_list"),
    path("jobs/<str:job_id>", console_jobs.JobDetailView.as_view(), name="job_detail"),
    path("jobs/<str:job_id>/row", console_jobs.JobRowView.as_view(), name="job_row"),
    path("jobs/<str:job_id>/cancel", console_jobs.JobCancelView.as_view(), name="job_cancel"),
    path("", include("images.urls_members")),
    path("", include("images.urls_tags")),
    path("", include("images.urls_copy")),
]
