from django.urls import path

from compute import views

app_name = "compute"

urlpatterns = [
    path("", views.ServerListView.as_view(), name="server_list"),
    path("servers/create", views.ServerCreateView.as_view(), name="server_create"),
    path("servers/<uuid:server_id>", views.ServerDetailView.as_view(), name="server_detail"),
    path("servers/<uuid:server_id>/action", views.ServerActionView.as_view(), name="server_action"),
    path("disks", views.DiskListView.as_view(), name="disk_list"),
    path("disks/<uuid:disk_id>/action", views.DiskActionView.as_view(), name="disk_action"),
    path("backups", views.BackupListView.as_view(), name="backup_list"),
    path("backups/<uuid:backup_id>/action", views.BackupActionView.as_view(), name="backup_action"),
    path("images/create", views.ImageCreateView.as_view(), name="image_create"),
    path("images/<uuid:image_id>/usage", views.ImageUsageView.as_view(), name="image_usage"),
]
