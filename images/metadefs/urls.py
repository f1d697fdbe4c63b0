"""Routes of Glance's metadata definitions; included by images/api/urls.py under the `ims-api` namespace."""

from django.urls import path

from images.metadefs import views

NAMESPACE = "v2/metadefs/namespaces/<str:namespace>"

urlpatterns = [
    path("v2/metadefs/namespaces", views.NamespaceListView.as_view(), name="metadef_namespaces"),
    path(NAMESPACE, views.NamespaceView.as_view(), name="metadef_namespace"),
    path(f"{NAMESPACE}/objects", views.ObjectListView.as_view(), name="metadef_objects"),
    path(f"{NAMESPACE}/objects/<str:name>", views.ObjectView.as_view(), name="metadef_object"),
    path(f"{NAMESPACE}/properties", views.PropertyListView.as_view(), name="metadef_properties"),
    path(f"{NAMESPACE}/properties/<str:name>", views.PropertyView.as_view(), name="metadef_property"),
    path(f"{NAMESPACE}/tags", views.TagListView.as_view(), name="metadef_tags"),
    path(f"{NAMESPACE}/tags/<str:name>", views.TagView.as_view(), name="metadef_tag"),
    path(f"{NAMESPACE}/resource_types", views.AssociationListView.as_view(), name="metadef_associations"),
    path(f"{NAMESPACE}/resource_types/<str:name>", views.AssociationView.as_view(), name="metadef_association"),
    path("v2/metadefs/resource_types", views.ResourceTypeListView.as_view(), name="metadef_resource_types"),
    path("v2/schemas/metadefs/<str:name>", views.MetadefSchemaView.as_view(), name="metadef_schema"),
]
