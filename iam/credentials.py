"""Access keys (AK/SK) and Keystone-style tokens: issuing them and resolving a presented credential."""

import copy
import os
import secrets
from datetime import timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ImsError
from iam import caller_cache
from iam.ids import new_access_key_id, new_secret_key
from iam.models import AccessKey, Project, Token

MAX_ACCESS_KEYS_PER_USER = 2


def _secret_cipher() -> AESGCM:
    # A key of its own, derived from SECRET_KEY, so that the stored SKs are useless without it.
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"ims-access-keys", info=b"sk-at-rest").derive(
        settings.SECRET_KEY.encode()
    )
    return AESGCM(key)


def seal_secret(access_key: str, secret: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + _secret_cipher().encrypt(nonce, secret.encode(), access_key.encode())


def open_secret(access_key: str, sealed: bytes) -> str:
    sealed = bytes(sealed)
    return _secret_cipher().decrypt(sealed[:12], sealed[12:], access_key.encode()).decode()


def create_access_key(*, user, description: str = "") -> tuple[AccessKey, str]:
    """A new AK/SK pair for `user`. The SK is returned once and never shown again."""
    with transaction.atomic():
        # Lock the user's keys so two concurrent requests cannot both pass the limit.
        existing = AccessKey.objects.select_for_update().filter(user=user).count()
        if existing >= MAX_ACCESS_KEYS_PER_USER:
            raise ImsError(
                "IAM.0011", _("A user can have at most %(n)d access keys.") % {"n": MAX_ACCESS_KEYS_PER_USER}
            )
        access_key, secret = new_access_key_id(), new_secret_key()
        key = AccessKey.objects.create(
            access_key=access_key, user=user, description=description, encrypted_secret=seal_secret(access_key, secret)
        )
    return key, secret


def secret_for(access_key: str) -> str | None:
    key = AccessKey.objects.filter(access_key=access_key, is_active=True, user__is_active=True).first()
    return open_secret(key.access_key, key.encrypted_secret) if key else None


def issue_token(*, user, project: Project) -> tuple[str, Token]:
    token = "ims-" + secrets.token_urlsafe(48)
    now = timezone.now()
    row = Token.objects.create(
        digest=Token.digest_of(token),
        user=user,
        project=project,
        issued_at=now,
        expires_at=now + timedelta(hours=settings.TOKEN_LIFETIME_HOURS),
    )
    return token, row


def resolve_token(token: str) -> Token | None:
    digest = Token.digest_of(token)
    row = caller_cache.TOKENS.get_or_read(
        digest,
        lambda: (
            Token.objects.select_related("user", "project__region", "project__account")
            .filter(digest=digest, expires_at__gt=timezone.now(), user__is_active=True)
            .first()
        ),
    )
    if row is None or row.expires_at <= timezone.now():  # a cached row may be read after its token expired
        return None
    # A copy per call: the cached row and its user and project are shared by the process's threads.
    row = copy.copy(row)
    row.user, row.project = copy.copy(row.user), copy.copy(row.project)
    return row
