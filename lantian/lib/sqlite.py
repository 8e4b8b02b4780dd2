"""SQLite's real limit on bound variables, so bulk writes are one statement, not dozens.

Django assumes SQLite binds at most 999 variables per statement (the limit before SQLite
3.32) and splits every ``bulk_create``/``bulk_update`` into batches of 999 values: importing a
plan of a few hundred lines would take a statement per 50 rows. SQLite since 3.32 allows
32,766; the connection is asked for its actual limit when it opens.
"""

from __future__ import annotations

import sqlite3


def use_real_variable_limit(sender, connection, **kwargs) -> None:
    if connection.vendor != "sqlite":
        return
    try:
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except (AttributeError, sqlite3.Error):  # Python < 3.11 or a wrapped connection
        return
    if limit > connection.features.max_query_params:
        connection.features.max_query_params = limit
