"""Glance's metadata definitions API (`/v2/metadefs/…`, `/v2/schemas/metadefs/…`): thin views.

Reads are open to every authenticated caller (private namespaces to their project); writes are a cloud
administrator's (images/metadefs/services.py)."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ImsError
from images.metadefs import bodies, inputs, selectors, services
from images.metadefs.schemas import SCHEMAS

TAGS = ["glance metadefs"]
OBJECT = OpenApiTypes.OBJECT
CONTENT_KINDS = ("objects", "properties", "tags")


def empty() -> Response:
    return Response(status=204)


class NamespaceListView(APIView):
    @extend_schema(operation_id="glance_list_metadef_namespaces", tags=TAGS, responses=OBJECT)
    def get(self, request):
        namespaces = selectors.list_namespaces(request.auth, request.query_params)
        return Response(
            {
                "namespaces": [bodies.namespace_summary(namespace) for namespace in namespaces],
                "first": "/v2/metadefs/namespaces",
                "schema": "/v2/schemas/metadefs/namespaces",
            }
        )

    @extend_schema(operation_id="glance_create_metadef_namespace", tags=TAGS, request=OBJECT, responses={201: OBJECT})
    def post(self, request):
        namespace = services.create_namespace(request.auth, **inputs.namespace_create(request.data))
        return Response(bodies.namespace_body(namespace), status=201)


class NamespaceView(APIView):
    @extend_schema(operation_id="glance_show_metadef_namespace", tags=TAGS, responses=OBJECT)
    def get(self, request, namespace):
        return Response(bodies.namespace_body(selectors.get_namespace(request.auth, namespace)))

    @extend_schema(operation_id="glance_update_metadef_namespace", tags=TAGS, request=OBJECT, responses=OBJECT)
    def put(self, request, namespace):
        body = inputs.body_object(request.data)
        new_name = inputs.name("namespace", body.get("namespace", namespace))
        content = inputs.namespace_content(body)
        updated = services.update_namespace(request.auth, name=namespace, namespace=new_name, content=content)
        return Response(bodies.namespace_body(updated))

    @extend_schema(operation_id="glance_delete_metadef_namespace", tags=TAGS, responses={204: None})
    def delete(self, request, namespace):
        services.delete_namespace(request.auth, name=namespace)
        return empty()


class ObjectListView(APIView):
    @extend_schema(operation_id="glance_list_metadef_objects", tags=TAGS, responses=OBJECT)
    def get(self, request, namespace):
        found = selectors.get_namespace(request.auth, namespace)
        objects = [bodies.object_body(definition) for definition in found.object_definitions.all()]
        return Response({"objects": objects, "schema": "/v2/schemas/metadefs/objects"})

    @extend_schema(operation_id="glance_create_metadef_object", tags=TAGS, request=OBJECT, responses={201: OBJECT})
    def post(self, request, namespace):
        definition = services.create_object(request.auth, namespace=namespace, **inputs.object_body(request.data))
        return Response(bodies.object_body(definition), status=201)

    @extend_schema(operation_id="glance_delete_metadef_objects", tags=TAGS, responses={204: None})
    def delete(self, request, namespace):
        services.delete_objects(request.auth, name=namespace)
        return empty()


class ObjectView(APIView):
    @extend_schema(operation_id="glance_show_metadef_object", tags=TAGS, responses=OBJECT)
    def get(self, request, namespace, name):
        return Response(bodies.object_body(selectors.get_object(request.auth, namespace, name)))

    @extend_schema(operation_id="glance_update_metadef_object", tags=TAGS, request=OBJECT, responses=OBJECT)
    def put(self, request, namespace, name):
        changes = inputs.object_body(request.data)
        definition = services.update_object(request.auth, namespace=namespace, current=name, **changes)
        return Response(bodies.object_body(definition))

    @extend_schema(operation_id="glance_delete_metadef_object", tags=TAGS, responses={204: None})
    def delete(self, request, namespace, name):
        services.delete_object(request.auth, namespace=namespace, name=name)
        return empty()


class PropertyListView(APIView):
    @extend_schema(operation_id="glance_list_metadef_properties", tags=TAGS, responses=OBJECT)
    def get(self, request, namespace):
        found = selectors.get_namespace(request.auth, namespace)
        properties = bodies.properties_body(found.property_definitions.all())
        return Response({"properties": properties, "schema": "/v2/schemas/metadefs/properties"})

    @extend_schema(operation_id="glance_create_metadef_property", tags=TAGS, request=OBJECT, responses={201: OBJECT})
    def post(self, request, namespace):
        body = inputs.body_object(request.data)
        name = inputs.name("name", body.get("name"))
        schema = inputs.property_schema("property", body)
        definition = services.create_property(request.auth, namespace=namespace, name=name, schema=schema)
        return Response(bodies.property_body(definition), status=201)

    @extend_schema(operation_id="glance_delete_metadef_properties", tags=TAGS, responses={204: None})
    def delete(self, request, namespace):
        services.delete_properties(request.auth, name=namespace)
        return empty()


class PropertyView(APIView):
    @extend_schema(operation_id="glance_show_metadef_property", tags=TAGS, responses=OBJECT)
    def get(self, request, namespace, name):
        return Response(bodies.property_body(selectors.get_property(request.auth, namespace, name)))

    @extend_schema(operation_id="glance_update_metadef_property", tags=TAGS, request=OBJECT, responses=OBJECT)
    def put(self, request, namespace, name):
        body = inputs.body_object(request.data)
        new_name = inputs.name("name", body.get("name", name))
        schema = inputs.property_schema("property", body)
        definition = services.update_property(
            request.auth, namespace=namespace, current=name, name=new_name, schema=schema
        )
        return Response(bodies.property_body(definition))

    @extend_schema(operation_id="glance_delete_metadef_property", tags=TAGS, responses={204: None})
    def delete(self, request, namespace, name):
        services.delete_property(request.auth, namespace=namespace, name=name)
        return empty()


class TagListView(APIView):
    @extend_schema(operation_id="glance_list_metadef_tags", tags=TAGS, responses=OBJECT)
    def get(self, request, namespace):
        found = selectors.get_namespace(request.auth, namespace)
        return Response({"tags": [bodies.tag_body(tag) for tag in found.tag_definitions.all()]})

    @extend_schema(operation_id="glance_create_metadef_tags", tags=TAGS, request=OBJECT, responses={201: OBJECT})
    def post(self, request, namespace):
        append = request.headers.get("X-Openstack-Append", "").lower() == "true"
        names = inputs.tag_names(request.data)
        tags = services.replace_tags(request.auth, namespace=namespace, names=names, append=append)
        return Response({"tags": [bodies.tag_body(tag) for tag in tags]}, status=201)

    @extend_schema(operation_id="glance_delete_metadef_tags", tags=TAGS, responses={204: None})
    def delete(self, request, namespace):
        services.delete_tags(request.auth, name=namespace)
        return empty()


class TagView(APIView):
    @extend_schema(operation_id="glance_show_metadef_tag", tags=TAGS, responses=OBJECT)
    def get(self, request, namespace, name):
        return Response(bodies.tag_body(selectors.get_tag(request.auth, namespace, name)))

    @extend_schema(operation_id="glance_create_metadef_tag", tags=TAGS, request=None, responses={201: OBJECT})
    def post(self, request, namespace, name):
        tag = services.create_tag(request.auth, namespace=namespace, name=inputs.name("name", name, inputs.TAG_LIMIT))
        return Response(bodies.tag_body(tag), status=201)

    @extend_schema(operation_id="glance_update_metadef_tag", tags=TAGS, request=OBJECT, responses=OBJECT)
    def put(self, request, namespace, name):
        new_name = inputs.name("name", inputs.body_object(request.data).get("name"), inputs.TAG_LIMIT)
        tag = services.update_tag(request.auth, namespace=namespace, current=name, name=new_name)
        return Response(bodies.tag_body(tag))

    @extend_schema(operation_id="glance_delete_metadef_tag", tags=TAGS, responses={204: None})
    def delete(self, request, namespace, name):
        services.delete_tag(request.auth, namespace=namespace, name=name)
        return empty()


class ResourceTypeListView(APIView):
    @extend_schema(operation_id="glance_list_metadef_resource_types", tags=TAGS, responses=OBJECT)
    def get(self, request):
        resource_types = selectors.list_resource_types()
        return Response({"resource_types": [bodies.resource_type_body(item) for item in resource_types]})


class AssociationListView(APIView):
    @extend_schema(operation_id="glance_list_metadef_resource_type_associations", tags=TAGS, responses=OBJECT)
    def get(self, request, namespace):
        found = selectors.get_namespace(request.auth, namespace)
        associations = [bodies.association_body(item) for item in found.associations.select_related("resource_type")]
        return Response({"resource_type_associations": associations})

    @extend_schema(
        operation_id="glance_create_metadef_resource_type_association",
        tags=TAGS,
        request=OBJECT,
        responses={201: OBJECT},
    )
    def post(self, request, namespace):
        association = services.associate_resource_type(
            request.auth, namespace=namespace, **inputs.association_body(request.data)
        )
        return Response(bodies.association_body(association), status=201)


class AssociationView(APIView):
    @extend_schema(operation_id="glance_delete_metadef_resource_type_association", tags=TAGS, responses={204: None})
    def delete(self, request, namespace, name):
        services.dissociate_resource_type(request.auth, namespace=namespace, name=name)
        return empty()


class MetadefSchemaView(APIView):
    authentication_classes = []
    permission_classes = []

    @extend_schema(operation_id="glance_show_metadef_schema", tags=TAGS, responses=OBJECT)
    def get(self, request, name):
        if name not in SCHEMAS:
            raise ImsError("IMG.0404", _("Unknown schema."), 404)
        return Response(SCHEMAS[name])
