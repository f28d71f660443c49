"""Presence and the quorum: who is in the hall, and whether the panel may decide."""

from __future__ import annotations

from sqlalchemy import update

from ..domain.channels import check_arrival
from ..domain.hearing import HearingSteps
from ..store.models import PanelMember, utcnow
from ..store.ownership import owned
from .counting import SERVER, close_if_complete
from .hearing_steps import (
    PRESENT_BY_ROLE,
    move,
    open_ballot_phase,
    quorum_of,
    voting_hearing,
)
from .unit_of_work import Change, meeting_change


def set_presence(meeting_id: int, member_id: int, present: bool, actor: str) -> None:
    """Mark a member present or absent by hand (a paper voter arriving, someone leaving).

    Setting the presence a member already has changes nothing and logs nothing. Marking
    absent the last member who had not voted closes the ballot, in the same change; a
    quorum lost while the ballot is open suspends it instead.
    """
    with meeting_change(meeting_id, actor) as change:
        member = owned(change.session, PanelMember, member_id, meeting_id)
        if member.present == present:
            return
        if present:
            check_arrival(open_ballot_phase(change))
        member.present = present
        change.log("presence.changed", member_id=member.id, present=present)
        after_presence_change(change)


def set_everyone_present(meeting_id: int, present: bool, actor: str) -> int:
    """全部到会 / 全部缺席: every member of the panel present (or absent) at once, as one
    change and one event; the host and the secretary stay present by their office. How
    many members changed."""
    with meeting_change(meeting_id, actor) as change:
        if present:
            check_arrival(open_ballot_phase(change))
        change.session.flush()
        member = PanelMember.__table__
        statement = update(member).where(
            member.c.meeting_id == meeting_id, member.c.present != present
        )
        if not present:
            statement = statement.where(member.c.role.not_in([r.value for r in PRESENT_BY_ROLE]))
        changed = change.session.execute(statement.values(present=present)).rowcount
        if not changed:
            return 0
        change.session.expire_all()  # the members' presence was written as one statement
        change.touch()
        change.log("presence.everyone", present=present, members=changed)
        after_presence_change(change)
        return changed


def after_presence_change(change: Change) -> None:
    """The follow-on rules of any presence change: a lost quorum suspends an open ballot,
    else the last entitled member leaving may complete its turnout."""
    if not suspend_if_quorum_lost(change):
        close_if_complete(change, voting_hearing(change))


def suspend_if_quorum_lost(change: Change) -> bool:
    """If the quorum fails while a ballot is open, suspend that ballot (no ballot is taken
    until the host resumes it with the quorum back, or voids it) and record why."""
    hearing = voting_hearing(change)
    if hearing is None:
        return False
    quorum = quorum_of(change)
    if quorum.holds:
        return False
    if hearing.quorum_broken_at is None:
        hearing.quorum_broken_at = utcnow()
    steps = HearingSteps(phase=hearing.phase)
    steps.suspend_ballot()
    move(
        change,
        hearing,
        steps,
        "suspend_ballot",
        SERVER,
        reasons=[r.to_data() for r in quorum.reasons],
    )
    return True
