"""Presence and the quorum: who is in the hall, and whether the panel may decide."""

from __future__ import annotations

from ..domain.phases import Phase
from ..domain.quorum import QuorumCheck, check_quorum_of
from ..extensions import db
from ..store.models import Meeting, PanelMember, utcnow
from .events import record_event
from .setup import hearing_rules


def quorum_of(meeting: Meeting) -> QuorumCheck:
    """The quorum as it stands among the members marked present."""
    return check_quorum_of(((m.role, m.present) for m in meeting.members), hearing_rules())


def set_presence(member: PanelMember, present: bool, actor: str) -> None:
    """Mark a member present or absent by hand (a paper voter arriving, someone leaving).

    Setting the presence a member already has changes nothing and logs nothing.
    """
    if member.present == present:
        return
    member.present = present
    meeting = member.meeting
    record_event(meeting, "presence.changed", actor, member_id=member.id, present=present)
    note_quorum_break(meeting, actor)
    db.session.commit()


def note_quorum_break(meeting: Meeting, actor: str) -> None:
    """If the quorum fails while a ballot is open, record it once on that hearing."""
    hearing = next((h.hearing for h in meeting.households if h.hearing.phase is Phase.VOTING), None)
    if hearing is None or hearing.quorum_broken_at is not None:
        return
    quorum = quorum_of(meeting)
    if not quorum.holds:
        hearing.quorum_broken_at = utcnow()
        record_event(
            meeting,
            "quorum.broken",
            actor,
            household_id=hearing.household_id,
            reasons=[str(r) for r in quorum.reasons],
        )
