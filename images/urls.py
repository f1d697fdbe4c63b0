from django.urls import path

from images import views, wizard

app_name = "images"

urlpatterns = [
    path("", views.ImageListView.as_view(), name="image_list"),
    path("<uuid:image_id>", views.ImageDetailView.as_view(), name="image_detail"),
    path("create", wizard.CreateImageView.as_view(), name="image_create"),
    path("create/check", wizard.DryRunView.as_view(), name="image_dry_run"),
    path("jobs", wizard.JobListView.as_view(), name="job_list"),
    path("jobs/<str:job_id>", wizard.JobDetailView.as_view(), name="job_detail"),
]
