"""Glance's metadata definitions: the catalogue of properties an image (or a server, a volume…) may carry, grouped
in namespaces, which Horizon's "Update metadata" dialog offers. Definitions only: the values live on the images.
"""

from django.db import models
from django.utils import timezone


class ResourceType(models.Model):
    """A kind of resource a namespace applies to, such as `OS::Glance::Image`."""

    name = models.CharField(max_length=80, unique=True)
    protected = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Namespace(models.Model):
    namespace = models.CharField(max_length=80, unique=True)
    display_name = models.CharField(max_length=80, blank=True)
    description = models.TextField(blank=True)
    # public: every project reads it; private: its owner's project (and a cloud administrator) only.
    visibility = models.CharField(max_length=8, default="private")
    protected = models.BooleanField(default=False)
    # A project id (Glance's owner is free text: the seeded standard namespaces belong to the service itself).
    owner = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["namespace"]

    def __str__(self):
        return self.namespace

    @property
    def name(self) -> str:
        # Audit traces name an object by its `name`, as they name every other one.
        return self.namespace


class ResourceTypeAssociation(models.Model):
    namespace = models.ForeignKey(Namespace, on_delete=models.CASCADE, related_name="associations")
    resource_type = models.ForeignKey(ResourceType, on_delete=models.CASCADE, related_name="associations")
    # For this resource type, the namespace's property names are written with this prefix (e.g. `hw_`).
    prefix = models.CharField(max_length=80, blank=True)
    # Where on the resource the properties go, for resource types with several (e.g. a volume's image metadata).
    properties_target = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["resource_type__name"]
        constraints = [
            models.UniqueConstraint(fields=["namespace", "resource_type"], name="one_association_per_resource_type")
        ]

    def __str__(self):
        return f"{self.namespace_id}:{self.resource_type_id}"


class PropertyDefinition(models.Model):
    """One property of a namespace; `schema` holds its JSON-schema keywords (title, type, enum, minimum…)."""

    namespace = models.ForeignKey(Namespace, on_delete=models.CASCADE, related_name="property_definitions")
    name = models.CharField(max_length=80)
    schema = models.JSONField(default=dict)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["namespace", "name"], name="one_property_per_name")]

    def __str__(self):
        return self.name


class ObjectDefinition(models.Model):
    """A named group of properties of a namespace (e.g. "CPU Pinning"), with the ones that must be set together."""

    namespace = models.ForeignKey(Namespace, on_delete=models.CASCADE, related_name="object_definitions")
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    required = models.JSONField(default=list)
    properties = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["namespace", "name"], name="one_object_per_name")]

    def __str__(self):
        return self.name


class TagDefinition(models.Model):
    namespace = models.ForeignKey(Namespace, on_delete=models.CASCADE, related_name="tag_definitions")
    name = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["namespace", "name"], name="one_tag_per_name")]

    def __str__(self):
        return self.name
