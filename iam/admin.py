from django.contrib import admin

from iam.models import Account, AccessKey, AvailabilityZone, Grant, Group, Member, Policy, Project, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("id", "name_en", "name_zh", "position")


@admin.register(AvailabilityZone)
class AvailabilityZoneAdmin(admin.ModelAdmin):
    list_display = ("id", "region", "name_en", "name_zh")
    list_filter = ("region",)


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("name", "id", "is_platform", "created_at")
    search_fields = ("name", "id")


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("id", "account", "region", "name")
    list_filter = ("region",)
    search_fields = ("id", "account__name")


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("user", "account")
    list_filter = ("account",)


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "account")
    list_filter = ("kind",)


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ("name", "account")
    list_filter = ("account",)
    filter_horizontal = ("users",)


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ("group", "policy", "project")


@admin.register(AccessKey)
class AccessKeyAdmin(admin.ModelAdmin):
    list_display = ("access_key", "user", "is_active", "created_at", "last_used_at")
    exclude = ("encrypted_secret",)
    readonly_fields = ("access_key", "user", "created_at", "last_used_at")
