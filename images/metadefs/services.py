"""Changing metadata definitions: a cloud administrator's act, as Glance's default policy makes it.

Every function takes the body already parsed (images/metadefs/inputs.py) and refuses, with Glance's statuses, a
name already taken (409) and a change to a protected namespace's content (403)."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import ImsError
from iam.authz import authorize_cloud_administration
from images.metadefs.models import (
    Namespace,
    ObjectDefinition,
    PropertyDefinition,
    ResourceType,
    ResourceTypeAssociation,
    TagDefinition,
)
from images.metadefs.selectors import get_namespace, get_object, get_property, get_tag, not_found


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


@transaction.atomic
def create_namespace(actor, *, namespace: str, content: dict, associations, properties, objects, tags) -> Namespace:
    authorize_cloud_administration(actor)
    content.setdefault("owner", actor.project.id)
    created = _saved(Namespace(namespace=namespace, **content), "namespace", namespace)
    for association in associations:
        associate_resource_type(actor, namespace=namespace, **association)
    for name, schema in properties.items():
        create_property(actor, namespace=namespace, name=name, schema=schema)
    for definition in objects:
        create_object(actor, namespace=namespace, **definition)
    for name in tags:
        create_tag(actor, namespace=namespace, name=name)
    return created


def update_namespace(actor, *, name: str, namespace: str, content: dict) -> Namespace:
    found = _writable(actor, name)
    found.namespace = namespace
    for field, value in content.items():
        setattr(found, field, value)
    return _saved(found, "namespace", namespace)


def delete_namespace(actor, *, name: str) -> None:
    _unprotected(_writable(actor, name)).delete()


def delete_namespace_content(actor, *, name: str, kind: str) -> None:
    """DELETE …/objects, …/properties or …/tags: all of that kind at once."""
    namespace = _unprotected(_writable(actor, name))
    related = {"objects": "object_definitions", "properties": "property_definitions", "tags": "tag_definitions"}
    getattr(namespace, related[kind]).all().delete()


def create_object(actor, *, namespace: str, name: str, description="", required=(), properties=None):
    found = _writable(actor, namespace)
    definition = ObjectDefinition(
        namespace=found, name=name, description=description, required=list(required), properties=properties or {}
    )
    return _saved(definition, "object", name)


def update_object(actor, *, namespace: str, current: str, name: str, description="", required=(), properties=None):
    _writable(actor, namespace)
    definition = get_object(actor, namespace, current)
    definition.name, definition.description = name, description
    definition.required, definition.properties = list(required), properties or {}
    return _saved(definition, "object", name)


def delete_object(actor, *, namespace: str, name: str) -> None:
    _unprotected(_writable(actor, namespace))
    get_object(actor, namespace, name).delete()


def create_property(actor, *, namespace: str, name: str, schema: dict) -> PropertyDefinition:
    found = _writable(actor, namespace)
    return _saved(PropertyDefinition(namespace=found, name=name, schema=schema), "property", name)


def update_property(actor, *, namespace: str, current: str, name: str, schema: dict) -> PropertyDefinition:
    _writable(actor, namespace)
    definition = get_property(actor, namespace, current)
    definition.name, definition.schema = name, schema
    return _saved(definition, "property", name)


def delete_property(actor, *, namespace: str, name: str) -> None:
    _unprotected(_writable(actor, namespace))
    get_property(actor, namespace, name).delete()


def create_tag(actor, *, namespace: str, name: str) -> TagDefinition:
    found = _writable(actor, namespace)
    return _saved(TagDefinition(namespace=found, name=name), "tag", name)


@transaction.atomic
def replace_tags(actor, *, namespace: str, names: list[str], append: bool = False) -> list[TagDefinition]:
    """POST …/tags: the namespace's tags become these (or are added to, when the client asks to append)."""
    found = _writable(actor, namespace)
    if len(set(names)) != len(names):
        raise ImsError("IMG.0409", _("The same tag is named twice."), 409)
    if not append:
        found.tag_definitions.all().delete()
    return [create_tag(actor, namespace=namespace, name=name) for name in names]


def update_tag(actor, *, namespace: str, current: str, name: str) -> TagDefinition:
    _writable(actor, namespace)
    tag = get_tag(actor, namespace, current)
    tag.name = name
    return _saved(tag, "tag", name)


def delete_tag(actor, *, namespace: str, name: str) -> None:
    _unprotected(_writable(actor, namespace))
    get_tag(actor, namespace, name).delete()


def associate_resource_type(
    actor, *, namespace: str, name: str, prefix: str = "", properties_target: str = ""
) -> ResourceTypeAssociation:
    """Glance creates an unknown resource type on its first association."""
    found = _writable(actor, namespace)
    resource_type, _created = ResourceType.objects.get_or_create(name=name, defaults={"protected": False})
    association = ResourceTypeAssociation(
        namespace=found, resource_type=resource_type, prefix=prefix, properties_target=properties_target
    )
    return _saved(association, "resource type association", name)


def dissociate_resource_type(actor, *, namespace: str, name: str) -> None:
    found = _unprotected(_writable(actor, namespace))
    deleted, _rows = found.associations.filter(resource_type__name=name).delete()
    if not deleted:
        raise not_found("resource type association", name)
