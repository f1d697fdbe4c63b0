"""How API callers prove who they are: AK/SK signatures (the official SDK), tokens (OpenStack clients),
or the console's session (Swagger UI and the console's own calls, with CSRF)."""

import re
from datetime import timedelta
from urllib.parse import quote

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, permissions

from core.errors import GatewayError
from iam.actors import actor_for_user, project_in_region
from iam.credentials import open_secret, resolve_token
from iam.models import AccessKey, Project
from iam.signing import ALGORITHM, SignatureError, verify_sdk_signature

UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
LAST_USED_PRECISION = timedelta(minutes=1)


def _wire_text(value: str) -> str:
    # WSGI hands header values over as latin-1; the SDK signed their UTF-8 text.
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def _raw_path(request) -> str:
    raw = request.META.get("RAW_URI") or request.META.get("REQUEST_URI")
    if raw:
        return raw.split("?", 1)[0]
    return quote(request.path, safe="/~")


def _signed_body(request) -> bytes:
    """The body the signature covers, without reading an unsigned (possibly huge) upload into memory."""
    declared = request.headers.get("X-Sdk-Content-Sha256", "").strip()
    has_body = request.META.get("CONTENT_LENGTH", "0") not in ("", "0") or "chunked" in request.headers.get(
        "Transfer-Encoding", ""
    )
    if declared == UNSIGNED_PAYLOAD:
        # Any non-empty stand-in makes the verifier use the literal UNSIGNED-PAYLOAD, as the signer did.
        return b"-" if has_body else b""
    return request.body


def _project_for(user, request) -> Project:
    membership = getattr(user, "iam", None)
    if membership is None:  # e.g. the platform operator, who works in Django admin only
        raise GatewayError("APIGW.0302", _("The user of this access key belongs to no account."), 403)
    project_id = request.headers.get("X-Project-Id")
    if not project_id:
        project = project_in_region(membership.account, None)
    else:
        project = (
            Project.objects.select_related("region", "account")
            .filter(pk=project_id, account=membership.account)
            .first()
        )
    if project is None:
        raise GatewayError(
            "APIGW.0302",
            _("The project %(id)s does not belong to the caller's account.") % {"id": project_id or "-"},
            403,
        )
    return project


class _KeyLookup:
    """`secret_for` for the verifier that keeps the key row, so the caller is known without a second query."""

    def __init__(self):
        self.key = None

    def __call__(self, access_key: str) -> str | None:
        self.key = (
            AccessKey.objects.select_related("user__iam__account")
            .filter(access_key=access_key, is_active=True, user__is_active=True)
            .first()
        )
        return open_secret(self.key.access_key, self.key.encrypted_secret) if self.key else None


def _note_use(key: AccessKey) -> None:
    # Once a minute is precise enough for "last used", and spares a write on every API call.
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
        AccessKey.objects.filter(pk=key.pk).update(last_used_at=now)


SIGNED_HEADERS = re.compile(r"SignedHeaders=([^,\s]+)")


def _require_strict_signing(request, header: str) -> None:
    """The SDK always signs Host and hashes JSON bodies; refusing less stops a captured request from being
    replayed within the clock window against another host or with another body."""
    match = SIGNED_HEADERS.search(header)
    signed = set(match.group(1).lower().split(";")) if match else set()
    unsigned_json = (
        (request.content_type or "").startswith("application/json")
        and request.headers.get("X-Sdk-Content-Sha256", "").strip() == UNSIGNED_PAYLOAD
        and _signed_body(request)
    )
    if "host" not in signed or unsigned_json:
        raise GatewayError(
            "APIGW.0301",
            _("Incorrect IAM authentication information: the signature must cover the Host header and the JSON body."),
        )


class SdkSignatureAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        if not header.startswith(ALGORITHM):
            return None
        _require_strict_signing(request, header)
        lookup = _KeyLookup()
        try:
            verify_sdk_signature(
                method=request.method,
                path=_raw_path(request),
                query_string=request.META.get("QUERY_STRING", ""),
                headers={name: _wire_text(value) for name, value in request.headers.items()},
                body=_signed_body(request),
                secret_for=lookup,
                now=timezone.now(),
            )
        except SignatureError as error:
            raise GatewayError(error.code, error.message) from None
        user = lookup.key.user
        _note_use(lookup.key)
        project = _project_for(user, request)
        return user, actor_for_user(user, project, via="api", request=request)

    def authenticate_header(self, request):
        return ALGORITHM


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        token = request.headers.get("X-Auth-Token")
        if not token:
            return None
        row = resolve_token(token)
        if row is None:
            raise GatewayError("APIGW.0307", _("The token is invalid or has expired."))
        return row.user, actor_for_user(row.user, row.project, via="api", request=request)


class ConsoleSessionAuthentication(authentication.SessionAuthentication):
    """The console's signed-in user, in the region picked in the console; CSRF is enforced."""

    def authenticate(self, request):
        result = super().authenticate(request)
        actor = getattr(request._request, "actor", None)
        if result is None or actor is None:
            return None
        return result[0], actor


class IsProjectMember(permissions.BasePermission):
    """Every API call acts as a user in a project; what it may do there is decided by the services."""

    def has_permission(self, request, view):
        return request.auth is not None and hasattr(request.auth, "project")
