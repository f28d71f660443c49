"""SQLite connection settings, and a queue for its writers.

WAL lets phones and screens read while one transaction writes. SQLite has one writer at a
time, and a writer that finds the database locked polls with growing sleeps (up to 100 ms
each): twenty phones casting at once would wait seconds. So within this process, writers
queue on a lock instead, taken just before a transaction's first write and released when
it ends; readers never wait for it. A writer that waits longer than the busy timeout goes
on without it and leaves the waiting to SQLite, so the queue can never deadlock.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import Pool

DEFAULT_BUSY_TIMEOUT_MS = 5000

_writers = threading.Lock()
_HOLDS = "meeting.sqlite_writer"
#: statements that make pysqlite begin a write transaction, or write outside one
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|VACUUM|PRAGMA\s+wal_checkpoint)", re.I)


def _busy_timeout_ms() -> int:
    if has_app_context() and "meeting.settings" in current_app.extensions:
        return current_app.extensions["meeting.settings"].server.sqlite_busy_timeout_ms
    return DEFAULT_BUSY_TIMEOUT_MS


def apply_pragmas(
    connection: sqlite3.Connection, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
) -> None:
    """The settings every connection of the app runs with (the benchmarks' floor uses them
    too, so that it measures the same durable insert)."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # deleted rows are overwritten with zeros, not left in free pages: the reseal of a
    # ballot deletes the rows in their casting order (docs/ballot-secrecy.md)
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        apply_pragmas(dbapi_connection, _busy_timeout_ms())


def _sqlite(connection: Connection) -> sqlite3.Connection | None:
    dbapi = connection.connection.dbapi_connection
    return dbapi if isinstance(dbapi, sqlite3.Connection) else None


@event.listens_for(Engine, "before_cursor_execute")
def _queue_writer(connection: Connection, _cursor: Any, statement: str, *_: Any) -> None:
    dbapi = _sqlite(connection)
    if dbapi is None or connection.info.get(_HOLDS) or not _WRITE.match(statement):
        return
    if _writers.acquire(timeout=_busy_timeout_ms() / 1000):
        connection.info[_HOLDS] = True


@event.listens_for(Engine, "after_cursor_execute")
def _release_after_autocommit(connection: Connection, *_: Any) -> None:
    dbapi = _sqlite(connection)
    # VACUUM, a checkpoint or any write outside a transaction is over once it ran
    if dbapi is not None and connection.info.get(_HOLDS) and not dbapi.in_transaction:
        _release(connection.info)


@event.listens_for(Engine, "handle_error")
def _release_after_error(context: Any) -> None:
    connection = context.connection
    if connection is not None and not connection.closed:
        dbapi = _sqlite(connection)
        if dbapi is not None and not dbapi.in_transaction:
            _release(connection.info)


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _release_at_end(connection: Connection, *_: Any) -> None:
    _release(connection.info)


@event.listens_for(Pool, "reset")
def _release_at_reset(_dbapi_connection: Any, record: Any, _reset_state: Any) -> None:
    _release(record.info)


@event.listens_for(Pool, "checkin")
def _release_at_checkin(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        _release(record.info)


@event.listens_for(Pool, "invalidate")
def _release_at_invalidate(_dbapi_connection: Any, record: Any, _exception: Any) -> None:
    _release(record.info)


def _release(info: dict[str, Any]) -> None:
    if info.pop(_HOLDS, False):
        _writers.release()
