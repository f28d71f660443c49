"""The meeting's event log and its state version."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..store.changes import mark_changed
from ..store.models import Event, Meeting


def record_event(meeting: Meeting, kind: str, actor: str, **data: Any) -> Event:
    """Append an event to the meeting's log and bump its version; the caller commits.

    ``data`` must never hold a ballot's content next to a member (docs/ballot-secrecy.md).
    """
    # Bump the version in the database first: the UPDATE takes the meeting's row lock
    # (PostgreSQL) or the write lock (SQLite), so two writers cannot read the same last seq.
    version = db.session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id)
        .values(version=Meeting.version + 1)
        .returning(Meeting.version)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(meeting, "version", version)
    last = db.session.scalar(select(func.max(Event.seq)).where(Event.meeting_id == meeting.id))
    event = Event(meeting_id=meeting.id, seq=(last or 0) + 1, kind=kind, actor=actor, data=data)
    db.session.add(event)
    mark_changed(db.session(), meeting.id)
    return event
