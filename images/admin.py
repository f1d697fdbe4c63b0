from django.contrib import admin

from images.models import Image, Job


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ("name", "id", "region", "image_type", "status", "os_version", "architecture", "created_at")
    list_filter = ("region", "image_type", "status", "architecture", "os_type")
    search_fields = ("name", "id", "os_version")
    readonly_fields = [field.name for field in Image._meta.fields]

    def has_add_permission(self, request):
        return False  # images change only through the service functions


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "job_type", "status", "project", "created_at", "end_time")
    list_filter = ("status", "job_type")
    readonly_fields = [field.name for field in Job._meta.fields]
