"""Changing metadata definitions: a cloud administrator's act, as Glance's default policy makes it.

One `@operation` per write of Glance's API (iam/catalogue.py: `ims:metadefs:*`, traced as `createMetadefNamespace`,
…), so every write and every refusal is authorized and traced in one place. The operator also needs a policy that
allows the action (IMS FullAccess does); being a cloud administrator is checked on top, before any lookup.

Every function takes the body already parsed (images/metadefs/inputs.py) and refuses, with Glance's statuses, a
name already taken (409) and a change to a protected namespace's content (403)."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import ImsError
from iam.authz import authorize_cloud_administration
from iam.operations import operation
from images.metadefs.models import (
    Namespace,
    ObjectDefinition,
    PropertyDefinition,
    ResourceType,
    ResourceTypeAssociation,
    TagDefinition,
)
from images.metadefs.selectors import get_namespace, get_object, get_property, get_tag, not_found

__all__ = [
    "associate_resource_type",
    "create_namespace",
    "create_object",
    "create_property",
    "create_tag",
    "delete_namespace",
    "delete_object",
    "delete_objects",
    "delete_properties",
    "delete_property",
    "delete_tag",
    "delete_tags",
    "dissociate_resource_type",
    "replace_tags",
    "update_namespace",
    "update_object",
    "update_property",
    "update_tag",
]


@dataclass(frozen=True)
class Deleted:
    """What a deletion returns: enough for its audit trace to name what is gone."""

    pk: str
    name: str


def _deleted(instance, name: str) -> Deleted:
    named = Deleted(pk=str(instance.pk), name=name)
    instance.delete()
    return named


def _summary(kwargs) -> dict:
    keys = ("namespace", "name", "current", "kind")
    return {key: str(kwargs[key]) for key in keys if isinstance(kwargs.get(key), str)}


def taken(kind: str, name: str) -> ImsError:
    return ImsError("IMG.0409", _("A %(kind)s named %(name)s already exists.") % {"kind": kind, "name": name}, 409)


def _writable(actor, name: str) -> Namespace:
    authorize_cloud_administration(actor)
    return get_namespace(actor, name)


def _unprotected(namespace: Namespace) -> Namespace:
    if namespace.protected:
        raise ImsError(
            "IMG.0403",
            _("Namespace %(name)s is protected: set protected to false before deleting from it.")
            % {"name": namespace.namespace},
            403,
        )
    return namespace


def _saved(instance, kind: str, name: str):
    """Save, turning the unique constraint's refusal into Glance's 409 (two requests may race past a check)."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise taken(kind, name) from None
    return instance


# ---- namespaces --------------------------------------------------------------------------------------------------


@operation("glance_create_metadef_namespace", summary=_summary)
def create_namespace(actor, *, namespace: str, content: dict, associations, properties, objects, tags) -> Namespace:
    """A namespace with the content Glance lets its create body carry, all or nothing (one transaction)."""
    authorize_cloud_administration(actor)
    content.setdefault("owner", actor.project.id)
    created = _saved(Namespace(namespace=namespace, **content), "namespace", namespace)
    for association in associations:
        _associate(created, **association)
    for name, schema in properties.items():
        _create_property(created, name=name, schema=schema)
    for definition in objects:
        _create_object(created, **definition)
    for name in tags:
        _create_tag(created, name)
    return created


@operation("glance_update_metadef_namespace", summary=_summary)
def update_namespace(actor, *, name: str, namespace: str, content: dict) -> Namespace:
    found = _writable(actor, name)
    found.namespace = namespace
    for field, value in content.items():
        setattr(found, field, value)
    return _saved(found, "namespace", namespace)


@operation("glance_delete_metadef_namespace", summary=_summary)
def delete_namespace(actor, *, name: str) -> Deleted:
    return _deleted(_unprotected(_writable(actor, name)), name)


CONTENT = {"objects": "object_definitions", "properties": "property_definitions", "tags": "tag_definitions"}


def _delete_content(actor, name: str, kind: str) -> Deleted:
    namespace = _unprotected(_writable(actor, name))
    getattr(namespace, CONTENT[kind]).all().delete()
    return Deleted(pk=str(namespace.pk), name=namespace.namespace)


# DELETE …/objects, …/properties or …/tags: all of that kind at once, each kind its own operation.
@operation("glance_delete_metadef_objects", summary=_summary)
def delete_objects(actor, *, name: str) -> Deleted:
    return _delete_content(actor, name, "objects")


@operation("glance_delete_metadef_properties", summary=_summary)
def delete_properties(actor, *, name: str) -> Deleted:
    return _delete_content(actor, name, "properties")


@operation("glance_delete_metadef_tags", summary=_summary)
def delete_tags(actor, *, name: str) -> Deleted:
    return _delete_content(actor, name, "tags")


# ---- objects -----------------------------------------------------------------------------------------------------


def _create_object(namespace: Namespace, *, name: str, description="", required=(), properties=None):
    definition = ObjectDefinition(
        namespace=namespace, name=name, description=description, required=list(required), properties=properties or {}
    )
    return _saved(definition, "object", name)


@operation("glance_create_metadef_object", summary=_summary)
def create_object(actor, *, namespace: str, name: str, description="", required=(), properties=None):
    found = _writable(actor, namespace)
    return _create_object(found, name=name, description=description, required=required, properties=properties)


@operation("glance_update_metadef_object", summary=_summary)
def update_object(actor, *, namespace: str, current: str, name: str, description="", required=(), properties=None):
    _writable(actor, namespace)
    definition = get_object(actor, namespace, current)
    definition.name, definition.description = name, description
    definition.required, definition.properties = list(required), properties or {}
    return _saved(definition, "object", name)


@operation("glance_delete_metadef_object", summary=_summary)
def delete_object(actor, *, namespace: str, name: str) -> Deleted:
    _unprotected(_writable(actor, namespace))
    return _deleted(get_object(actor, namespace, name), name)


# ---- properties --------------------------------------------------------------------------------------------------


def _create_property(namespace: Namespace, *, name: str, schema: dict) -> PropertyDefinition:
    return _saved(PropertyDefinition(namespace=namespace, name=name, schema=schema), "property", name)


@operation("glance_create_metadef_property", summary=_summary)
def create_property(actor, *, namespace: str, name: str, schema: dict) -> PropertyDefinition:
    return _create_property(_writable(actor, namespace), name=name, schema=schema)


@operation("glance_update_metadef_property", summary=_summary)
def update_property(actor, *, namespace: str, current: str, name: str, schema: dict) -> PropertyDefinition:
    _writable(actor, namespace)
    definition = get_property(actor, namespace, current)
    definition.name, definition.schema = name, schema
    return _saved(definition, "property", name)


@operation("glance_delete_metadef_property", summary=_summary)
def delete_property(actor, *, namespace: str, name: str) -> Deleted:
    _unprotected(_writable(actor, namespace))
    return _deleted(get_property(actor, namespace, name), name)


# ---- tags --------------------------------------------------------------------------------------------------------


def _create_tag(namespace: Namespace, name: str) -> TagDefinition:
    return _saved(TagDefinition(namespace=namespace, name=name), "tag", name)


@operation("glance_create_metadef_tag", summary=_summary)
def create_tag(actor, *, namespace: str, name: str) -> TagDefinition:
    return _create_tag(_writable(actor, namespace), name)


@operation("glance_create_metadef_tags", summary=_summary)
def replace_tags(actor, *, namespace: str, names: list[str], append: bool = False) -> list[TagDefinition]:
    """POST …/tags: the namespace's tags become these (or are added to, when the client asks to append)."""
    found = _writable(actor, namespace)
    if len(set(names)) != len(names):
        raise ImsError("IMG.0409", _("The same tag is named twice."), 409)
    if not append:
        found.tag_definitions.all().delete()
    return [_create_tag(found, name) for name in names]


@operation("glance_update_metadef_tag", summary=_summary)
def update_tag(actor, *, namespace: str, current: str, name: str) -> TagDefinition:
    _writable(actor, namespace)
    tag = get_tag(actor, namespace, current)
    tag.name = name
    return _saved(tag, "tag", name)


@operation("glance_delete_metadef_tag", summary=_summary)
def delete_tag(actor, *, namespace: str, name: str) -> Deleted:
    _unprotected(_writable(actor, namespace))
    return _deleted(get_tag(actor, namespace, name), name)


# ---- resource type associations ----------------------------------------------------------------------------------


def _associate(namespace: Namespace, *, name: str, prefix: str = "", properties_target: str = ""):
    """Glance creates an unknown resource type on its first association."""
    resource_type, _created = ResourceType.objects.get_or_create(name=name, defaults={"protected": False})
    association = ResourceTypeAssociation(
        namespace=namespace, resource_type=resource_type, prefix=prefix, properties_target=properties_target
    )
    return _saved(association, "resource type association", name)


@operation("glance_create_metadef_resource_type_association", summary=_summary)
def associate_resource_type(
    actor, *, namespace: str, name: str, prefix: str = "", properties_target: str = ""
) -> ResourceTypeAssociation:
    return _associate(_writable(actor, namespace), name=name, prefix=prefix, properties_target=properties_target)


@operation("glance_delete_metadef_resource_type_association", summary=_summary)
def dissociate_resource_type(actor, *, namespace: str, name: str) -> Deleted:
    found = _unprotected(_writable(actor, namespace))
    deleted, _rows = found.associations.filter(resource_type__name=name).delete()
    if not deleted:
        raise not_found("resource type association", name)
    return Deleted(pk=str(found.pk), name=f"{found.namespace}:{name}")
