"""The admin site: the platform's models for the operator; users, groups, grants, policies and access keys
for each account's administrators, scoped and traced by the mixins of `iam.admin_scope`."""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as confirm_and_delete_selected
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group as DjangoGroup
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.errors import ImsError
from iam.admin_scope import AccountScopedAdmin, SuperuserOnlyAdmin, TracedAdmin, admin_account
from iam.grants import grant_policy, revoke_grant
from iam.models import AccessKey, Account, AvailabilityZone, Grant, Group, Member, Policy, Project, Region
from iam.policy_documents import parse_document
from iam.projects import project_name_refusal

User = get_user_model()


# The platform: the operator's alone; account administrators may look at their own projects.


@admin.register(Region)
class RegionAdmin(SuperuserOnlyAdmin):
    list_display = ("id", "name_en", "name_zh", "position")
    search_fields = ("id", "name_en", "name_zh")


@admin.register(AvailabilityZone)
class AvailabilityZoneAdmin(SuperuserOnlyAdmin):
    list_display = ("id", "region", "name_en", "name_zh")
    list_filter = ("region",)
    search_fields = ("id", "name_en", "name_zh")


@admin.register(Account)
class AccountAdmin(SuperuserOnlyAdmin):
    list_display = ("name", "id", "is_platform", "created_at")
    list_filter = ("is_platform",)
    search_fields = ("name", "id")


class ProjectForm(forms.ModelForm):
    """The operator adds an account's sub-projects here, under the naming rules of `iam.projects`."""

    class Meta:
        model = Project
        fields = ("account", "region", "name", "is_default", "description")

    def clean(self):
        data = super().clean()
        account, region, name = data.get("account"), data.get("region"), data.get("name")
        if account is not None and region is not None and name:
            refusal = project_name_refusal(
                account, region, name, is_default=data.get("is_default", False), project_pk=self.instance.pk
            )
            if refusal is not None:
                self.add_error("name", refusal.message)
        return data


@admin.register(Project)
class ProjectAdmin(AccountScopedAdmin):
    form = ProjectForm
    account_rights = frozenset({"view"})
    list_display = ("id", "account", "region", "name", "is_default")
    list_filter = ("region", "is_default")
    list_select_related = ("account", "region")
    search_fields = ("id", "name", "account__name")


@admin.register(Member)
class MemberAdmin(SuperuserOnlyAdmin):
    list_display = ("user", "account")
    list_filter = ("account",)
    list_select_related = ("user", "account")
    search_fields = ("user__username", "account__name")


admin.site.unregister(DjangoGroup)


@admin.register(DjangoGroup)
class DjangoGroupAdmin(SuperuserOnlyAdmin, DjangoGroupAdmin):
    """Django's own groups and permissions are not IAM's; account administrators use IAM groups."""


# Users


class MemberInline(admin.StackedInline):
    model = Member
    can_delete = False
    verbose_name = _("account")
    verbose_name_plural = _("account")


ACCOUNT_ADMIN_USER_FIELDSETS = (
    (None, {"fields": ("username", "password")}),
    (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
    (
        _("Access"),
        {
            "fields": ("is_active", "is_staff"),
            "description": _("Staff status makes the user an administrator of this account in this site."),
        },
    ),
    (_("Important dates"), {"fields": ("last_login", "date_joined")}),
)

admin.site.unregister(User)


@admin.register(User)
class AccountUserAdmin(TracedAdmin, UserAdmin):
    account_path = "iam__account"
    trace_events = {"add": "createUser", "change": "updateUser", "delete": "deleteUser"}
    list_display = ("username", "email", "first_name", "last_name", "is_active", "is_staff", "last_login")
    search_fields = ("username", "first_name", "last_name", "email")

    def scope_to(self, queryset, account):
        return super().scope_to(queryset, account).filter(is_superuser=False)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("iam__account")

    def get_list_display(self, request):
        if request.user.is_superuser:
            return (*self.list_display, "account", "is_superuser")
        return self.list_display

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return ("is_active", "is_staff", "is_superuser", ("iam__account", admin.RelatedOnlyFieldListFilter))
        return ("is_active", "is_staff")

    @admin.display(description=_("account"), ordering="iam__account__name")
    def account(self, user):
        membership = getattr(user, "iam", None)
        return membership.account if membership is not None else "—"

    def get_fieldsets(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return ACCOUNT_ADMIN_USER_FIELDSETS

    def get_inlines(self, request, obj):
        return [MemberInline] if request.user.is_superuser else []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        account = admin_account(request)
        if account is not None and not change:
            Member.objects.create(user=obj, account=account)

    def account_id_of(self, obj) -> str:
        # Read afresh: the membership may have just been saved by the inline, after the user.
        return Member.objects.filter(user_id=obj.pk).values_list("account_id", flat=True).first() or ""

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # The membership goes with its user; deleting the user is the right that matters.
        perms_needed.discard(Member._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        # Success redirects to the user's page; a refused or conflicting form re-renders or redirects to itself.
        changed = (
            request.method == "POST"
            and isinstance(response, HttpResponseRedirect)
            and response.url != request.get_full_path()
        )
        if changed:
            user = self.get_object(request, unquote(id))
            self.trace(
                request,
                "changePassword",
                resource_id=user.pk,
                resource_name=user.get_username(),
                account_id=self.account_id_of(user),
            )
        return response


# Policies


class PolicyForm(forms.ModelForm):
    document = forms.CharField(
        label=_("document"),
        widget=forms.Textarea(attrs={"rows": 14, "class": "vLargeTextField"}),
        help_text=_(
            'JSON, for example {"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["ims:images:get"]}]}'
        ),
    )

    class Meta:
        model = Policy
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if isinstance(self.initial.get("document"), dict):
            self.initial["document"] = json.dumps(self.initial["document"], indent=2, ensure_ascii=False)

    def clean_document(self):
        try:
            return parse_document(self.cleaned_data["document"])
        except ImsError as error:
            raise ValidationError(error.message) from None

    def add_error(self, field, error):
        # Policy.clean() checks the stored document again; once the typed one is refused, a second,
        # vaguer message about the old value would only confuse.
        if field is None and hasattr(error, "error_dict") and "document" in self._errors:
            error.error_dict.pop("document", None)
            if not error.error_dict:
                return
        super().add_error(field, error)


@admin.register(Policy)
class PolicyAdmin(TracedAdmin):
    form = PolicyForm
    trace_events = {"add": "createPolicy", "change": "updatePolicy", "delete": "deletePolicy"}
    list_display = ("name", "kind", "account", "description")
    list_filter = ("kind",)
    list_select_related = ("account",)
    search_fields = ("name", "description")

    def scope_to(self, queryset, account):
        # The system roles and policies are everyone's to read and to grant.
        return queryset.filter(Q(account=account) | Q(account__isnull=True))

    def get_fields(self, request, obj=None):
        fields = ("name", "kind", "account", "description", "document")
        return (*fields, "depends_on") if request.user.is_superuser else fields

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "kind" and admin_account(request) is not None:
            custom = Policy.Kind.CUSTOM
            kwargs.update(choices=[(custom.value, custom.label)], initial=custom.value, disabled=True)
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(request, obj)

    @staticmethod
    def _editable(request, obj) -> bool:
        return request.user.is_superuser or obj is None or obj.kind == Policy.Kind.CUSTOM

    def save_model(self, request, obj, form, change):
        account = admin_account(request)
        if account is not None and not change:
            obj.account, obj.kind = account, Policy.Kind.CUSTOM
        super().save_model(request, obj, form, change)


# Groups and their grants


class GroupForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        account, users = cleaned.get("account"), cleaned.get("users")
        if account is not None and users is not None and users.exclude(iam__account=account).exists():
            self.add_error("users", _("A group can only hold users of its own account."))
        return cleaned


@admin.register(Group)
class GroupAdmin(TracedAdmin):
    form = GroupForm
    trace_events = {"add": "createGroup", "change": "updateGroup", "delete": "deleteGroup"}
    fields = ("account", "name", "description", "users")
    filter_horizontal = ("users",)
    list_display = ("name", "user_count", "grant_summary", "description")
    search_fields = ("name", "description")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("account")
            .annotate(user_count=Count("users", distinct=True))
            .prefetch_related("grants__policy", "grants__project")
        )

    def get_list_display(self, request):
        if request.user.is_superuser:
            return ("name", "account", "user_count", "grant_summary", "description")
        return self.list_display

    def get_list_filter(self, request):
        account_filter = ("account",) if request.user.is_superuser else ()
        return (*account_filter, ("grants__policy", admin.RelatedOnlyFieldListFilter))

    @admin.display(description=_("users"), ordering="user_count")
    def user_count(self, group):
        return group.user_count

    @admin.display(description=_("grants"))
    def grant_summary(self, group):
        return ", ".join(f"{grant.policy.name} @ {scope_of(grant)}" for grant in group.grants.all()) or "—"

    def save_model(self, request, obj, form, change):
        account = admin_account(request)
        if account is not None and not change:
            obj.account = account
        super().save_model(request, obj, form, change)


def scope_of(grant: Grant) -> str:
    return grant.project.region_id if grant.project_id else str(_("All projects"))


@admin.register(Grant)
class GrantAdmin(TracedAdmin):
    account_path = "group__account"
    account_rights = frozenset({"view", "add", "delete"})
    trace_events = {"add": "grantPolicy", "delete": "revokePolicy"}
    actions = ["delete_selected"]
    fields = ("group", "policy", "project")
    list_display = ("group", "policy", "scope")
    list_filter = (("policy", admin.RelatedOnlyFieldListFilter), "policy__kind")
    list_select_related = ("group__account", "policy", "project")
    search_fields = ("group__name", "policy__name")

    @admin.display(description=_("scope"), ordering="project__region")
    def scope(self, grant):
        return scope_of(grant)

    def has_change_permission(self, request, obj=None):
        return False  # a different grant is a revocation and a new grant, each checked and traced

    def save_model(self, request, obj, form, change):
        # Grant.clean() has already given the form its error; the service takes the group's lock and writes.
        granted = grant_policy(obj.group, obj.policy, obj.project)
        obj.pk, obj._state.adding = granted.pk, False

    def remove(self, obj):
        revoke_grant(obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ImsError as error:  # the deletion was rolled back with its transaction
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:iam_grant_change", args=[object_id]))

    @admin.action(permissions=["delete"], description=_("Revoke selected grants"))
    def delete_selected(self, request, queryset):
        # Named like Django's action, so its confirmation page posts back here.
        try:
            with transaction.atomic():
                return confirm_and_delete_selected(self, request, queryset)
        except ImsError as error:
            self.message_user(request, error.message, messages.ERROR)
            return None


# Access keys: created only by their user (the secret is shown once there); here enabled, disabled, deleted.


@admin.register(AccessKey)
class AccessKeyAdmin(TracedAdmin):
    account_path = "user__iam__account"
    account_rights = frozenset({"view", "change", "delete"})
    trace_events = {"change": "updateAccessKey", "delete": "deleteAccessKey"}
    actions = ["enable_selected", "disable_selected"]
    fields = ("access_key", "user", "description", "is_active", "created_at", "last_used_at")
    readonly_fields = ("access_key", "user", "created_at", "last_used_at")
    list_display = ("access_key", "user", "is_active", "description", "created_at", "last_used_at")
    list_filter = ("is_active",)
    list_select_related = ("user",)
    search_fields = ("access_key", "user__username", "description")

    def has_add_permission(self, request):
        return False

    @admin.action(permissions=["change"], description=_("Enable selected access keys"))
    def enable_selected(self, request, queryset):
        self._set_active(request, queryset, True)

    @admin.action(permissions=["change"], description=_("Disable selected access keys"))
    def disable_selected(self, request, queryset):
        self._set_active(request, queryset, False)

    @transaction.atomic
    def _set_active(self, request, queryset, active: bool):
        for key in queryset.exclude(is_active=active):
            key.is_active = active
            key.save(update_fields=["is_active"])
            self.trace_object(request, "change", key, {"changed": "is_active"})
