"""Django's SQLite backend, which also keeps the query planner's statistics current and reads dates and times
more cheaply.

Without statistics SQLite guesses, and for `?name=…` it walks the whole region in creation order (to skip a
sort) instead of looking the name up in its index. SQLite's advice for short-lived connections (ours live a few
seconds, CONN_MAX_AGE) is `PRAGMA optimize` just before each closes: it analyses the tables this connection's
queries would have planned better with statistics, and only those, so it is nearly always a no-op.
"""

import sqlite3
from contextlib import suppress
from datetime import datetime

from django.db.backends.sqlite3 import base, operations

# Rows read per index when a table is analysed: enough for the planner, bounded in time on large tables.
ANALYSIS_LIMIT = 1000


class DatabaseOperations(operations.DatabaseOperations):
    def convert_datetimefield_value(self, value, expression, connection):
        # sqlite3 has already parsed a column declared datetime; the row holds the time without its zone, which
        # is the connection's. Django's own converter reaches the same result through the settings on every
        # value, three times a row on an image list of a thousand rows.
        zone = self.connection.timezone  # None without USE_TZ
        if zone is not None and value.__class__ is datetime and value.tzinfo is None:
            return value.replace(tzinfo=zone)
        return super().convert_datetimefield_value(value, expression, connection)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def _close(self):
        if self.connection is not None and not self.in_atomic_block:
            # Never waits for another writer, and never fails the request: the next connection will try again.
            with suppress(sqlite3.Error):
                self.connection.execute("PRAGMA busy_timeout = 0")
                self.connection.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
                self.connection.execute("PRAGMA optimize")
        return super()._close()
