"""Routes of the update, tag and delete family (included in the `ims-api` namespace)."""
from django.urls import path

from images.api import update

urlpatterns = [
    path("v2/cloudimages/<str:image_id>", update.CloudImageView.as_view(), name="update_image"),
    path("v2/images/<str:image_id>", update.GlanceImageItemView.as_view(), name="glance_update_image"),
    path("v1/cloudimages/tags", update.LegacyTagsView.as_view(), name="create_or_update_tags"),
    path("v1/<str:project_id>/cloudimages/<str:image_id>/tags/delete", update.LegacyBatchDeleteTagsView.as_view(),
         name="batch_delete_tags"),
    path("v2/<str:project_id>/images/tags", update.ProjectTagsView.as_view(), name="list_images_tags"),
    path("v2/<str:project_id>/images/resource_instances/action", update.ImagesByTagsView.as_view(),
         name="list_image_by_tags"),
    path("v2/<str:project_id>/images/<str:image_id>/tags", update.ImageTagsView.as_view(), name="add_image_tag"),
    path("v2/<str:project_id>/images/<str:image_id>/tags/action", update.ImageTagsActionView.as_view(),
         name="batch_add_or_delete_tags"),
    path("v2/<str:project_id>/images/<str:image_id>/tags/<str:key>", update.ImageTagKeyView.as_view(),
         name="delete_image_tag"),
    path("v2/images/<str:image_id>/tags/<str:tag>", update.GlanceTagView.as_view(), name="glance_create_tag"),
]
