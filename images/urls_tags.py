"""Console routes of the tag editor (inside the `images` namespace)."""
from django.urls import path

from images import console_tags

urlpatterns = [
    path("<uuid:image_id>/tags", console_tags.TagPanelView.as_view(), name="image_tags"),
    path("<uuid:image_id>/tags/<str:key>/delete", console_tags.TagDeleteView.as_view(), name="image_tag_delete"),
]
