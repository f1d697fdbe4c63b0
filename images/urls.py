from django.urls import path

from images import views

app_name = "images"

urlpatterns = [
    path("", views.ImageListView.as_view(), name="image_list"),
    path("<uuid:image_id>", views.ImageDetailView.as_view(), name="image_detail"),
]
