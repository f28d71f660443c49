"""SQLite connection settings: WAL so phones and the host write without blocking readers."""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

DEFAULT_BUSY_TIMEOUT_MS = 5000


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    timeout = DEFAULT_BUSY_TIMEOUT_MS
    if has_app_context() and "meeting.settings" in current_app.extensions:
        timeout = current_app.extensions["meeting.settings"].server.sqlite_busy_timeout_ms
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(timeout)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # deleted rows are overwritten with zeros, not left in free pages: the reseal of a
    # ballot deletes the rows in their casting order (docs/ballot-secrecy.md)
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()
