from django.urls import path

from images.api import copy

urlpatterns = [
    path("v1/cloudimages/<str:image_id>/copy", copy.CopyInRegionView.as_view(), name="copy_image_in_region"),
    path("v2.1/cloudimages/<str:image_id>/copy", copy.CopyInRegionSafeView.as_view(),
         name="copy_image_in_region_in_safe_mode"),
    path("v1/cloudimages/<str:image_id>/cross_region_copy", copy.CopyCrossRegionView.as_view(),
         name="copy_image_cross_region"),
    path("v1/cloudimages/<str:image_id>/file", copy.ExportView.as_view(), name="export_image"),
    path("v2.1/cloudimages/<str:image_id>/file", copy.ExportSafeView.as_view(), name="export_image_in_safe_mode"),
]
