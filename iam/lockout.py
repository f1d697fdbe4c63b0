"""Sign-in protection: after too many consecutive failures a user name is locked for a while.

The counter is per user name, whether or not such a user exists, so a lock reveals nothing about the
directory. Console sign-in and the token API share it.
"""

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from iam.models import LoginLockout


def _key(username) -> str:
    return str(username or "")[:150]


def locked_until(username) -> datetime | None:
    """When the lock on `username` ends, or None if it may try now."""
    until = (
        LoginLockout.objects.filter(username=_key(username), locked_until__gt=timezone.now())
        .values_list("locked_until", flat=True)
        .first()
    )
    return until


def record_failure(username) -> datetime | None:
    """Counts one failed attempt; returns the end of the lock if this attempt started (or met) one."""
    now = timezone.now()
    with transaction.atomic():
        LoginLockout.objects.get_or_create(username=_key(username))
        # The row lock serializes parallel failures, so none is lost and none slips past the limit.
        row = LoginLockout.objects.select_for_update().get(username=_key(username))
        if row.locked_until and row.locked_until > now:
            return row.locked_until
        if row.locked_until:  # an expired lock: counting starts afresh
            row.failures, row.locked_until = 0, None
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= settings.LOGIN_LOCKOUT_ATTEMPTS:
            row.locked_until = now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        row.save()
        return row.locked_until


def record_success(username) -> None:
    LoginLockout.objects.filter(username=_key(username)).delete()


def locked_message(until: datetime) -> str:
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    return ngettext(
        "Too many failed sign-in attempts for this user name. Try again in %(minutes)d minute.",
        "Too many failed sign-in attempts for this user name. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
