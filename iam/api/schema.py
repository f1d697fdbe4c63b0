"""How the OpenAPI schema describes the three ways to authenticate."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class SdkSignatureScheme(OpenApiAuthenticationExtension):
    target_class = "iam.api.authentication.SdkSignatureAuthentication"
    name = "aksk"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "SDK-HMAC-SHA256 request signature made with an access key (AK/SK), as the "
            "official SDKs send it; the project is chosen with X-Project-Id.",
        }


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "iam.api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Auth-Token",
            "description": "A token from POST /v3/auth/tokens (X-Subject-Token of the response).",
        }


class ConsoleSessionScheme(OpenApiAuthenticationExtension):
    target_class = "iam.api.authentication.ConsoleSessionAuthentication"
    name = "console"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "The console's session (with the CSRF token on changes).",
        }
