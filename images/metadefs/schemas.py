"""The JSON schemas of the metadata definitions (`GET /v2/schemas/metadefs/{name}`), written for this service.

Clients such as Horizon read them to build their forms; they describe exactly what images/metadefs/bodies.py
answers and images/metadefs/inputs.py accepts.
"""

TIMES = {
    "created_at": {"type": "string", "format": "date-time"},
    "updated_at": {"type": "string", "format": "date-time"},
}
NAME = {"type": "string", "minLength": 1, "maxLength": 80}
PROPERTY_KEYWORDS = {
    "name": NAME,
    "title": {"type": "string"},
    "description": {"type": "string"},
    "type": {"type": "string", "enum": ["array", "boolean", "integer", "number", "object", "string", "null"]},
    "enum": {"type": "array"},
    "default": {},
    "minimum": {"type": "number"},
    "maximum": {"type": "number"},
    "minLength": {"type": "integer", "minimum": 0},
    "maxLength": {"type": "integer", "minimum": 0},
    "pattern": {"type": "string", "format": "regex"},
    "items": {"type": "object"},
    "readonly": {"type": "boolean"},
    "operators": {"type": "array", "items": {"type": "string"}},
}
PROPERTY = {"type": "object", "required": ["title", "type"], "properties": PROPERTY_KEYWORDS}
ASSOCIATION = {
    "name": "resource_type_association",
    "properties": {
        "name": NAME,
        "prefix": {"type": "string", "maxLength": 80},
        "properties_target": {"type": "string", "maxLength": 80},
        **TIMES,
    },
    "required": ["name"],
    "additionalProperties": False,
}
OBJECT = {
    "name": "object",
    "properties": {
        "name": NAME,
        "description": {"type": "string"},
        "required": {"type": "array", "items": {"type": "string"}},
        "properties": {"type": "object", "additionalProperties": PROPERTY},
        "schema": {"type": "string", "readOnly": True},
        "self": {"type": "string", "readOnly": True},
        **TIMES,
    },
    "required": ["name"],
    "additionalProperties": False,
}
TAG = {"name": "tag", "properties": {"name": {"type": "string", "maxLength": 255}, **TIMES}, "required": ["name"]}
NAMESPACE = {
    "name": "namespace",
    "properties": {
        "namespace": NAME,
        "display_name": {"type": "string", "maxLength": 80},
        "description": {"type": "string", "maxLength": 10000},
        "visibility": {"type": "string", "enum": ["public", "private"]},
        "protected": {"type": "boolean"},
        "owner": {"type": "string", "maxLength": 255},
        "resource_type_associations": {"type": "array", "items": ASSOCIATION},
        "properties": {"type": "object", "additionalProperties": PROPERTY},
        "objects": {"type": "array", "items": OBJECT},
        "tags": {"type": "array", "items": TAG},
        "schema": {"type": "string", "readOnly": True},
        "self": {"type": "string", "readOnly": True},
        **TIMES,
    },
    "required": ["namespace"],
    "additionalProperties": False,
}


def _collection(name: str, key: str, item: dict) -> dict:
    return {
        "name": name,
        "properties": {
            key: {"type": "array", "items": item},
            "schema": {"type": "string"},
            "first": {"type": "string"},
            "next": {"type": "string"},
        },
        "links": [{"rel": "first", "href": "{first}"}, {"rel": "next", "href": "{next}"}],
    }


SCHEMAS = {
    "namespace": NAMESPACE,
    "namespaces": _collection("namespaces", "namespaces", NAMESPACE),
    "resource_type": ASSOCIATION,
    "resource_types": _collection("resource_type_associations", "resource_type_associations", ASSOCIATION),
    "object": OBJECT,
    "objects": _collection("objects", "objects", OBJECT),
    "property": {"name": "property", **PROPERTY},
    "properties": {
        "name": "properties",
        "properties": {
            "properties": {"type": "object", "additionalProperties": PROPERTY},
            "schema": {"type": "string"},
        },
    },
    "tag": TAG,
    "tags": _collection("tags", "tags", TAG),
}
