"""The meeting's event log and its state version."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..store.changes import is_marked, mark_changed
from ..store.models import Event, Meeting


def lock_meeting(meeting: Meeting) -> None:
    """Start changing the meeting in this transaction: take its lock, bump its version once.

    The UPDATE takes the meeting's row lock (PostgreSQL) or the write lock (SQLite), so two
    writers cannot both read the same last event number or both pass a check (one hand
    raised twice at once). However many events a transaction logs, the version moves by
    one, as screens expect (docs/protocol.md). A service that then finds nothing to do
    rolls back, and the version stays.
    """
    session = db.session()
    if is_marked(session, meeting.id):
        return
    version = session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id)
        .values(version=Meeting.version + 1)
        .returning(Meeting.version)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(meeting, "version", version)
    mark_changed(session, meeting.id)


def record_event(meeting: Meeting, kind: str, actor: str, **data: Any) -> Event:
    """Append an event to the meeting's log (locking it first); the caller commits.

    ``data`` must never hold a ballot's content next to a member (docs/ballot-secrecy.md).
    """
    lock_meeting(meeting)
    last = db.session.scalar(select(func.max(Event.seq)).where(Event.meeting_id == meeting.id))
    event = Event(meeting_id=meeting.id, seq=(last or 0) + 1, kind=kind, actor=actor, data=data)
    db.session.add(event)
    return event
