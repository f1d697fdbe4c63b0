"""Console routes of the images app (namespace `images`), one block per family."""

from django.urls import path

from images.views import (
    batch,
    copy_export,
    create,
    detail,
    jobs,
    lifecycle,
    lists,
    market,
    members,
    modify,
    share_tag,
    tags,
)

app_name = "images"

urlpatterns = [
    path("", lists.ImageListView.as_view(), name="image_list"),
    path("export.csv", lists.ImageListExportView.as_view(), name="image_list_export"),
    path("<uuid:image_id>", detail.ImageDetailView.as_view(), name="image_detail"),
    path("create", create.CreateImageView.as_view(), name="image_create"),
    path("create/check", create.DryRunView.as_view(), name="image_dry_run"),
    # jobs
    path("jobs", jobs.JobListView.as_view(), name="job_list"),
    path("jobs/<str:job_id>", jobs.JobDetailView.as_view(), name="job_detail"),
    path("jobs/<str:job_id>/row", jobs.JobRowView.as_view(), name="job_row"),
    path("jobs/<str:job_id>/cancel", jobs.JobCancelView.as_view(), name="job_cancel"),
    # members (sharing)
    path("<uuid:image_id>/members", members.MembersPanelView.as_view(), name="image_members"),
    path("<uuid:image_id>/members/add", members.MemberAddView.as_view(), name="image_share"),
    path(
        "<uuid:image_id>/members/<str:member_id>/remove",
        members.MemberRemoveView.as_view(),
        name="image_member_remove",
    ),
    path("<uuid:image_id>/members/answer", members.MemberAnswerView.as_view(), name="image_member_answer"),
    path("shared/pending", members.SharedInboxView.as_view(), name="shared_inbox"),
    # tags
    path("<uuid:image_id>/tags", tags.TagPanelView.as_view(), name="image_tags"),
    path("<uuid:image_id>/tags/<str:key>/delete", tags.TagDeleteView.as_view(), name="image_tag_delete"),
    # modify, row menu, batch
    path("<uuid:image_id>/menu", copy_export.ImageRowMenuView.as_view(), name="image_row_menu"),
    path("batch", batch.BatchView.as_view(), name="image_batch"),
    path("<uuid:image_id>/share", share_tag.ShareDialogView.as_view(), name="image_share_dialog"),
    path("<uuid:image_id>/tag", share_tag.TagDialogView.as_view(), name="image_tag_dialog"),
    path("<uuid:image_id>/modify", modify.ModifyImageView.as_view(), name="image_modify"),
    # copy, export, delete
    path("<uuid:image_id>/actions", copy_export.ImageActionsView.as_view(), name="image_actions"),
    path("<uuid:image_id>/copy", copy_export.CopyView.as_view(), name="image_copy"),
    path("<uuid:image_id>/copy-to-region", copy_export.CrossRegionCopyView.as_view(), name="image_copy_region"),
    path("<uuid:image_id>/export", copy_export.ExportView.as_view(), name="image_export"),
    path("<uuid:image_id>/delete", copy_export.DeleteView.as_view(), name="image_delete"),
    path("<uuid:image_id>/deactivate", lifecycle.DeactivateView.as_view(), name="image_deactivate"),
    path("<uuid:image_id>/reactivate", lifecycle.ReactivateView.as_view(), name="image_reactivate"),
    # market images
    path("market/<uuid:image_id>/copy", market.MarketCopyView.as_view(), name="market_copy"),
]
