"""The meeting's audit trail: its events, the head of the hash chain, and the chain's check."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.audit import ChainReport, LoggedEvent, check_chain
from ..domain.record_check import check_record
from ..extensions import db
from ..store import event_log
from ..store.models import Event
from ..store.record_reads import stored_record


def head_hash(meeting_id: int) -> str:
    """The hex SHA-256 of the meeting's last event ("" if it has none): the minutes print it."""
    return event_log.head_hash(db.session, meeting_id)


def event_count(meeting_id: int) -> int:
    """How many entries the meeting's chain holds (its last number): the minutes print it."""
    return event_log.head(db.session, meeting_id)[0]


def events_of(meeting_id: int) -> list[Event]:
    """The meeting's log in order."""
    return list(
        db.session.scalars(select(Event).where(Event.meeting_id == meeting_id).order_by(Event.seq))
    )


def verify_meeting(meeting_id: int, session: Session | None = None) -> ChainReport:
    """Recompute the meeting's chain from the stored rows (of ``session``'s database, the
    app's by default), then check the rows the minutes print against what the chain says;
    the first broken entry or difference, if any."""
    session = session or db.session
    rows = session.execute(
        select(
            Event.seq, Event.at, Event.kind, Event.actor, Event.data, Event.prev_hash, Event.hash
        )
        .where(Event.meeting_id == meeting_id)
        .order_by(Event.seq)
    )
    events = [LoggedEvent(*row) for row in rows]
    report = check_chain(meeting_id, events)
    if not report.ok:
        return report
    problem = check_record(events, stored_record(session.connection(), meeting_id))
    return replace(report, record_problem=problem)
