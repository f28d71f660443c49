"""Appending to a meeting's event log, a hash chain (docs/audit.md)."""

from __future__ import annotations

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from ..domain.audit import GENESIS, canonical_data, event_hash
from .models import Event, utcnow

_event = Event.__table__
_LAST = (
    select(_event.c.seq, _event.c.hash)
    .where(_event.c.meeting_id == bindparam("meeting"))
    .order_by(_event.c.seq.desc())
    .limit(1)
)
_APPEND = insert(_event)


def append_events(session: Session, meeting_id: int, entries: list[tuple[str, str, dict]]) -> None:
    """Chain ``(kind, actor, data)`` entries onto the meeting's log, in order.

    The caller holds the meeting's lock for writing, so the last entry read here stays the
    last until the commit. ``data`` never holds a ballot's content next to a member
    (docs/ballot-secrecy.md).
    """
    if not entries:
        return
    connection = session.connection()
    last = connection.execute(_LAST, {"meeting": meeting_id}).first()
    seq, prev = (last.seq, last.hash) if last is not None else (0, GENESIS)
    rows = []
    for kind, actor, raw in entries:
        seq += 1
        at, data = utcnow(), canonical_data(raw)
        digest = event_hash(meeting_id, seq, at, kind, actor, data, prev)
        rows.append(
            {
                "meeting_id": meeting_id,
                "seq": seq,
                "at": at,
                "kind": kind,
                "actor": actor,
                "data": data,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    connection.execute(_APPEND, rows)


def head(session: Session, meeting_id: int) -> tuple[int, str]:
    """The number and hash of the meeting's last event ((0, "") if it has none)."""
    last = session.connection().execute(_LAST, {"meeting": meeting_id}).first()
    return (last.seq, last.hash) if last is not None else (0, "")


def head_hash(session: Session, meeting_id: int) -> str:
    """The hash of the meeting's last event ("" if it has none): the minutes print it."""
    last = session.scalar(
        select(Event.hash).where(Event.meeting_id == meeting_id).order_by(Event.seq.desc()).limit(1)
    )
    return last or ""


__all__ = ["append_events", "head", "head_hash"]
