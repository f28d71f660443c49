"""A meeting run through the services to its end, for the audit and sign-off tests."""

from __future__ import annotations

from meeting.services import ballots, hearings, setup
from meeting.store.models import Meeting

from ..conftest import make_meeting
from .ballot_helpers import open_ballot, present_voters, seat_panel, tracker

HOUSEHOLDS = ("张三", "李四")


def meeting_with_households() -> Meeting:
    """18 representatives, 5 cadres, an investigator and two households; the panel seated."""
    meeting = make_meeting(representatives=18, cadres=5, investigators=("调查员甲",))
    for name in HOUSEHOLDS:
        setup.add_household(
            meeting, setup.HouseholdDetails(head_name=name, persons=2, proposed_tier="B"), "test"
        )
    seat_panel(meeting)
    return meeting


def hear(meeting: Meeting, position: int, paper: int = 0) -> list[str]:
    """One household heard to the announcement: notes, a recusal, phone and paper ballots.

    Returns the tracker codes of its ballots.
    """
    voters = present_voters(meeting)
    household = next(h for h in meeting.households if h.position == position)
    ballots.recuse(household, voters[-1], "申请人的亲属", "test")
    for member in voters[:paper]:
        ballots.mark_paper_voter(member, True, "host")
    open_ballot(meeting, position)
    hearings.save_notes(meeting, position, "questioning_notes", "问：收入？答：务农。", "secretary")
    codes = []
    for member in voters[paper:-1]:
        codes.append(tracker())
        ballots.cast_ballot(meeting, member, position, "eligible", "B", codes[-1])
    for member in voters[:paper]:
        ballots.receive_paper_slip(meeting, position, member, "scrutineer")
        codes.append(tracker())
        ballots.enter_paper_ballot(meeting, position, "not_eligible", None, codes[-1], "scrutineer")
    hearings.take_step(meeting, position, "close_ballot", "test", confirmed=True)
    hearings.take_step(meeting, position, "announce", "test")
    for member in voters[:paper]:
        ballots.mark_paper_voter(member, False, "host")
    return codes


def hear_all(meeting: Meeting) -> None:
    for household in list(meeting.households):
        hear(meeting, household.position)
