"""Running a meeting's ballot through the services, for the ballot tests."""

from __future__ import annotations

import secrets

from meeting.domain.phases import Phase
from meeting.domain.roles import Role
from meeting.domain.tally import Ballot, Choice
from meeting.extensions import db
from meeting.services import casting, hearings, presence, seats
from meeting.services.seats import Seat
from meeting.store.models import Meeting, PanelMember

BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def tracker() -> str:
    return "".join(secrets.choice(BASE32) for _ in range(8))


def ballot(choice: str, tier: str | None = None) -> Ballot:
    return Ballot(Choice(choice), tier)


def voting_members(meeting: Meeting, role: Role | None = None) -> list[PanelMember]:
    return [m for m in meeting.members if m.votes and (role is None or m.role is role)]


def seated_meeting(
    households: tuple[str, ...] = ("张三", "李四"), representatives: int = 18
) -> Meeting:
    """A meeting with a panel of ``representatives`` and 5 cadres (15 and 5 of them present),
    an investigator, and ``households`` proposed for tier B."""
    from meeting.services import setup

    from ..conftest import make_meeting

    meeting = make_meeting(representatives=representatives, cadres=5, investigators=("调查员甲",))
    for name in households:
        details = setup.HouseholdDetails(head_name=name, persons=2, proposed_tier="B")
        setup.add_household(meeting.id, details, "t")
    seat_panel(meeting)
    return meeting


def seat_panel(meeting: Meeting, representatives: int = 15, cadres: int = 5) -> None:
    for member in voting_members(meeting, Role.REPRESENTATIVE)[:representatives]:
        presence.set_presence(meeting.id, member.id, True, "test")
    for member in voting_members(meeting, Role.CADRE)[:cadres]:
        presence.set_presence(meeting.id, member.id, True, "test")


def open_ballot(meeting: Meeting, position: int = 1) -> None:
    meeting_id = meeting.id
    hearings.start_briefing(meeting_id, position, "test")
    hearings.start_statement(meeting_id, position, "test")
    hearings.start_questioning(meeting_id, position, "test")
    hearings.open_ballot(meeting_id, position, "test")


def present_voters(meeting: Meeting) -> list[PanelMember]:
    db.session.expire_all()
    return [m for m in meeting.members if m.votes and m.present]


def seat_of(member: PanelMember) -> Seat:
    """The member's seat as the phone holding it names it; a phone that has none scans the
    member's card first (which also checks the member in)."""
    secret = f"test-phone-of-member-{member.id}"
    if member.device_hash is None:
        seats.claim_seat(member.meeting_id, member.id, secret)
        db.session.expire_all()
    return Seat(member.meeting_id, member.id, seats.device_digest(secret))


def cast(
    member: PanelMember,
    position: int,
    choice: str = "eligible",
    tier: str | None = "B",
    code: str = "",
) -> str:
    """A phone's ballot for ``member`` through the service, as the handler calls it."""
    tier = tier if choice == "eligible" else None
    return casting.cast_ballot(seat_of(member), position, ballot(choice, tier), code or tracker())


def close_if_open(meeting: Meeting, position: int) -> None:
    """The host closes the ballot, unless the last ballot already closed it by itself."""
    db.session.expire_all()
    household = next(h for h in meeting.households if h.position == position)
    if household.hearing.phase is Phase.VOTING:
        hearings.close_ballot(meeting.id, position, "host", confirmed=True)
