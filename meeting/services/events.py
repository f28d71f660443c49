"""The meeting's event log (a hash chain) and its state version, and the sign-off guard."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from ..domain.audit import GENESIS, canonical_data, event_hash
from ..domain.errors import MeetingFinalised
from ..domain.messages import msg
from ..extensions import db
from ..store.changes import is_marked, mark_changed
from ..store.models import Event, Meeting, utcnow

#: the only events a signed-off meeting still accepts
AFTER_SIGN_OFF = frozenset({"minutes.amended"})

FINALISED = msg(
    "The minutes of this meeting have been signed off: it can no longer be changed. "
    "Add an amendment instead."
)


def lock_meeting(meeting: Meeting, *, after_sign_off: bool = False) -> None:
    """Start changing the meeting in this transaction: take its lock, bump its version once.

    The UPDATE takes the meeting's row lock (PostgreSQL) or the write lock (SQLite), so two
    writers cannot both read the same last event number or both pass a check (one hand
    raised twice at once). However many events a transaction logs, the version moves by
    one, as screens expect (docs/protocol.md). A service that then finds nothing to do
    rolls back, and the version stays.

    Every change to a meeting passes here first, so this is where a signed-off meeting
    refuses it (MeetingFinalised, after rolling back whatever the caller had changed);
    only an amendment passes ``after_sign_off``. The check is part of the UPDATE, so a
    change racing the sign-off either commits before it or is refused.
    """
    session = db.session()
    if is_marked(session, meeting.id):
        return
    statement = update(Meeting).where(Meeting.id == meeting.id)
    if not after_sign_off:
        statement = statement.where(Meeting.finalised_at.is_(None))
    version = session.execute(
        statement.values(version=Meeting.version + 1)
        .returning(Meeting.version)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if version is None:
        session.rollback()
        raise MeetingFinalised(FINALISED)
    set_committed_value(meeting, "version", version)
    mark_changed(session, meeting.id)


def check_not_finalised(meeting: Meeting) -> None:
    """Refuse early, before any work, if the meeting's minutes are signed off."""
    if meeting.finalised_at is not None:
        raise MeetingFinalised(FINALISED)


def record_event(meeting: Meeting, kind: str, actor: str, **data: Any) -> Event:
    """Append an event to the meeting's log (locking it first); the caller commits.

    The entry is chained to the one before it, read under the lock: its hash covers the
    meeting, number, time, kind, actor, data and the previous hash (docs/audit.md).
    ``data`` must never hold a ballot's content next to a member (docs/ballot-secrecy.md).
    """
    lock_meeting(meeting, after_sign_off=kind in AFTER_SIGN_OFF)
    last = db.session.execute(
        select(Event.seq, Event.hash)
        .where(Event.meeting_id == meeting.id)
        .order_by(Event.seq.desc())
        .limit(1)
    ).first()
    seq, prev = (last.seq + 1, last.hash) if last is not None else (1, GENESIS)
    at, data = utcnow(), canonical_data(data)
    event = Event(
        meeting_id=meeting.id,
        seq=seq,
        at=at,
        kind=kind,
        actor=actor,
        data=data,
        prev_hash=prev,
        hash=event_hash(meeting.id, seq, at, kind, actor, data, prev),
    )
    db.session.add(event)
    return event
