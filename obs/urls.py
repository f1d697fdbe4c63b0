from django.urls import path

from obs import views

app_name = "obs"

urlpatterns = [
    path("", views.BucketListView.as_view(), name="bucket_list"),
    path("buckets/<str:bucket>", views.BucketDetailView.as_view(), name="bucket_detail"),
    path("buckets/<str:bucket>/delete", views.BucketDeleteView.as_view(), name="bucket_delete"),
    path("buckets/<str:bucket>/objects/delete", views.ObjectDeleteView.as_view(), name="object_delete"),
]
