"""The body of Glance's `POST /v2/images/{id}/import` as the import service's keyword arguments."""

from rest_framework import serializers


class ImportMethodInput(serializers.Serializer):
    # A method's own parameters (web-download's uri, glance-download's image and region) are not read: the one
    # method offered, glance-direct, has none.
    name = serializers.CharField(max_length=64)


class GlanceImportInput(serializers.Serializer):
    method = ImportMethodInput()
    stores = serializers.ListField(
        child=serializers.CharField(max_length=255), required=False, allow_null=True, max_length=32
    )
    all_stores = serializers.BooleanField(required=False, allow_null=True)
    all_stores_must_succeed = serializers.BooleanField(required=False, allow_null=True)

    def validate(self, data):
        return {**data, "method": data["method"]["name"]}
