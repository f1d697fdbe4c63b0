"""The OpenAPI schema's view of refusals: every operation lists the error answers it may give, in the shapes
the API really answers with (`console.errors` makes them)."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorDetail(serializers.Serializer):
    code = serializers.CharField(help_text="A stable error code, such as IMG.0001.")
    message = serializers.CharField(help_text="What went wrong, in the caller's language.")


class ImsErrorBody(serializers.Serializer):
    error = ErrorDetail()


class GatewayErrorBody(serializers.Serializer):
    error_code = serializers.CharField(help_text="APIGW.0301 and the like: authentication failed.")
    error_msg = serializers.CharField()
    request_id = serializers.CharField()


REFUSALS = {
    400: (ImsErrorBody, "The request is malformed or a value is refused; the message names the field."),
    401: (GatewayErrorBody, "No valid signature, token or session."),
    403: (ImsErrorBody, "The caller lacks the permission the operation needs."),
    404: (ImsErrorBody, "No such object that the caller may see (another tenant's object is not found)."),
}
STATE_CONFLICT = (ImsErrorBody, "The object's state or a product rule forbids the operation now.")


class ImsAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus the refusals: 400/401/403/404 on every operation, 409 on changes."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        refusals = dict(REFUSALS)
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            refusals[409] = STATE_CONFLICT
        for status, (body, meaning) in refusals.items():
            if str(status) not in responses:
                answer = OpenApiResponse(response=body, description=meaning)
                responses[str(status)] = self._get_response_for_code(answer, str(status), direction=direction)
        return responses
