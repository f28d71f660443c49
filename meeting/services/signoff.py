"""Signing off a meeting's minutes (read-only from then on) and amending them after."""

from __future__ import annotations

from sqlalchemy import select

from ..domain.signoff import amendment_text, check_can_sign_off
from ..extensions import db
from ..store.models import Event, Meeting, MeetingStatus, utcnow
from .audit import head_hash
from .events import lock_meeting, record_event

AMENDED = "minutes.amended"
FINALISED = "meeting.finalised"


def finalise(meeting: Meeting, actor: str) -> str:
    """Sign off the minutes once every household is announced; the head hash signed.

    Logs ``meeting.finalised`` with the hash of the entry before it, then the meeting is
    closed and refuses every change but an amendment (services/events.lock_meeting).
    """
    lock_meeting(meeting)  # refuses if signed off already, and holds off any other change
    db.session.refresh(meeting)
    check_can_sign_off(
        {h.position: h.hearing.phase for h in meeting.households},
        already_signed=meeting.finalised_at is not None,
    )
    signed = head_hash(meeting)
    meeting.finalised_at = utcnow()
    meeting.finalised_by = actor
    meeting.status = MeetingStatus.CLOSED
    record_event(meeting, FINALISED, actor, head=signed)
    db.session.commit()
    return signed


def amend(meeting: Meeting, text: str, actor: str) -> Event:
    """Append a correction to signed-off minutes: a visible entry of the chain."""
    text = amendment_text(text, signed_off=meeting.finalised_at is not None)
    event = record_event(meeting, AMENDED, actor, text=text)
    db.session.commit()
    return event


def amendments(meeting: Meeting) -> list[Event]:
    """The amendments to the minutes, in the order they were made."""
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.meeting_id == meeting.id, Event.kind == AMENDED)
            .order_by(Event.seq)
        )
    )
