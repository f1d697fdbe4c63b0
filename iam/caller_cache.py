"""What every API call reads about its caller (the token's row, the caller's policy statements), kept for a few
seconds per web process, so that a list call does not read them again each time.

How fast a change takes effect:
- in the process that makes it, at once: saving or deleting a user, membership, token, project, policy, group or
  grant, or changing a group's users, empties these caches (again when the transaction commits);
- in the other web processes, within `TTL_SECONDS`: a deactivated user, a deleted token or a changed policy is
  refused there by then.
Nothing is read from or written to the caches inside a transaction: what it reads may still be rolled back.
"""

import threading
import time

from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

TTL_SECONDS = 5.0
MAX_ENTRIES = 4096
clock = time.monotonic


class TtlCache:
    def __init__(self, ttl: float = TTL_SECONDS, size: int = MAX_ENTRIES):
        self.ttl, self.size = ttl, size
        self._entries: dict = {}
        self._lock = threading.Lock()
        # Bumped by every clear(): a value read before a change committed is not stored after it.
        self._generation = 0

    def get(self, key):
        if connection.in_atomic_block:
            return None
        entry = self._entries.get(key)
        if entry is None or entry[0] < clock():
            return None
        return entry[1]

    def get_or_read(self, key, read):
        """The cached value of `key`, else `read()`, kept unless it is None or a change cleared the cache while it
        was being read (that thread's read may predate the change)."""
        value = self.get(key)
        if value is not None:
            return value
        generation = self._generation
        value = read()
        if value is not None:
            self.put(key, value, generation=generation)
        return value

    def put(self, key, value, *, generation: int | None = None) -> None:
        if connection.in_atomic_block:
            return
        with self._lock:
            if generation is not None and generation != self._generation:
                return
            if len(self._entries) >= self.size:
                self._entries.clear()  # a bound, not a policy: refilled within one call per caller
            self._entries[key] = (clock() + self.ttl, value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generation += 1


TOKENS = TtlCache()
STATEMENTS = TtlCache()


def forget_everything(**kwargs) -> None:
    TOKENS.clear()
    STATEMENTS.clear()
    if connection.in_atomic_block:
        # A call in another thread may have read the old rows before this commit: forget again after it.
        transaction.on_commit(lambda: (TOKENS.clear(), STATEMENTS.clear()))


def connect() -> None:
    from django.contrib.auth import get_user_model

    from iam.models import Account, Grant, Group, Member, Policy, Project, Token

    for model in (get_user_model(), Member, Token, Account, Project, Policy, Group, Grant):
        post_save.connect(forget_everything, sender=model, dispatch_uid=f"caller-cache-save-{model.__name__}")
        post_delete.connect(forget_everything, sender=model, dispatch_uid=f"caller-cache-delete-{model.__name__}")
    m2m_changed.connect(forget_everything, sender=Group.users.through, dispatch_uid="caller-cache-group-users")
    m2m_changed.connect(forget_everything, sender=Policy.depends_on.through, dispatch_uid="caller-cache-depends-on")
