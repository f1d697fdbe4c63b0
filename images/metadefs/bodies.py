"""Metadata definitions as Glance's API shows them."""

BASE = "/v2/metadefs/namespaces"


def utc(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def association_body(association) -> dict:
    body = {
        "name": association.resource_type.name,
        "created_at": utc(association.created_at),
        "updated_at": utc(association.updated_at),
    }
    if association.prefix:
        body["prefix"] = association.prefix
    if association.properties_target:
        body["properties_target"] = association.properties_target
    return body


def property_body(definition) -> dict:
    return {"name": definition.name, **definition.schema}


def properties_body(definitions) -> dict:
    return {definition.name: dict(definition.schema) for definition in definitions}


def object_body(definition) -> dict:
    namespace = definition.namespace.namespace
    return {
        "name": definition.name,
        "description": definition.description,
        "required": definition.required,
        "properties": definition.properties,
        "schema": "/v2/schemas/metadefs/object",
        "self": f"{BASE}/{namespace}/objects/{definition.name}",
        "created_at": utc(definition.created_at),
        "updated_at": utc(definition.updated_at),
    }


def tag_body(tag) -> dict:
    return {"name": tag.name, "created_at": utc(tag.created_at), "updated_at": utc(tag.updated_at)}


def namespace_summary(namespace) -> dict:
    body = {
        "namespace": namespace.namespace,
        "display_name": namespace.display_name,
        "description": namespace.description,
        "visibility": namespace.visibility,
        "protected": namespace.protected,
        "owner": namespace.owner,
        "schema": "/v2/schemas/metadefs/namespace",
        "self": f"{BASE}/{namespace.namespace}",
        "created_at": utc(namespace.created_at),
        "updated_at": utc(namespace.updated_at),
    }
    associations = [association_body(association) for association in namespace.associations.all()]
    if associations:
        body["resource_type_associations"] = associations
    return body


def namespace_body(namespace) -> dict:
    """One namespace with its content, as `GET /v2/metadefs/namespaces/{namespace}` shows it."""
    body = namespace_summary(namespace)
    properties = properties_body(namespace.property_definitions.all())
    objects = [object_body(definition) for definition in namespace.object_definitions.all()]
    tags = [{"name": tag.name} for tag in namespace.tag_definitions.all()]
    body.update(
        {key: value for key, value in (("properties", properties), ("objects", objects), ("tags", tags)) if value}
    )
    return body


def resource_type_body(resource_type) -> dict:
    return {
        "name": resource_type.name,
        "created_at": utc(resource_type.created_at),
        "updated_at": utc(resource_type.updated_at),
    }
