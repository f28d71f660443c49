"""Appending to a meeting's event log, a hash chain (docs/audit.md)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.audit import GENESIS, canonical_data, event_hash
from .models import Event, utcnow


def append_events(session: Session, meeting_id: int, entries: list[tuple[str, str, dict]]) -> None:
    """Chain ``(kind, actor, data)`` entries onto the meeting's log, in order.

    The caller holds the meeting's lock for writing, so the last entry read here stays the
    last until the commit. ``data`` never holds a ballot's content next to a member
    (docs/ballot-secrecy.md).
    """
    if not entries:
        return
    last = session.execute(
        select(Event.seq, Event.hash)
        .where(Event.meeting_id == meeting_id)
        .order_by(Event.seq.desc())
        .limit(1)
    ).first()
    seq, prev = (last.seq, last.hash) if last is not None else (0, GENESIS)
    for kind, actor, raw in entries:
        seq += 1
        at, data = utcnow(), canonical_data(raw)
        digest = event_hash(meeting_id, seq, at, kind, actor, data, prev)
        session.add(
            Event(
                meeting_id=meeting_id,
                seq=seq,
                at=at,
                kind=kind,
                actor=actor,
                data=data,
                prev_hash=prev,
                hash=digest,
            )
        )
        prev = digest


def head_hash(session: Session, meeting_id: int) -> str:
    """The hash of the meeting's last event ("" if it has none): the minutes print it."""
    last = session.scalar(
        select(Event.hash).where(Event.meeting_id == meeting_id).order_by(Event.seq.desc()).limit(1)
    )
    return last or ""


__all__ = ["append_events", "head_hash"]
