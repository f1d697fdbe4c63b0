from django.urls import path

from obs.api import views

app_name = "obs-api"

urlpatterns = [
    path("v1/obs/buckets", views.BucketListView.as_view(), name="list_buckets"),
    path("v1/obs/buckets/<str:bucket>", views.BucketView.as_view(), name="delete_bucket"),
    path("v1/obs/buckets/<str:bucket>/objects", views.ObjectListView.as_view(), name="list_objects"),
    path("v1/obs/buckets/<str:bucket>/objects/<path:key>", views.ObjectView.as_view(), name="object"),
    path("v1/obs/uploads", views.UploadListView.as_view(), name="start_upload"),
    path("v1/obs/uploads/<str:upload_id>", views.UploadView.as_view(), name="upload"),
    path("v1/obs/uploads/<str:upload_id>/parts/<int:number>", views.UploadPartView.as_view(), name="put_part"),
    path("v1/obs/uploads/<str:upload_id>/complete", views.UploadCompleteView.as_view(), name="complete_upload"),
]
