"""The bodies of the metadata definition calls, checked and reduced to the services' keyword arguments.

Glance's own limits: names of 1 to 80 characters (tags 255), visibility public or private, a property a JSON
schema with at least a title and a type."""

from django.utils.translation import gettext as _

from core.errors import ImsError, invalid

NAME_LIMIT = 80
TAG_LIMIT = 255
PROPERTY_TYPES = ("array", "boolean", "integer", "number", "object", "string", "null")
NAMESPACE_FIELDS = ("display_name", "description", "visibility", "protected", "owner")


def body_object(data) -> dict:
    if not isinstance(data, dict):
        raise ImsError("IMG.0001", _("The request body must be a JSON object."))
    return data


def name(field: str, value, limit: int = NAME_LIMIT) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise invalid(field, _("must be 1 to %(n)d characters.") % {"n": limit})
    if "/" in value:
        raise invalid(field, _("must not contain '/'."))
    return value


def _text(field: str, value, limit: int = 10000) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise invalid(field, _("must be text of at most %(n)d characters.") % {"n": limit})
    return value


def _bool(field: str, value) -> bool:
    if not isinstance(value, bool):
        raise invalid(field, _("must be true or false."))
    return value


def namespace_content(body: dict) -> dict:
    """The namespace's own fields present in the body (PUT replaces those given)."""
    content = {}
    for field in NAMESPACE_FIELDS:
        if field not in body:
            continue
        value = body[field]
        if field == "visibility":
            if value not in ("public", "private"):
                raise invalid("visibility", _("must be public or private."))
            content[field] = value
        elif field == "protected":
            content[field] = _bool(field, value)
        else:
            content[field] = _text(field, value, NAME_LIMIT if field != "description" else 10000)
    return content


def property_schema(field: str, value) -> dict:
    if not isinstance(value, dict):
        raise invalid(field, _("must be a JSON object describing the property."))
    schema = {key: item for key, item in value.items() if key != "name"}
    if not isinstance(schema.get("title"), str) or not schema["title"]:
        raise invalid(field, _("needs a title."))
    if schema.get("type") not in PROPERTY_TYPES:
        raise invalid(field, _("type must be one of: %(types)s.") % {"types": ", ".join(PROPERTY_TYPES)})
    return schema


def properties_map(field: str, value) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid(field, _("must be a JSON object of properties by name."))
    return {name(field, key): property_schema(f"{field}.{key}", schema) for key, schema in value.items()}


def object_body(data) -> dict:
    body = body_object(data)
    required = body.get("required") or []
    if not isinstance(required, list) or not all(isinstance(item, str) for item in required):
        raise invalid("required", _("must be a list of property names."))
    return {
        "name": name("name", body.get("name")),
        "description": _text("description", body.get("description")),
        "required": required,
        "properties": properties_map("properties", body.get("properties")),
    }


def association_body(data) -> dict:
    body = body_object(data)
    return {
        "name": name("name", body.get("name")),
        "prefix": _text("prefix", body.get("prefix"), NAME_LIMIT),
        "properties_target": _text("properties_target", body.get("properties_target"), NAME_LIMIT),
    }


def tag_names(data) -> list[str]:
    tags = body_object(data).get("tags")
    if not isinstance(tags, list) or not all(isinstance(tag, dict) for tag in tags):
        raise invalid("tags", _('must be a list of objects such as {"name": "…"}.'))
    return [name("tags.name", tag.get("name"), TAG_LIMIT) for tag in tags]


def namespace_create(data) -> dict:
    body = body_object(data)
    associations = body.get("resource_type_associations") or []
    objects = body.get("objects") or []
    if not isinstance(associations, list) or not isinstance(objects, list):
        raise invalid("body", _("resource_type_associations and objects must be lists."))
    return {
        "namespace": name("namespace", body.get("namespace")),
        "content": namespace_content(body),
        "associations": [association_body(item) for item in associations],
        "properties": properties_map("properties", body.get("properties")),
        "objects": [object_body(item) for item in objects],
        "tags": tag_names(body) if body.get("tags") else [],
    }
