"""Loading the standard namespaces (seeds/standard.json, or an operator's own file of the same shape).

Repeatable: a namespace that exists is left as it is (an administrator may have changed it) unless `replace`
asks for the file's version; resource types are created when missing. Nothing is half-loaded: one transaction.
"""

import json
from pathlib import Path

from django.db import transaction

from images.metadefs.inputs import namespace_create
from images.metadefs.models import (
    Namespace,
    ObjectDefinition,
    PropertyDefinition,
    ResourceType,
    ResourceTypeAssociation,
    TagDefinition,
)

STANDARD = Path(__file__).resolve().parent / "seeds" / "standard.json"


def _content(namespace: Namespace, entry: dict) -> None:
    for association in entry["associations"]:
        resource_type, _ = ResourceType.objects.get_or_create(name=association.pop("name"))
        ResourceTypeAssociation.objects.create(namespace=namespace, resource_type=resource_type, **association)
    PropertyDefinition.objects.bulk_create(
        PropertyDefinition(namespace=namespace, name=name, schema=schema)
        for name, schema in entry["properties"].items()
    )
    ObjectDefinition.objects.bulk_create(ObjectDefinition(namespace=namespace, **item) for item in entry["objects"])
    TagDefinition.objects.bulk_create(TagDefinition(namespace=namespace, name=name) for name in entry["tags"])


@transaction.atomic
def load_metadefs(path: Path = STANDARD, *, replace: bool = False) -> tuple[int, int]:
    """Returns (namespaces created or replaced, namespaces left as they were)."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    for name in document.get("resource_types", []):
        ResourceType.objects.get_or_create(name=name)
    loaded = kept = 0
    for raw in document.get("namespaces", []):
        entry = namespace_create({"visibility": "public", "protected": True, **raw})
        existing = Namespace.objects.filter(namespace=entry["namespace"]).first()
        if existing is not None and not replace:
            kept += 1
            continue
        if existing is not None:
            existing.delete()
        namespace = Namespace.objects.create(namespace=entry["namespace"], **entry["content"])
        _content(namespace, entry)
        loaded += 1
    return loaded, kept
