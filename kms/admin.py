"""The platform operator's read-only view of keys and grants: state changes go through the services (console and
API), so they are authorized and traced; the key material is never shown (it is not in the database)."""

from django.contrib import admin

from kms.models import KeyGrant, MasterKey


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MasterKey)
class MasterKeyAdmin(ReadOnlyAdmin):
    list_display = ("alias", "id", "account", "region", "state", "is_default", "provider", "created_at")
    list_filter = ("state", "region", "provider", "is_default")
    search_fields = ("alias", "id", "account__name")


@admin.register(KeyGrant)
class KeyGrantAdmin(ReadOnlyAdmin):
    list_display = ("id", "key", "grantee_principal", "grantee_principal_type", "created_at")
    search_fields = ("id", "key__alias", "grantee_principal")
