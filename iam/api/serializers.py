"""The Keystone v3 bodies this service speaks, typed for the OpenAPI schema (clients read the same shapes)."""

from rest_framework import serializers


class KeystoneReference(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()


class KeystoneDomainReference(KeystoneReference):
    pass


class KeystoneNamed(KeystoneReference):
    domain = KeystoneDomainReference()


class KeystoneLinksSerializer(serializers.Serializer):
    self = serializers.URLField()
    previous = serializers.URLField(allow_null=True, required=False)
    next = serializers.URLField(allow_null=True, required=False)


# ---- requests --------------------------------------------------------------------------------------------------


class KeystonePasswordUserSerializer(serializers.Serializer):
    name = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})
    domain = serializers.DictField(help_text="{'name': account name} or {'id': account id}")


class KeystonePasswordSerializer(serializers.Serializer):
    user = KeystonePasswordUserSerializer()


class KeystoneIdentitySerializer(serializers.Serializer):
    methods = serializers.ListField(child=serializers.ChoiceField(choices=["password"]))
    password = KeystonePasswordSerializer()


class KeystoneScopeSerializer(serializers.Serializer):
    project = serializers.DictField(
        help_text="{'id': project id} or {'name': project name, 'domain': {'name': account name}}"
    )


class KeystoneAuthSerializer(serializers.Serializer):
    identity = KeystoneIdentitySerializer()
    scope = KeystoneScopeSerializer(
        required=False, help_text="Without a scope: the default project of the first region."
    )


class KeystoneTokenRequestSerializer(serializers.Serializer):
    auth = KeystoneAuthSerializer()


# ---- responses -------------------------------------------------------------------------------------------------


class KeystoneMediaTypeSerializer(serializers.Serializer):
    base = serializers.CharField()
    type = serializers.CharField()


class KeystoneLinkSerializer(serializers.Serializer):
    rel = serializers.CharField()
    href = serializers.URLField()


class KeystoneVersionSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.CharField()
    updated = serializers.CharField()
    links = KeystoneLinkSerializer(many=True)
    media_types = KeystoneMediaTypeSerializer(many=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["media-types"] = fields.pop("media_types")  # Keystone's spelling, not a Python name
        return fields


class KeystoneVersionDocumentSerializer(serializers.Serializer):
    version = KeystoneVersionSerializer()


class KeystoneEndpointSerializer(serializers.Serializer):
    id = serializers.CharField()
    interface = serializers.ChoiceField(choices=["public", "internal"])
    region = serializers.CharField()
    region_id = serializers.CharField()
    url = serializers.URLField()


class KeystoneCatalogEntrySerializer(serializers.Serializer):
    type = serializers.CharField()
    name = serializers.CharField()
    id = serializers.CharField()
    endpoints = KeystoneEndpointSerializer(many=True)


class KeystoneTokenSerializer(serializers.Serializer):
    methods = serializers.ListField(child=serializers.CharField())
    expires_at = serializers.CharField()
    issued_at = serializers.CharField()
    user = KeystoneNamed()
    project = KeystoneNamed()
    roles = KeystoneReference(
        many=True, help_text="Keystone roles in the project: reader, member, admin (implied included)."
    )
    catalog = KeystoneCatalogEntrySerializer(many=True, help_text="The image and identity endpoints of every region.")


class KeystoneTokenResponseSerializer(serializers.Serializer):
    token = KeystoneTokenSerializer()


class KeystoneProjectSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    domain_id = serializers.CharField()
    enabled = serializers.BooleanField()
    is_domain = serializers.BooleanField()
    parent_id = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField())
    links = KeystoneLinksSerializer()


class KeystoneProjectListSerializer(serializers.Serializer):
    projects = KeystoneProjectSerializer(many=True)
    links = KeystoneLinksSerializer()


class KeystoneProjectDocumentSerializer(serializers.Serializer):
    project = KeystoneProjectSerializer()


class KeystoneRoleSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.ChoiceField(choices=["reader", "member", "admin"])
    domain_id = serializers.CharField(allow_null=True)
    description = serializers.CharField()
    options = serializers.DictField()
    links = KeystoneLinksSerializer()


class KeystoneRoleListSerializer(serializers.Serializer):
    roles = KeystoneRoleSerializer(many=True)
    links = KeystoneLinksSerializer()


class KeystoneRoleDocumentSerializer(serializers.Serializer):
    role = KeystoneRoleSerializer()


class KeystoneProjectScopeSerializer(serializers.Serializer):
    project = KeystoneNamed()


class KeystoneAssignmentLinksSerializer(serializers.Serializer):
    assignment = serializers.URLField()


class KeystoneRoleAssignmentSerializer(serializers.Serializer):
    role = KeystoneReference()
    scope = KeystoneProjectScopeSerializer()
    user = KeystoneNamed()
    links = KeystoneAssignmentLinksSerializer()


class KeystoneRoleAssignmentListSerializer(serializers.Serializer):
    role_assignments = KeystoneRoleAssignmentSerializer(many=True)
    links = KeystoneLinksSerializer()


class KeystoneErrorSerializer(serializers.Serializer):
    error = serializers.DictField(help_text="{'code': HTTP status, 'message': text, 'title': reason}")
