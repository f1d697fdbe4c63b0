"""Django admin for two audiences: the platform operator (a superuser) and each account's administrators.

An account administrator is an active staff user with a Member row. Such users hold no Django model
permissions; the mixins below are what lets them in, and only to their own account's objects: another
account's object is simply not in the queryset, so its URL gives the admin's usual "doesn't exist".
Every change made through these admins is traced like the console's, with via="admin".
"""

import re

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from audit.recorder import record
from core.context import client_ip
from iam.models import Account, Group, Policy, Project

ALL_RIGHTS = frozenset({"view", "add", "change", "delete"})


def admin_account(request) -> Account | None:
    """The account the signed-in account administrator manages; None for superusers and everyone else."""
    user = request.user
    if user.is_superuser or not (user.is_active and user.is_staff):
        return None
    membership = getattr(user, "iam", None)
    return membership.account if membership is not None else None


def account_users(account: Account):
    # Superusers are the operator's; an account administrator never sees or picks one.
    return get_user_model().objects.filter(iam__account=account, is_superuser=False)


def choices_for(model, account: Account):
    """What an account administrator may pick for a relation to `model`; None: no limit known."""
    if model is get_user_model():
        return account_users(account)
    choices = {
        Account: lambda: Account.objects.filter(pk=account.pk),
        Group: lambda: Group.objects.filter(account=account),
        Project: lambda: Project.objects.filter(account=account),
        Policy: lambda: Policy.objects.filter(Q(account=account) | Q(account__isnull=True)),
    }
    return choices[model]() if model in choices else None


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """Models of the platform (regions, accounts, images, jobs, buckets): the operator's alone, whatever
    Django permissions a staff user may have been given by hand."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class AccountScopedAdmin(admin.ModelAdmin):
    """Superusers see everything; an account administrator sees and picks only their account's objects.

    `account_path`: the lookup from the model to its Account. `account_rights`: what an account
    administrator may do with their own objects.
    """

    account_path = "account"
    account_rights = ALL_RIGHTS

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        account = admin_account(request)
        return self.scope_to(queryset, account) if account is not None else queryset.none()

    def scope_to(self, queryset, account):
        return queryset.filter(**{self.account_path: account})

    def account_id_of(self, obj) -> str:
        *hops, last = self.account_path.split("__")
        for hop in hops:
            obj = getattr(obj, hop, None)  # a user without a Member row has no account
        return getattr(obj, f"{last}_id", None) or ""

    def _account_may(self, request, right: str, obj) -> bool:
        if right not in self.account_rights or admin_account(request) is None:
            return False
        # "Belongs to the account" means exactly "is in the scoped queryset": one definition, no drift.
        return obj is None or obj.pk is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_module_permission(self, request):
        return request.user.is_superuser or self._account_may(request, "view", None)

    def has_view_permission(self, request, obj=None):
        if request.user.is_superuser:
            return super().has_view_permission(request, obj)
        return self._account_may(request, "view", obj) or self._account_may(request, "change", obj)

    def has_add_permission(self, request, *args):
        if request.user.is_superuser:
            return super().has_add_permission(request, *args)
        return self._account_may(request, "add", None)

    def has_change_permission(self, request, obj=None):
        if request.user.is_superuser:
            return super().has_change_permission(request, obj)
        return self._account_may(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        if request.user.is_superuser:
            return super().has_delete_permission(request, obj)
        return self._account_may(request, "delete", obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        account = admin_account(request)
        if account is not None:
            self._limit_choices(db_field, account, kwargs)
            if db_field.related_model is Account:
                # Shown, not chosen: the model's own checks (unique names per account) still see the value.
                kwargs.update(initial=account.pk, disabled=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        account = admin_account(request)
        if account is not None:
            self._limit_choices(db_field, account, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @staticmethod
    def _limit_choices(db_field, account, kwargs):
        choices = choices_for(db_field.related_model, account)
        if choices is not None:
            kwargs["queryset"] = choices


def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class TracedAdmin(AccountScopedAdmin):
    """One audit trace per object added, changed or deleted through the admin, in the object's account.

    Adds and changes are traced in `save_related`, the last step of saving a form (inlines and
    many-to-many included); deletions after the row is gone, so a refused deletion leaves no trace.
    """

    trace_events = {}  # "add" / "change" / "delete" → the product's event name, e.g. "createGroup"

    def trace(self, request, event: str, *, resource_id, resource_name, account_id: str, summary=None):
        record(
            event=event,
            operation=snake_case(event),
            resource_type="iam",
            resource_id=str(resource_id),
            resource_name=str(resource_name),
            account_id=account_id or "",
            username=request.user.get_username(),
            summary=summary,
            context={"source_ip": client_ip(request), "via": "admin"},
        )

    def trace_object(self, request, kind: str, obj, summary=None):
        self.trace(
            request,
            self.trace_events[kind],
            resource_id=obj.pk,
            resource_name=obj,
            account_id=self.account_id_of(obj),
            summary=summary,
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.trace_object(
            request,
            "change" if change else "add",
            form.instance,
            {"changed": ", ".join(form.changed_data)} if change else None,
        )

    def delete_model(self, request, obj):
        pk, name, account_id = obj.pk, str(obj), self.account_id_of(obj)
        self.remove(obj)
        self.trace(request, self.trace_events["delete"], resource_id=pk, resource_name=name, account_id=account_id)

    def remove(self, obj):
        """How one object is deleted; an admin whose model has a service for it calls the service."""
        obj.delete()

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for obj in queryset:  # one at a time, so every deletion has its trace and its checks
            self.delete_model(request, obj)
