"""API routes of the compute stand-in (namespace `compute-api`): ECS, EVS and CBR paths."""

from django.urls import path

from compute.api import views

app_name = "compute-api"
P = "<str:project_id>"

urlpatterns = [
    path(f"v1/{P}/cloudservers", views.ServerListView.as_view(), name="create_post_paid_servers"),
    path(f"v1.1/{P}/cloudservers", views.ServerListV11View.as_view(), name="create_servers"),
    path(f"v1/{P}/cloudservers/detail", views.ServerDetailListView.as_view(), name="list_servers_details"),
    path(f"v1/{P}/cloudservers/delete", views.ServerDeleteView.as_view(), name="delete_servers"),
    path(f"v1/{P}/cloudservers/action", views.ServerActionView.as_view(), name="batch_start_servers"),
    path(f"v1/{P}/cloudservers/<str:server_id>", views.ServerView.as_view(), name="show_server"),
    path(
        f"v1/{P}/cloudservers/<str:server_id>/attachvolume",
        views.AttachVolumeView.as_view(),
        name="attach_server_volume",
    ),
    path(
        f"v1/{P}/cloudservers/<str:server_id>/detachvolume/<str:volume_id>",
        views.DetachVolumeView.as_view(),
        name="detach_server_volume",
    ),
    path(f"v2/{P}/cloudvolumes", views.VolumeListView.as_view(), name="create_volume"),
    path(f"v2/{P}/cloudvolumes/detail", views.VolumeDetailListView.as_view(), name="list_volumes"),
    path(f"v2/{P}/cloudvolumes/<str:volume_id>", views.VolumeView.as_view(), name="show_volume"),
    path(f"v2/{P}/cloudvolumes/<str:volume_id>/write", views.VolumeWriteView.as_view(), name="write_volume"),
    path(f"v3/{P}/checkpoint", views.CheckpointView.as_view(), name="create_checkpoint"),
    path(f"v3/{P}/backups", views.BackupListView.as_view(), name="list_backups"),
    path(f"v3/{P}/backups/<str:backup_id>", views.BackupView.as_view(), name="show_backup"),
]
