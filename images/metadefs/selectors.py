"""Reading metadata definitions: public namespaces for everyone, private ones for their project and a cloud
administrator; a namespace the actor may not read is simply not found."""

from django.db.models import Q
from django.utils.translation import gettext as _

from core.errors import ImsError, invalid
from iam.authz import is_cloud_admin
from images.metadefs.models import Namespace, ObjectDefinition, PropertyDefinition, ResourceType, TagDefinition

SORT_KEYS = ("namespace", "created_at", "updated_at")
MAX_LIMIT = 1000


def not_found(kind: str, name: str) -> ImsError:
    return ImsError(
        "IMG.0404", _("No metadata definition %(kind)s named %(name)s.") % {"kind": kind, "name": name}, 404
    )


def readable_namespaces(actor):
    if is_cloud_admin(actor):
        return Namespace.objects.all()
    return Namespace.objects.filter(Q(visibility="public") | Q(owner=actor.project.id))


def get_namespace(actor, name: str) -> Namespace:
    namespace = readable_namespaces(actor).filter(namespace=name).first()
    if namespace is None:
        raise not_found("namespace", name)
    return namespace


def list_namespaces(actor, query) -> list[Namespace]:
    namespaces = readable_namespaces(actor)
    if query.get("visibility"):
        if query["visibility"] not in ("public", "private"):
            raise invalid("visibility", _("must be public or private."))
        namespaces = namespaces.filter(visibility=query["visibility"])
    if query.get("resource_types"):
        names = [name.strip() for name in query["resource_types"].split(",") if name.strip()]
        namespaces = namespaces.filter(associations__resource_type__name__in=names).distinct()
    key = query.get("sort_key") or "created_at"
    direction = query.get("sort_dir") or "desc"
    if key not in SORT_KEYS or direction not in ("asc", "desc"):
        raise invalid("sort_key", _("sort by namespace, created_at or updated_at, asc or desc."))
    ordered = namespaces.order_by(("-" if direction == "desc" else "") + key, "namespace")
    return list(ordered.prefetch_related("associations__resource_type")[: _limit(query.get("limit"))])


def _limit(value) -> int:
    if value in (None, ""):
        return MAX_LIMIT
    try:
        limit = int(value)
    except (TypeError, ValueError):
        raise invalid("limit", _("must be a whole number.")) from None
    if limit < 1:
        raise invalid("limit", _("must be at least 1."))
    return min(limit, MAX_LIMIT)


def _member(queryset, kind: str, name: str):
    found = queryset.filter(name=name).first()
    if found is None:
        raise not_found(kind, name)
    return found


def get_object(actor, namespace: str, name: str) -> ObjectDefinition:
    return _member(get_namespace(actor, namespace).object_definitions.all(), "object", name)


def get_property(actor, namespace: str, name: str) -> PropertyDefinition:
    return _member(get_namespace(actor, namespace).property_definitions.all(), "property", name)


def get_tag(actor, namespace: str, name: str) -> TagDefinition:
    return _member(get_namespace(actor, namespace).tag_definitions.all(), "tag", name)


def list_resource_types() -> list[ResourceType]:
    return list(ResourceType.objects.all())
