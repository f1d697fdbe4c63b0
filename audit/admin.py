from django.contrib import admin

from audit.models import Trace


@admin.register(Trace)
class TraceAdmin(admin.ModelAdmin):
    list_display = ("time", "event_name", "result", "username", "resource_id", "region_id", "source_ip")
    list_filter = ("result", "event_name", "via")
    search_fields = ("resource_id", "username", "request_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
