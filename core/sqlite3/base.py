"""Django's SQLite backend, which also keeps the query planner's statistics current.

Without statistics SQLite guesses, and for `?name=…` it walks the whole region in creation order (to skip a
sort) instead of looking the name up in its index. SQLite's advice for short-lived connections (ours live a few
seconds, CONN_MAX_AGE) is `PRAGMA optimize` just before each closes: it analyses the tables this connection's
queries would have planned better with statistics, and only those, so it is nearly always a no-op.
"""

import sqlite3
from contextlib import suppress

from django.db.backends.sqlite3 import base

# Rows read per index when a table is analysed: enough for the planner, bounded in time on large tables.
ANALYSIS_LIMIT = 1000


class DatabaseWrapper(base.DatabaseWrapper):
    def _close(self):
        if self.connection is not None and not self.in_atomic_block:
            # Never waits for another writer, and never fails the request: the next connection will try again.
            with suppress(sqlite3.Error):
                self.connection.execute("PRAGMA busy_timeout = 0")
                self.connection.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
                self.connection.execute("PRAGMA optimize")
        return super()._close()
