"""Console routes of the copy and export family (included by images/urls.py, namespace `images`)."""
from django.urls import path

from images import console_copy

urlpatterns = [
    path("<uuid:image_id>/actions", console_copy.ImageActionsView.as_view(), name="image_actions"),
    path("<uuid:image_id>/copy", console_copy.CopyView.as_view(), name="image_copy"),
    path("<uuid:image_id>/copy-to-region", console_copy.CrossRegionCopyView.as_view(), name="image_copy_region"),
    path("<uuid:image_id>/export", console_copy.ExportView.as_view(), name="image_export"),
    path("<uuid:image_id>/delete", console_copy.DeleteView.as_view(), name="image_delete"),
]
