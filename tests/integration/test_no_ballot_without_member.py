"""No ballot without its member: the attack of a staff account voting in members' names,
replayed step by step, is refused at every step and stores nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from meeting.domain.channels import ChannelFixed
from meeting.domain.errors import DomainError
from meeting.domain.phases import Phase
from meeting.extensions import db
from meeting.services import casting, corrections, hearings, presence, scrutiny
from meeting.services.casting import RECORDED
from meeting.store.models import BallotReceipt, Event, Meeting, PanelMember, SecretBallot

from .ballot_helpers import (
    ballot,
    cast,
    open_ballot,
    present_voters,
    seat_of,
    seated_meeting,
    tracker,
)


@pytest.fixture
def meeting(app) -> Meeting:
    return seated_meeting(("张三",))  # 3 of 18 representatives absent


def stored(meeting: Meeting) -> tuple[int, int, int, tuple[tuple[int, bool, bool], ...]]:
    """Receipts, ballots, events and every member's presence and channel, as stored."""
    db.session.expire_all()

    def count(model: type) -> int:
        return db.session.scalar(select(func.count()).select_from(model))

    members = tuple(
        (m.id, m.present, m.votes_on_paper)
        for m in db.session.scalars(select(PanelMember).order_by(PanelMember.id))
    )
    return count(BallotReceipt), count(SecretBallot), count(Event), members


def test_a_staff_account_cannot_vote_in_an_absent_members_name(meeting) -> None:
    absent = next(m for m in meeting.members if m.votes and not m.present)
    open_ballot(meeting)
    before = stored(meeting)
    with pytest.raises(ChannelFixed, match="next household"):
        presence.set_presence(meeting.id, absent.id, True, "host")
    with pytest.raises(ChannelFixed, match="next household"):
        presence.set_everyone_present(meeting.id, True, "host")
    with pytest.raises(ChannelFixed, match="fixed until it closes"):
        casting.mark_paper_voter(meeting.id, absent.id, True, "host")
    with pytest.raises(ChannelFixed, match="did not vote on paper"):
        casting.receive_paper_slip(meeting.id, 1, absent.id, "host")
    with pytest.raises(DomainError, match="Every paper slip"):
        casting.enter_paper_ballot(meeting.id, 1, ballot("eligible", "A"), tracker(), "host")
    assert stored(meeting) == before


def test_a_staff_account_cannot_vote_for_a_seated_phone_that_has_not_voted(meeting) -> None:
    phone = present_voters(meeting)[0]
    seat_of(phone)  # the phone holds its seat and has not voted
    open_ballot(meeting)
    before = stored(meeting)
    # mark them paper, enter a ballot, unmark them: the first step already fails
    with pytest.raises(ChannelFixed):
        casting.mark_paper_voter(meeting.id, phone.id, True, "host")
    with pytest.raises(ChannelFixed):
        casting.receive_paper_slip(meeting.id, 1, phone.id, "host")
    with pytest.raises(DomainError, match="Every paper slip"):
        casting.enter_paper_ballot(meeting.id, 1, ballot("eligible", "A"), tracker(), "host")
    assert stored(meeting) == before
    # and the member's own phone still votes, once
    assert cast(phone, 1, "not_eligible") == RECORDED


def test_paper_voters_at_the_opening_hand_in_slips_entered_before_a_scrutineer(meeting) -> None:
    voters = present_voters(meeting)
    paper, watcher = voters[0], voters[1]
    casting.mark_paper_voter(meeting.id, paper.id, True, "host")
    scrutiny.name_scrutineer(meeting.id, watcher.id, True, "host")
    open_ballot(meeting)
    # the channel stays as it was at the opening, even to undo it
    with pytest.raises(ChannelFixed):
        casting.mark_paper_voter(meeting.id, paper.id, False, "host")
    assert casting.receive_paper_slip(meeting.id, 1, paper.id, "secretary") == RECORDED
    with pytest.raises(ChannelFixed, match="Choose the scrutineer"):
        casting.enter_paper_ballot(meeting.id, 1, ballot("abstain"), tracker(), "secretary")
    with pytest.raises(ChannelFixed, match="must be a scrutineer"):
        casting.enter_paper_ballot(
            meeting.id, 1, ballot("abstain"), tracker(), "secretary", witness_id=paper.id
        )
    entered = casting.enter_paper_ballot(
        meeting.id, 1, ballot("abstain"), tracker(), "secretary", witness_id=watcher.id
    )
    assert entered == RECORDED
    logged = db.session.scalars(
        select(Event).where(Event.kind == "ballot.paper_slip_entered")
    ).one()
    assert (logged.actor, logged.data["witness"]) == ("secretary", watcher.id)


def test_the_channel_may_change_again_once_the_ballot_is_closed(meeting) -> None:
    member = present_voters(meeting)[0]
    open_ballot(meeting)
    hearings.close_ballot(meeting.id, 1, "host", confirmed=True)
    casting.mark_paper_voter(meeting.id, member.id, True, "host")
    db.session.expire_all()
    assert db.session.get(PanelMember, member.id).votes_on_paper


def test_members_may_be_marked_present_to_bring_back_a_lost_quorum(meeting) -> None:
    leaving = present_voters(meeting)[0]
    open_ballot(meeting)
    presence.set_presence(meeting.id, leaving.id, False, "host")  # 14 representatives
    db.session.expire_all()
    assert meeting.households[0].hearing.phase is Phase.SUSPENDED
    presence.set_presence(meeting.id, leaving.id, True, "host")
    corrections.resume_ballot(meeting.id, 1, "host")
    db.session.expire_all()
    assert meeting.households[0].hearing.phase is Phase.VOTING
