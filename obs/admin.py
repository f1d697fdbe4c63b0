from django.contrib import admin

from iam.admin_scope import SuperuserOnlyAdmin
from obs.models import Bucket, StoredObject, Upload


class ReadOnlyAdmin(SuperuserOnlyAdmin):
    """The operator looks; buckets and objects change only through the services (and their audit trail).
    Every account's buckets are here, so account administrators do not see this part of the site."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Bucket)
class BucketAdmin(ReadOnlyAdmin):
    list_display = ("name", "account", "region", "created_at")
    list_filter = ("region",)
    search_fields = ("name", "account__name")


@admin.register(StoredObject)
class StoredObjectAdmin(ReadOnlyAdmin):
    list_display = ("key", "bucket", "size", "sha256", "updated_at")
    list_select_related = ("bucket",)
    search_fields = ("key", "bucket__name", "sha256")


@admin.register(Upload)
class UploadAdmin(ReadOnlyAdmin):
    list_display = ("id", "bucket", "key", "size", "part_size", "status", "created_by", "created_at")
    list_filter = ("status",)
    list_select_related = ("bucket", "created_by")
