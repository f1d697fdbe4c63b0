"""What the object storage API reads and answers. Output serializers also describe the answers in the
OpenAPI schema; input serializers check types only (names and sizes are the services' business)."""

from rest_framework import serializers

from core.errors import describe_validation
from obs.errors import invalid_parameter


def parsed(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise invalid_parameter(describe_validation(serializer.errors))
    return serializer.validated_data


class StringField(serializers.CharField):
    """A name as the client typed it: DRF's CharField would turn the number 12345 into the name "12345"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class BucketCreateSerializer(serializers.Serializer):
    name = StringField(trim_whitespace=False, max_length=255)


class BucketSerializer(serializers.Serializer):
    name = serializers.CharField()
    region = serializers.CharField(source="region_id")
    created_at = serializers.DateTimeField()
    object_count = serializers.IntegerField(required=False, default=0)
    bytes = serializers.IntegerField(required=False, default=0, allow_null=True)


class BucketListSerializer(serializers.Serializer):
    buckets = BucketSerializer(many=True)


class ObjectSerializer(serializers.Serializer):
    bucket = serializers.CharField(source="bucket.name")
    key = serializers.CharField()
    url = serializers.CharField(help_text="bucket:key, the address the image import takes.")
    size = serializers.IntegerField()
    sha256 = serializers.CharField(help_text="Empty for an object put into S3 directly and not yet read.")
    md5 = serializers.CharField()
    etag = serializers.CharField()
    content_type = serializers.CharField()
    cmk_id = serializers.CharField(
        help_text="The KMS key the object is encrypted at rest with (SSE-KMS); empty when it is stored in the clear."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ObjectListSerializer(serializers.Serializer):
    bucket = serializers.CharField()
    prefix = serializers.CharField()
    objects = ObjectSerializer(many=True)
    next_marker = serializers.CharField(allow_null=True, help_text="Pass as marker for the next page.")


class UploadStartSerializer(serializers.Serializer):
    bucket = StringField(max_length=255)
    key = StringField(trim_whitespace=False, max_length=4096)
    size = serializers.IntegerField(min_value=0, help_text="Bytes of the whole object.")
    part_size = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Bytes of every part but the last (5 MiB to 512 MiB; default 8 MiB, more for very large objects).",
    )
    sha256 = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The SHA-256 the assembled object must have (optional here).",
    )
    content_type = serializers.CharField(required=False, allow_blank=True, default="")


class UploadCompleteSerializer(serializers.Serializer):
    sha256 = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The SHA-256 of the whole file as the client computed it.",
    )


class PartSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    etag = serializers.CharField()


class UploadSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    bucket = serializers.CharField(source="bucket.name")
    key = serializers.CharField()
    size = serializers.IntegerField()
    part_size = serializers.IntegerField()
    part_count = serializers.IntegerField()
    sha256 = serializers.CharField()
    content_type = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class UploadWithPartsSerializer(UploadSerializer):
    parts = PartSerializer(many=True, source="stored_parts")
