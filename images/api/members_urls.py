from django.urls import path

from images.api import members

urlpatterns = [
    path("v1/cloudimages/members", members.BatchMembersView.as_view(), name="batch_add_members"),
    path("v1/<str:project_id>/cloudimages/<str:image_id>/members", members.ImageMemberListView.as_view(),
         name="list_image_members"),
    path("v1/<str:project_id>/cloudimages/<str:image_id>/members/<str:member_id>", members.ImageMemberView.as_view(),
         name="show_image_member"),
    path("v2/images/<str:image_id>/members", members.GlanceMemberListView.as_view(), name="glance_list_image_members"),
    path("v2/images/<str:image_id>/members/<str:member_id>", members.GlanceMemberView.as_view(),
         name="glance_show_image_member"),
]
