"""The permission matrix's metadata-definitions part: Glance's metadefs writes are a cloud administrator's (the
platform operator's) alone, whatever a tenant's policies say, so every kind of the matrix is refused every one.
The world holds one unprotected namespace of A's project with an object, a property, a tag and an association,
so that each case names something that exists."""

from iam.authz import CLOUD_ADMINISTRATION
from images.metadefs import inputs
from images.metadefs import services as metadefs
from images.metadefs.models import Namespace, ObjectDefinition, PropertyDefinition, ResourceType, TagDefinition

PARTS = frozenset({"namespace"})
NAME = "matrix-ns"
MD = f"/v2/metadefs/namespaces/{NAME}"
# Needed beyond the catalogue's `ims:metadefs:*` action: being a cloud administrator, which no kind here is.
OPERATOR = frozenset({CLOUD_ADMINISTRATION})

NEW_PROPERTY = {"name": "depth", "title": "Depth", "type": "integer"}
SPEED = {"name": "speed", "title": "Speed", "type": "integer", "minimum": 1}
ASSOCIATION = {"name": "OS::Glance::Image", "prefix": "matrix_"}


def build(world, parts: frozenset, system) -> None:
    """A's namespace `matrix-ns` with object Disk, property speed, tag a and an association to volumes."""
    namespace = Namespace.objects.create(namespace=NAME, owner=world.project.pk, visibility="private")
    ObjectDefinition.objects.create(namespace=namespace, name="Disk", required=["speed"])
    PropertyDefinition.objects.create(namespace=namespace, name="speed", schema=inputs.property_schema("p", SPEED))
    TagDefinition.objects.create(namespace=namespace, name="a")
    volume, _created = ResourceType.objects.get_or_create(name="OS::Cinder::Volume")
    namespace.associations.create(resource_type=volume)
    world.namespace = namespace


def fingerprint_rows(account) -> tuple:
    projects = list(account.projects.values_list("pk", flat=True))
    return (
        Namespace.objects.filter(owner__in=projects).values_list("namespace", "description", "protected"),
        ObjectDefinition.objects.filter(namespace__owner__in=projects).values_list("namespace_id", "name"),
        PropertyDefinition.objects.filter(namespace__owner__in=projects).values_list("namespace_id", "name"),
        TagDefinition.objects.filter(namespace__owner__in=projects).values_list("namespace_id", "name"),
        Namespace.objects.filter(owner__in=projects).values_list("namespace", "associations__resource_type__name"),
    )


def _send(method: str, tail: str = "", body=None):
    return lambda c, w: c.send(method, MD + tail, body)


def cases(case) -> dict:
    def operator_only(api, service, **options):
        return case(api, service, PARTS, foreign=False, also_needs=OPERATOR, **options)

    return {
        "glance_create_metadef_namespace": case(
            lambda c, w: c.send("POST", "/v2/metadefs/namespaces", {"namespace": "matrix-new"}),
            lambda a, w: metadefs.create_namespace(a, **inputs.namespace_create({"namespace": "matrix-new"})),
            foreign=False,
            also_needs=OPERATOR,
        ),
        "glance_update_metadef_namespace": operator_only(
            _send("PUT", "", {"namespace": NAME, "description": "changed"}),
            lambda a, w: metadefs.update_namespace(
                a, name=NAME, namespace=NAME, content=inputs.namespace_content({"description": "changed"})
            ),
        ),
        "glance_delete_metadef_namespace": operator_only(
            _send("DELETE"), lambda a, w: metadefs.delete_namespace(a, name=NAME)
        ),
        "glance_create_metadef_object": operator_only(
            _send("POST", "/objects", {"name": "Network"}),
            lambda a, w: metadefs.create_object(a, namespace=NAME, **inputs.object_body({"name": "Network"})),
        ),
        "glance_delete_metadef_objects": operator_only(
            _send("DELETE", "/objects"), lambda a, w: metadefs.delete_objects(a, name=NAME)
        ),
        "glance_update_metadef_object": operator_only(
            _send("PUT", "/objects/Disk", {"name": "Disk", "description": "changed"}),
            lambda a, w: metadefs.update_object(
                a, namespace=NAME, current="Disk", **inputs.object_body({"name": "Disk", "description": "changed"})
            ),
        ),
        "glance_delete_metadef_object": operator_only(
            _send("DELETE", "/objects/Disk"), lambda a, w: metadefs.delete_object(a, namespace=NAME, name="Disk")
        ),
        "glance_create_metadef_property": operator_only(
            _send("POST", "/properties", NEW_PROPERTY),
            lambda a, w: metadefs.create_property(
                a, namespace=NAME, name="depth", schema=inputs.property_schema("property", NEW_PROPERTY)
            ),
        ),
        "glance_delete_metadef_properties": operator_only(
            _send("DELETE", "/properties"), lambda a, w: metadefs.delete_properties(a, name=NAME)
        ),
        "glance_update_metadef_property": operator_only(
            _send("PUT", "/properties/speed", SPEED),
            lambda a, w: metadefs.update_property(
                a, namespace=NAME, current="speed", name="speed", schema=inputs.property_schema("property", SPEED)
            ),
        ),
        "glance_delete_metadef_property": operator_only(
            _send("DELETE", "/properties/speed"),
            lambda a, w: metadefs.delete_property(a, namespace=NAME, name="speed"),
        ),
        "glance_create_metadef_tags": operator_only(
            _send("POST", "/tags", {"tags": [{"name": "b"}]}),
            lambda a, w: metadefs.replace_tags(a, namespace=NAME, names=["b"]),
        ),
        "glance_delete_metadef_tags": operator_only(
            _send("DELETE", "/tags"), lambda a, w: metadefs.delete_tags(a, name=NAME)
        ),
        "glance_create_metadef_tag": operator_only(
            _send("POST", "/tags/c"), lambda a, w: metadefs.create_tag(a, namespace=NAME, name="c")
        ),
        "glance_update_metadef_tag": operator_only(
            _send("PUT", "/tags/a", {"name": "renamed"}),
            lambda a, w: metadefs.update_tag(a, namespace=NAME, current="a", name="renamed"),
        ),
        "glance_delete_metadef_tag": operator_only(
            _send("DELETE", "/tags/a"), lambda a, w: metadefs.delete_tag(a, namespace=NAME, name="a")
        ),
        "glance_create_metadef_resource_type_association": operator_only(
            _send("POST", "/resource_types", ASSOCIATION),
            lambda a, w: metadefs.associate_resource_type(a, namespace=NAME, **inputs.association_body(ASSOCIATION)),
        ),
        "glance_delete_metadef_resource_type_association": operator_only(
            _send("DELETE", "/resource_types/OS::Cinder::Volume"),
            lambda a, w: metadefs.dissociate_resource_type(a, namespace=NAME, name="OS::Cinder::Volume"),
        ),
    }
