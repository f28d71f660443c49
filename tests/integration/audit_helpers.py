"""A meeting run through the services to its end, for the audit and sign-off tests."""

from __future__ import annotations

from meeting.services import casting, hearings, notes, recusals, setup
from meeting.store.models import Meeting

from ..conftest import make_meeting
from .ballot_helpers import (
    ballot,
    cast,
    close_if_open,
    open_ballot,
    present_voters,
    seat_panel,
    tracker,
)

HOUSEHOLDS = ("张三", "李四")


def meeting_with_households() -> Meeting:
    """18 representatives, 5 cadres, an investigator and two households; the panel seated."""
    meeting = make_meeting(representatives=18, cadres=5, investigators=("调查员甲",))
    for name in HOUSEHOLDS:
        setup.add_household(
            meeting.id, setup.HouseholdDetails(head_name=name, persons=2, proposed_tier="B"), "t"
        )
    seat_panel(meeting)
    return meeting


def hear(meeting: Meeting, position: int, paper: int = 0) -> list[str]:
    """One household heard to the announcement: notes, a recusal, phone and paper ballots.

    Returns the tracker codes of its ballots.
    """
    voters = present_voters(meeting)
    mid = meeting.id
    recusals.recuse(mid, position, voters[-1].id, "申请人的亲属", "test")
    for member in voters[:paper]:
        casting.mark_paper_voter(mid, member.id, True, "host")
    open_ballot(meeting, position)
    notes.save_notes(mid, position, "questioning_notes", "问：收入？答：务农。", "secretary")
    codes = []
    for member in voters[paper:-1]:
        codes.append(tracker())
        cast(member, position, "eligible", "B", codes[-1])
    for member in voters[:paper]:
        casting.receive_paper_slip(mid, position, member.id, "scrutineer")
        codes.append(tracker())
        casting.enter_paper_ballot(mid, position, ballot("not_eligible"), codes[-1], "scrutineer")
    close_if_open(meeting, position)
    hearings.announce(mid, position, "test")
    for member in voters[:paper]:
        casting.mark_paper_voter(mid, member.id, False, "host")
    return codes


def hear_all(meeting: Meeting) -> None:
    for household in list(meeting.households):
        hear(meeting, household.position)
