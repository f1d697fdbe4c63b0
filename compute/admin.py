"""The operator's read-only view of servers, disks and backups: they change only through the services (traced).
Every account's resources are here, so account administrators do not see this part of the site."""

from django.contrib import admin

from compute.models import Backup, Disk, Server
from iam.admin_scope import SuperuserOnlyAdmin


class ReadOnlyAdmin(SuperuserOnlyAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Server)
class ServerAdmin(ReadOnlyAdmin):
    list_display = ("name", "project", "flavor_id", "status", "frozen", "image_ref", "created_at")
    list_filter = ("status", "frozen", "region")
    list_select_related = ("project",)
    search_fields = ("name", "id", "image_ref")


@admin.register(Disk)
class DiskAdmin(ReadOnlyAdmin):
    list_display = ("name", "project", "size", "status", "server", "boot_index", "image_ref", "created_at")
    list_filter = ("status", "region")
    list_select_related = ("project", "server")
    search_fields = ("name", "id", "image_ref")


@admin.register(Backup)
class BackupAdmin(ReadOnlyAdmin):
    list_display = ("name", "project", "server_name", "vault", "created_at")
    list_select_related = ("project", "vault")
    search_fields = ("name", "id", "server_name")
