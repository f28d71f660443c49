"""Backing up and restoring the SQLite database of one laptop, consistently and online.

A copy taken while a ballot is open would keep that ballot's rows in casting order (the
close reseals them), so a backup waits for the count unless forced. A restore first checks
every meeting's hash chain in the copy.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from ..domain.phases import Phase
from ..extensions import db
from ..store.models import Hearing, Meeting
from .audit import verify_meeting

OPEN_BALLOT = (Phase.VOTING, Phase.SUSPENDED)


class BackupRefused(Exception):
    """The backup or restore was not made; the message says why."""


def backup(path: Path, force: bool = False) -> Path:
    """Write a consistent copy of the database to ``path`` (0600); its resolved path."""
    _require_sqlite()
    if not force and db.session.scalar(select(Hearing.id).where(Hearing.phase.in_(OPEN_BALLOT))):
        raise BackupRefused(
            "A ballot is open: until its count, its ballots lie in the database in the "
            "order they were cast, and a copy would keep that order. Back up after the "
            "count, or use --force."
        )
    path = path.resolve()
    if path.exists():
        raise BackupRefused(f"{path} exists already; choose a new file.")
    source = db.engine.raw_connection()
    try:
        with sqlite3.connect(path) as target:
            source.driver_connection.backup(target)
        target.close()
    finally:
        source.close()
    path.chmod(0o600)
    return path


def restore(path: Path) -> int:
    """Replace the database's content with the backup at ``path``, once every meeting's
    chain in it verifies; how many meetings it holds."""
    _require_sqlite()
    engine = create_engine(f"sqlite:///{path.resolve()}")
    try:
        with Session(engine) as copy:
            meetings = list(copy.scalars(select(Meeting.id)))
            for meeting_id in meetings:
                report = verify_meeting(meeting_id, copy)
                if report.broken_seq is not None:
                    raise BackupRefused(
                        f"Meeting {meeting_id} in {path}: its audit trail is broken at entry "
                        f"{report.broken_seq}; nothing was restored."
                    )
                if report.record_problem is not None:
                    raise BackupRefused(
                        f"Meeting {meeting_id} in {path}: {report.record_problem}; nothing "
                        "was restored."
                    )
    finally:
        engine.dispose()
    db.session.remove()
    target = db.engine.raw_connection()
    try:
        with sqlite3.connect(path) as source:
            source.backup(target.driver_connection)
        source.close()
    finally:
        target.close()
    db.engine.dispose()
    return len(meetings)


def _require_sqlite() -> None:
    if db.engine.dialect.name != "sqlite":
        raise BackupRefused(
            "This server uses PostgreSQL: back it up with pg_dump, between ballots "
            "(docs/deployment.md)."
        )
