"""The meeting's audit trail: its events, the head of the hash chain, and the chain's check."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.audit import ChainReport, LoggedEvent, check_chain
from ..extensions import db
from ..store import event_log
from ..store.models import Event


def head_hash(meeting_id: int) -> str:
    """The hex SHA-256 of the meeting's last event ("" if it has none): the minutes print it."""
    return event_log.head_hash(db.session, meeting_id)


def events_of(meeting_id: int) -> list[Event]:
    """The meeting's log in order."""
    return list(
        db.session.scalars(select(Event).where(Event.meeting_id == meeting_id).order_by(Event.seq))
    )


def verify_chain(meeting_id: int, session: Session | None = None) -> ChainReport:
    """Recompute the meeting's chain from the stored rows (of ``session``'s database, the
    app's by default); the first broken entry, if any."""
    rows = (session or db.session).execute(
        select(
            Event.seq, Event.at, Event.kind, Event.actor, Event.data, Event.prev_hash, Event.hash
        )
        .where(Event.meeting_id == meeting_id)
        .order_by(Event.seq)
    )
    return check_chain(meeting_id, (LoggedEvent(*row) for row in rows))
