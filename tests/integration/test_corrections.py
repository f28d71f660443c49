"""The host's corrections through their services on a real SQLite file: each is one change
with its own event and reason; a void destroys the round's ballots and receipts, so every
member votes again; a lost quorum suspends the ballot instead of deciding it; a deferred
household is heard later; a skipped one lets the minutes be signed off."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from meeting.domain.ballot import BallotSuspended, BallotVoided
from meeting.domain.errors import DomainError, NeedsConfirmation, QuorumNotMet, StepNotAllowed
from meeting.domain.phases import Phase
from meeting.domain.roles import Role
from meeting.domain.signoff import Signatories
from meeting.domain.tally import Outcome
from meeting.extensions import db
from meeting.services import (
    audit,
    casting,
    corrections,
    hearings,
    presence,
    setup,
    signoff,
    speaking,
)
from meeting.services.casting import RECORDED
from meeting.store.models import BallotResult, Event, Hearing, Meeting, SecretBallot

from ..conftest import make_meeting
from .ballot_helpers import ballot, cast, open_ballot, present_voters, seat_of, seat_panel, tracker
from .test_ballot import counts

PEOPLE = Signatories("韩文静", "唐志远", ("王桂兰", "张秀英"))


@pytest.fixture
def meeting(app) -> Meeting:
    meeting = make_meeting(representatives=18, cadres=5, investigators=("调查员甲",))
    setup.add_member(meeting.id, "主持人甲", Role.HOST, "t")
    setup.add_member(meeting.id, "记录员乙", Role.SECRETARY, "t")
    for name in ("张三", "李四", "王五"):
        setup.add_household(
            meeting.id, setup.HouseholdDetails(head_name=name, persons=2, proposed_tier="B"), "t"
        )
    seat_panel(meeting)
    return meeting


def hearing(meeting: Meeting, position: int) -> Hearing:
    db.session.expire_all()
    return next(h.hearing for h in meeting.households if h.position == position)


def events(meeting: Meeting, kind: str) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.meeting_id == meeting.id, Event.kind == kind)
            .order_by(Event.seq)
        )
    )


def test_a_void_destroys_the_rounds_ballots_and_everyone_votes_again(meeting: Meeting) -> None:
    open_ballot(meeting, 1)
    voters = present_voters(meeting)
    for member in voters[:5]:
        assert cast(member, 1, "not_eligible") == RECORDED
    first = hearing(meeting, 1)
    assert counts(first.id) == (5, 5) and first.ballot_round == 1

    with pytest.raises(DomainError):
        corrections.void_ballot(meeting.id, 1, "  ", "host")  # a reason is needed
    assert counts(first.id) == (5, 5)
    corrections.void_ballot(meeting.id, 1, "开票前未宣读规则", "host")

    voided = hearing(meeting, 1)
    assert voided.phase is Phase.QUESTIONING and voided.ballot_round == 2
    assert counts(voided.id) == (0, 0)  # ballots and receipts are destroyed, not kept
    [event] = [e for e in events(meeting, "hearing.step") if e.data["step"] == "void_ballot"]
    assert event.data["reason"] == "开票前未宣读规则" and event.data["ballots_destroyed"] == 5
    assert event.data["round"] == 1

    # a phone that kept its ballot of the voided round is refused, not counted
    hearings.open_ballot(meeting.id, 1, "host")
    with pytest.raises(BallotVoided):
        casting.cast_ballot(seat_of(voters[0]), 1, ballot("not_eligible"), tracker(), 1)
    # the same members vote again in round 2, and the count holds only round 2's ballots
    for member in voters:
        casting.cast_ballot(seat_of(member), 1, ballot("eligible", "B"), tracker(), 2)
    counted = hearing(meeting, 1)
    assert counted.phase is Phase.COUNTED
    assert counted.result.eligible == len(voters) and counted.result.not_eligible == 0
    assert (
        db.session.scalar(
            select(SecretBallot.choice).where(SecretBallot.hearing_id == counted.id).limit(1)
        ).value
        == "eligible"
    )
    assert audit.verify_meeting(meeting.id).ok


def test_a_counted_ballot_may_be_voided_before_the_announcement(meeting: Meeting) -> None:
    open_ballot(meeting, 1)
    for member in present_voters(meeting):
        cast(member, 1, "abstain")
    assert hearing(meeting, 1).phase is Phase.COUNTED
    corrections.void_ballot(meeting.id, 1, "计票前发现回避人员未申报", "host")
    voided = hearing(meeting, 1)
    assert voided.result is None and voided.phase is Phase.QUESTIONING
    assert db.session.get(BallotResult, voided.id) is None
    hearings.open_ballot(meeting.id, 1, "host")
    for member in present_voters(meeting):
        cast(member, 1, "eligible", "B")
    hearings.announce(meeting.id, 1, "host")
    with pytest.raises(StepNotAllowed):  # an announced result stands
        corrections.void_ballot(meeting.id, 1, "太晚了", "host")
    assert hearing(meeting, 1).result.outcome is Outcome.ELIGIBLE


def test_a_lost_quorum_suspends_the_ballot_and_it_resumes_when_it_returns(meeting: Meeting) -> None:
    open_ballot(meeting, 1)
    voters = present_voters(meeting)
    representatives = [m for m in voters if m.role is Role.REPRESENTATIVE]
    for member in voters[:3]:
        cast(member, 1, "eligible", "B")
    leaving = representatives[-4:]  # 18 - 4 = 14 < 15
    for member in leaving:
        presence.set_presence(meeting.id, member.id, False, "host")
    suspended = hearing(meeting, 1)
    assert suspended.phase is Phase.SUSPENDED and suspended.result is None
    assert suspended.quorum_broken_at is not None
    [event] = [e for e in events(meeting, "hearing.step") if e.data["step"] == "suspend_ballot"]
    assert event.actor == "server" and event.data["reasons"]

    # casting is refused with the reason; the host cannot close or resume without a quorum
    with pytest.raises(BallotSuspended) as refused:
        cast(voters[5], 1, "eligible", "B")
    assert "quorum" in str(refused.value)
    with pytest.raises(StepNotAllowed):
        hearings.close_ballot(meeting.id, 1, "host", confirmed=True)
    with pytest.raises(QuorumNotMet):
        corrections.resume_ballot(meeting.id, 1, "host")
    assert counts(suspended.id) == (3, 3)

    for member in leaving:
        presence.set_presence(meeting.id, member.id, True, "host")
    assert hearing(meeting, 1).phase is Phase.SUSPENDED  # the host resumes it, not the server
    corrections.resume_ballot(meeting.id, 1, "host")
    assert hearing(meeting, 1).phase is Phase.VOTING
    for member in present_voters(meeting)[3:]:
        cast(member, 1, "eligible", "B")
    counted = hearing(meeting, 1)
    assert counted.phase is Phase.COUNTED and counted.result.eligible == len(voters)
    assert counted.result.outcome is Outcome.ELIGIBLE  # the ballots cast before stood


def test_an_absent_applicant_is_deferred_heard_later_or_skipped(meeting: Meeting) -> None:
    hearings.start_briefing(meeting.id, 1, "host")
    corrections.defer_household(meeting.id, 1, "申请人未到场", "host")
    assert hearing(meeting, 1).phase is Phase.DEFERRED
    # another household may be heard meanwhile, and the deferred one afterwards
    hearings.start_briefing(meeting.id, 2, "host")
    with pytest.raises(StepNotAllowed):
        hearings.start_briefing(meeting.id, 1, "host")
    corrections.skip_household(meeting.id, 2, "申请人撤回申请", "host")
    hearings.start_briefing(meeting.id, 1, "host")
    assert hearing(meeting, 1).phase is Phase.BRIEFING
    for step in (hearings.start_statement, hearings.start_questioning, hearings.open_ballot):
        step(meeting.id, 1, "host")
    for member in present_voters(meeting):
        cast(member, 1, "eligible", "B")
    hearings.announce(meeting.id, 1, "host")
    corrections.skip_household(meeting.id, 3, "申请人未到场", "host")
    signoff.finalise(meeting.id, "secretary", PEOPLE)  # a skipped household no longer holds it up
    reasons = [e.data.get("reason") for e in events(meeting, "hearing.step") if "reason" in e.data]
    assert reasons == ["申请人未到场", "申请人撤回申请", "申请人未到场"]


def test_a_step_back_before_the_ballot(meeting: Meeting) -> None:
    hearings.start_briefing(meeting.id, 1, "host")
    hearings.start_statement(meeting.id, 1, "host")
    corrections.step_back(meeting.id, 1, "点错了", "host")
    assert hearing(meeting, 1).phase is Phase.BRIEFING
    open_ballot_from_briefing = (hearings.start_statement, hearings.start_questioning)
    for step in open_ballot_from_briefing:
        step(meeting.id, 1, "host")
    hearings.open_ballot(meeting.id, 1, "host")
    with pytest.raises(StepNotAllowed):
        corrections.step_back(meeting.id, 1, "投票已开始", "host")


def test_a_household_moves_in_the_agenda_and_the_projector_follows_it(meeting: Meeting) -> None:
    hearings.start_briefing(meeting.id, 1, "host")
    corrections.move_household(meeting.id, 3, 1, "王五家需提前", "host")
    db.session.expire_all()
    order = [h.head_name for h in sorted(meeting.households, key=lambda h: h.position)]
    assert order == ["王五", "张三", "李四"]
    assert meeting.current_position == 2  # still 张三, being heard
    with pytest.raises(StepNotAllowed):
        corrections.move_household(meeting.id, 2, 3, "正在评议", "host")
    [event] = events(meeting, "agenda.moved")
    sealed = event.data.pop("record")  # the agenda as it now stands (test_record_check.py)
    assert sealed["agenda"] == [h.id for h in sorted(meeting.households, key=lambda h: h.position)]
    assert event.data == {
        "household_id": next(h.id for h in meeting.households if h.head_name == "王五"),
        "from": 3,
        "to": 1,
        "reason": "王五家需提前",
    }
    assert audit.verify_meeting(meeting.id).ok


def test_opening_the_ballot_while_someone_has_the_floor_asks_first(meeting: Meeting) -> None:
    for step in (hearings.start_briefing, hearings.start_statement, hearings.start_questioning):
        step(meeting.id, 1, "host")
    member = present_voters(meeting)[0]
    speaking.raise_hand(seat_of(member))
    with pytest.raises(NeedsConfirmation) as asked:
        hearings.open_ballot(meeting.id, 1, "host")
    assert "waiting to speak" in str(asked.value)
    assert hearing(meeting, 1).phase is Phase.QUESTIONING
    hearings.open_ballot(meeting.id, 1, "host", confirmed=True)
    assert hearing(meeting, 1).phase is Phase.VOTING


def test_everyone_present_and_absent_at_once_keeps_the_officers(meeting: Meeting) -> None:
    changed = presence.set_everyone_present(meeting.id, True, "host")
    db.session.expire_all()
    assert changed > 0 and all(m.present for m in meeting.members)
    assert presence.set_everyone_present(meeting.id, True, "host") == 0
    presence.set_everyone_present(meeting.id, False, "host")
    db.session.expire_all()
    officers = {Role.HOST, Role.SECRETARY}
    assert all(m.present == (m.role in officers) for m in meeting.members)
    [first, second] = events(meeting, "presence.everyone")
    assert first.data["present"] is True and second.data["present"] is False


def test_the_officers_are_present_once_the_meeting_opens(meeting: Meeting) -> None:
    db.session.expire_all()
    officers = [m for m in meeting.members if m.role in (Role.HOST, Role.SECRETARY)]
    assert officers and not any(m.present for m in officers)
    hearings.start_briefing(meeting.id, 1, "host")
    db.session.expire_all()
    assert all(m.present for m in officers)
