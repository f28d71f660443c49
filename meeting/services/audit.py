"""The meeting's audit trail: its events, the head of the hash chain, and the chain's check."""

from __future__ import annotations

from sqlalchemy import select

from ..domain.audit import ChainReport, LoggedEvent, check_chain
from ..extensions import db
from ..store.models import Event, Meeting


def head_hash(meeting: Meeting) -> str:
    """The hex SHA-256 of the meeting's last event ("" if it has none): the minutes print it."""
    last = db.session.scalar(
        select(Event.hash).where(Event.meeting_id == meeting.id).order_by(Event.seq.desc()).limit(1)
    )
    return last or ""


def events_of(meeting: Meeting) -> list[Event]:
    """The meeting's log in order."""
    return list(
        db.session.scalars(select(Event).where(Event.meeting_id == meeting.id).order_by(Event.seq))
    )


def verify_chain(meeting: Meeting) -> ChainReport:
    """Recompute the meeting's chain from the stored rows; the first broken entry, if any."""
    rows = db.session.execute(
        select(
            Event.seq, Event.at, Event.kind, Event.actor, Event.data, Event.prev_hash, Event.hash
        )
        .where(Event.meeting_id == meeting.id)
        .order_by(Event.seq)
    )
    return check_chain(meeting.id, (LoggedEvent(*row) for row in rows))
