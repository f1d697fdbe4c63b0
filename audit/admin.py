from django.contrib import admin

from audit.models import Trace
from iam.admin_scope import AccountScopedAdmin


@admin.register(Trace)
class TraceAdmin(AccountScopedAdmin):
    """Read-only for everyone: the operator sees every trace, an account administrator their account's."""

    account_rights = frozenset({"view"})
    list_display = ("time", "event_name", "result", "username", "resource_id", "region_id", "source_ip", "via")
    list_filter = ("result", "event_name", "via")
    search_fields = ("resource_id", "resource_name", "username", "request_id")

    def scope_to(self, queryset, account):
        return queryset.filter(account_id=account.pk)  # traces keep the account id as text, not a relation

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
