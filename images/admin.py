"""Images and jobs for the operator; per-image grants for each account's administrators as well."""

from django import forms
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermission

from core.errors import ImsError
from iam.actors import Actor, actor_for_user
from iam.admin_scope import SuperuserOnlyAdmin, TracedAdmin, admin_account
from images import rules
from images.choices import ImageStatus, ImageType
from images.models import Image, Job, MarketListing
from images.object_grants import ACTION_BY_CODENAME, GRANTABLE_ACTIONS, check_image_grant, codename_for
from images.services.grants import grant_image_to_user, revoke_image_from_user
from images.services.market import MarketProduct, publish_market_image, unpublish_market_image


@admin.register(Image)
class ImageAdmin(SuperuserOnlyAdmin):
    list_display = ("name", "id", "region", "image_type", "status", "os_version", "architecture", "created_at")
    list_filter = ("region", "image_type", "status", "architecture", "os_type")
    search_fields = ("name", "id", "os_version")
    readonly_fields = [field.name for field in Image._meta.fields]

    def has_add_permission(self, request):
        return False  # images change only through the service functions


@admin.register(Job)
class JobAdmin(SuperuserOnlyAdmin):
    list_display = ("id", "job_type", "status", "project", "created_at", "end_time")
    list_filter = ("status", "job_type")
    search_fields = ("id", "job_type", "project__account__name")
    readonly_fields = [field.name for field in Job._meta.fields]

    def has_add_permission(self, request):
        return False  # a job is made by the service that starts it, never by hand


class PerImageGrant(UserObjectPermission):
    """Guardian's row seen as what it means here: one user may do one action on one image."""

    class Meta:
        proxy = True
        verbose_name = _("per-image grant")
        verbose_name_plural = _("per-image grants")

    @property
    def action(self) -> str:
        return ACTION_BY_CODENAME.get(self.permission.codename, self.permission.codename)

    def __str__(self):
        return f"{self.user} · {self.action} · {self.object_pk}"


class PerImageGrantForm(forms.ModelForm):
    image = forms.ModelChoiceField(queryset=Image.objects.none(), label=_("image"))
    action = forms.ChoiceField(choices=list(GRANTABLE_ACTIONS.items()), label=_("action"))
    account = None  # the account administrator's account, set per request; None for the operator

    class Meta:
        model = PerImageGrant
        fields = ("user",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        images = Image.objects.filter(image_type=ImageType.PRIVATE)
        self.fields["image"].queryset = images if self.account is None else images.filter(owner__account=self.account)

    def clean(self):
        cleaned = super().clean()
        user, image, action = cleaned.get("user"), cleaned.get("image"), cleaned.get("action")
        if user is not None and image is not None and action:
            try:
                check_image_grant(user, image, action)
            except ImsError as error:
                raise ValidationError(error.message) from None
        return cleaned


class ActionFilter(admin.SimpleListFilter):
    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return list(GRANTABLE_ACTIONS.items())

    def queryset(self, request, queryset):
        if self.value() in GRANTABLE_ACTIONS:
            return queryset.filter(permission__codename=codename_for(self.value()))
        return queryset


@admin.register(PerImageGrant)
class PerImageGrantAdmin(TracedAdmin):
    form = PerImageGrantForm
    account_path = "user__iam__account"
    account_rights = frozenset({"view", "add", "delete"})
    trace_events = {"delete": "revokeImage"}  # a leftover row (its image gone); the services trace the rest
    list_display = ("user", "image_name", "action_name")
    list_filter = (ActionFilter,)
    readonly_fields = ("image_name", "action_name")
    search_fields = ("user__username",)

    def get_queryset(self, request):
        images = ContentType.objects.get_for_model(Image)
        return (
            super()
            .get_queryset(request)
            .filter(content_type=images)
            .select_related("user", "permission")
            .prefetch_related("content_object")
        )

    def scope_to(self, queryset, account):
        # object_pk is text: compare with the account's image ids written the same way.
        own_images = Image.objects.filter(owner__account=account).values_list("pk", flat=True)
        return super().scope_to(queryset, account).filter(object_pk__in=[str(pk) for pk in own_images])

    def get_fields(self, request, obj=None):
        return ("user", "image", "action") if obj is None else ("user", "image_name", "action_name")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.account = admin_account(request)  # a class made for this request alone
        return form

    def has_change_permission(self, request, obj=None):
        return False  # a different grant is a revocation and a new grant

    @admin.display(description=_("image"))
    def image_name(self, grant):
        image = grant.content_object
        return image.name if image is not None else grant.object_pk

    @admin.display(description=_("action"), ordering="permission__codename")
    def action_name(self, grant):
        return grant.action

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        row = grant_image_to_user(
            admin_actor(request, data["image"]), image=data["image"], user=data["user"], action=data["action"]
        )
        obj.pk, obj._state.adding = row.pk, False
        obj.permission, obj.content_type, obj.object_pk = row.permission, row.content_type, row.object_pk

    def save_related(self, request, form, formsets, change):
        # The service traced the grant; TracedAdmin's own trace would be a second row.
        super(TracedAdmin, self).save_related(request, form, formsets, change)

    def delete_model(self, request, obj):
        image = obj.content_object
        if image is None:
            super().delete_model(request, obj)  # the image is gone: a leftover row, deleted and traced here
        else:
            revoke_image_from_user(admin_actor(request, image), image=image, user=obj.user, action=obj.action)


def admin_actor(request, image: Image) -> Actor:
    """The signed-in administrator acting in the image's project: the operator has no account of their own."""
    return actor_for_user(request.user, image.owner, via="admin", request=request)


class MarketListingForm(forms.ModelForm):
    """The operator's publishing form: a private image and the vendor's product description."""

    class Meta:
        model = MarketListing
        fields = ("source", "vendor", "product_code", "price_label", "description", "usage_notes", "software")
        labels = {"source": _("private image to publish")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "source" in self.fields:
            self.fields["source"].queryset = Image.objects.filter(
                image_type=ImageType.PRIVATE, status=ImageStatus.ACTIVE, system_support_market=False
            ).exclude(product_code__gt="")

    def clean_source(self):
        image = self.cleaned_data["source"]
        if refusal := rules.publish_refusal(image):
            raise ValidationError(refusal.message)
        return image


@admin.register(MarketListing)
class MarketListingAdmin(SuperuserOnlyAdmin):
    """Publishing (add) and withdrawing (delete) market images: both through the market services."""

    form = MarketListingForm
    list_display = ("product_code", "vendor", "image", "price_label", "listed", "published_at")
    list_filter = ("listed", "vendor")
    search_fields = ("product_code", "vendor", "image__name")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("source", "image", "vendor", "product_code", "listed", "published_at")

    def has_change_permission(self, request, obj=None):
        return False  # a listing is published or withdrawn, not edited

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.listed)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        product = MarketProduct(**{key: data[key] for key in form.Meta.fields if key != "source"})
        # The form ran the same refusals (clean_source, the unique product code); only a race gets past them.
        listing = publish_market_image(admin_actor(request, data["source"]), image=data["source"], product=product)
        obj.pk, obj.image_id, obj._state.adding = listing.pk, listing.image_id, False

    def delete_model(self, request, obj):
        unpublish_market_image(admin_actor(request, obj.source), listing=obj)

    def delete_queryset(self, request, queryset):
        for listing in queryset.filter(listed=True).select_related("source"):
            self.delete_model(request, listing)
