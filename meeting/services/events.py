"""The meeting's event log and its state version."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ..extensions import db
from ..store.models import Event, Meeting


def record_event(meeting: Meeting, kind: str, actor: str, **data: Any) -> Event:
    """Append an event to the meeting's log and bump its version; the caller commits.

    ``data`` must never hold a ballot's content next to a member (docs/ballot-secrecy.md).
    """
    last = db.session.scalar(select(func.max(Event.seq)).where(Event.meeting_id == meeting.id))
    event = Event(meeting_id=meeting.id, seq=(last or 0) + 1, kind=kind, actor=actor, data=data)
    db.session.add(event)
    meeting.version = (meeting.version or 0) + 1
    return event
