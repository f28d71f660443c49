"""Presence and the quorum: who is in the hall, and whether the panel may decide."""

from __future__ import annotations

from ..store.models import PanelMember, utcnow
from ..store.ownership import owned
from .counting import close_if_complete
from .hearing_steps import quorum_of, voting_hearing
from .unit_of_work import Change, meeting_change


def set_presence(meeting_id: int, member_id: int, present: bool, actor: str) -> None:
    """Mark a member present or absent by hand (a paper voter arriving, someone leaving).

    Setting the presence a member already has changes nothing and logs nothing. Marking
    absent the last member who had not voted closes the ballot, in the same change.
    """
    with meeting_change(meeting_id, actor) as change:
        member = owned(change.session, PanelMember, member_id, meeting_id)
        if member.present == present:
            return
        member.present = present
        change.log("presence.changed", member_id=member.id, present=present)
        note_quorum_break(change)
        close_if_complete(change, voting_hearing(change))


def note_quorum_break(change: Change) -> None:
    """If the quorum fails while a ballot is open, record it once on that hearing."""
    hearing = voting_hearing(change)
    if hearing is None or hearing.quorum_broken_at is not None:
        return
    quorum = quorum_of(change)
    if not quorum.holds:
        hearing.quorum_broken_at = utcnow()
        change.log(
            "quorum.broken",
            household_id=hearing.household_id,
            reasons=[str(r) for r in quorum.reasons],
        )
