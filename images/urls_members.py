from django.urls import path

from images import console_members as views

urlpatterns = [
    path("<uuid:image_id>/members", views.MembersPanelView.as_view(), name="image_members"),
    path("<uuid:image_id>/members/add", views.MemberAddView.as_view(), name="image_share"),
    path("<uuid:image_id>/members/<str:member_id>/remove", views.MemberRemoveView.as_view(),
         name="image_member_remove"),
    path("<uuid:image_id>/members/answer", views.MemberAnswerView.as_view(), name="image_member_answer"),
    path("shared/pending", views.SharedInboxView.as_view(), name="shared_inbox"),
]
