"""The secret ballot through its services on a real SQLite file: casting, one ballot each,
recusal, paper slips, the close, the count and the tracker list."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from meeting.domain.ballot import BallotClosed, InvalidBallot, TrackerTaken
from meeting.domain.errors import DomainError, NotEntitledToVote, StepNotAllowed
from meeting.domain.phases import Phase
from meeting.domain.roles import Role
from meeting.domain.tally import Outcome
from meeting.extensions import db
from meeting.realtime import payloads
from meeting.realtime.state import build_states
from meeting.services import casting, counting, demo, hearings, presence, recusals, seats, setup
from meeting.services.casting import ALREADY_RECORDED, RECORDED
from meeting.settings import current_rules
from meeting.store import ballot_box
from meeting.store.models import BallotReceipt, Meeting, SecretBallot

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
    return seated_meeting()


def counts(hearing_id: int) -> tuple[int, int]:
    receipts = db.session.scalar(
        select(func.count())
        .select_from(BallotReceipt)
        .where(BallotReceipt.hearing_id == hearing_id)
    )
    stored = db.session.scalar(
        select(func.count()).select_from(SecretBallot).where(SecretBallot.hearing_id == hearing_id)
    )
    return receipts, stored


def phase_of(meeting: Meeting, position: int = 1) -> Phase:
    db.session.expire_all()
    return meeting.households[position - 1].hearing.phase


def turnout(meeting: Meeting) -> dict:
    """The turnout as every screen is shown it."""
    db.session.expire_all()
    state = build_states(db.session(), meeting.id, {("en", "staff")})[("en", "staff")]
    return state["current"]["turnout"]


def published(hearing) -> list:
    return ballot_box.published_trackers(db.session, hearing.id)


def test_a_ballot_is_recorded_once_and_a_retry_changes_nothing(meeting) -> None:
    open_ballot(meeting)
    member = present_voters(meeting)[0]
    code = tracker()
    assert cast(member, 1, "eligible", "A", code) == RECORDED
    # the phone retries (same ballot), then sends a different one: neither is recorded
    assert cast(member, 1, "eligible", "A", code) == ALREADY_RECORDED
    assert cast(member, 1, "not_eligible") == ALREADY_RECORDED
    hearing = meeting.households[0].hearing
    assert counts(hearing.id) == (1, 1)
    stored = db.session.scalars(select(SecretBallot)).one()
    assert (stored.choice.value, stored.tier_code, stored.tracker) == ("eligible", "A", code)


def test_bad_ballots_are_refused_with_a_reason_and_store_nothing(meeting) -> None:
    member = present_voters(meeting)[0]
    with pytest.raises(BallotClosed):
        cast(member, 1)  # not open yet
    open_ballot(meeting)
    cases = [
        ("maybe", None, tracker(), "Choose eligible, not eligible or abstain."),
        ("eligible", None, tracker(), "Choose a subsidy tier for an eligible ballot."),
        ("eligible", "Z", tracker(), "Choose a subsidy tier for an eligible ballot."),
        ("abstain", "A", tracker(), "Only an eligible ballot chooses a subsidy tier."),
        ("abstain", None, "abc", "The ballot's tracker code is not valid."),
        ("abstain", None, "ABCDEFG1", "The ballot's tracker code is not valid."),
    ]
    seat = seat_of(member)
    for choice, tier, code, reason in cases:
        with pytest.raises(InvalidBallot) as refused:
            # as the handler does: the payload is parsed, then the one service is called
            parsed, parsed_code = payloads.ballot(
                {"choice": choice, "tier": tier, "tracker": code}, current_rules()
            )
            casting.cast_ballot(seat, 1, parsed, parsed_code)
        assert str(refused.value) == reason
    assert counts(meeting.households[0].hearing.id) == (0, 0)


def test_a_taken_tracker_is_refused_so_the_phone_draws_again(meeting) -> None:
    open_ballot(meeting)
    first, second = present_voters(meeting)[:2]
    code = tracker()
    cast(first, 1, code=code)
    with pytest.raises(TrackerTaken):
        cast(second, 1, code=code)
    assert cast(second, 1) == RECORDED


def test_only_present_voting_members_not_recused_may_vote(meeting) -> None:
    absent = next(m for m in meeting.members if m.votes and not m.present)
    seat_of(absent)  # a phone holds the seat, but the member is then marked absent
    presence.set_presence(meeting.id, absent.id, False, "host")
    recused = present_voters(meeting)[0]
    investigator = next(m for m in meeting.members if m.role is Role.INVESTIGATOR)
    recusals.recuse(meeting.id, 1, recused.id, "申请人的女婿", "host")
    open_ballot(meeting)
    for member, reason in [
        (absent, "You are not checked in as present."),
        (recused, "You are recused from this household and do not vote on it."),
        (investigator, "Your role on the panel does not vote."),
    ]:
        seat = seat_of(member)
        if member is investigator:
            presence.set_presence(meeting.id, investigator.id, True, "host")
        with pytest.raises(NotEntitledToVote) as refused:
            casting.cast_ballot(seat, 1, ballot("eligible", "B"), tracker())
        assert str(refused.value) == reason
    progress = turnout(meeting)
    assert (progress["cast"], progress["entitled"]) == (0, 19)  # 15 + 5 present, one recused


def test_a_phone_whose_seat_was_freed_cannot_vote(meeting) -> None:
    open_ballot(meeting)
    member = present_voters(meeting)[0]
    seat = seat_of(member)
    seats.release_seat(meeting.id, member.id, "host")
    with pytest.raises(DomainError, match="no longer holds a seat"):
        casting.cast_ballot(seat, 1, ballot("abstain"), tracker())
    assert counts(meeting.households[0].hearing.id) == (0, 0)


def test_recusal_needs_a_reason_and_is_refused_once_the_member_voted(meeting) -> None:
    member = present_voters(meeting)[0]
    with pytest.raises(DomainError, match="reason"):
        recusals.recuse(meeting.id, 1, member.id, "  ", "host")
    open_ballot(meeting)
    cast(member, 1)
    with pytest.raises(DomainError, match="already voted"):
        recusals.recuse(meeting.id, 1, member.id, "亲属", "host")
    db.session.expire_all()
    assert meeting.households[0].recusals == []


def test_many_threads_casting_for_one_member_leave_one_ballot(app, meeting) -> None:
    open_ballot(meeting)
    seat = seat_of(present_voters(meeting)[0])
    answers: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(12)

    def attempt(i: int) -> None:
        with app.app_context():
            try:
                start.wait()
                # the same ballot retried, and different ballots from other "devices"
                choice = "eligible" if i % 2 else "not_eligible"
                code = "SAMECODE" if i < 6 else tracker()
                answers.append(
                    casting.cast_ballot(seat, 1, ballot(choice, "B" if i % 2 else None), code)
                )
            except BaseException as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Counter(answers) == {RECORDED: 1, ALREADY_RECORDED: 11}
    assert counts(meeting.households[0].hearing.id) == (1, 1)


def test_a_burst_of_ballots_from_many_threads_commits_each_exactly_once(app, meeting) -> None:
    open_ballot(meeting)
    voters = present_voters(meeting)
    sitting = [seat_of(m) for m in voters]
    answers: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(sitting) * 2)

    def attempt(seat: seats.Seat, code: str) -> None:
        with app.app_context():
            try:
                start.wait()
                answers.append(casting.cast_ballot(seat, 1, ballot("abstain"), code))
            except BaseException as error:
                errors.append(error)
            finally:
                db.session.remove()

    # every phone sends its ballot twice at the same instant (a retry racing the first)
    codes = {seat.member_id: tracker() for seat in sitting}
    threads = [
        threading.Thread(target=attempt, args=(seat, codes[seat.member_id]))
        for seat in sitting + sitting
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Counter(answers) == {RECORDED: len(sitting), ALREADY_RECORDED: len(sitting)}
    hearing = meeting.households[0].hearing
    db.session.expire_all()
    assert hearing.phase is Phase.COUNTED  # the last ballot closed it
    assert hearing.result.abstain == len(sitting) == counts(hearing.id)[0]


def test_the_close_counts_decides_and_publishes_the_trackers(meeting) -> None:
    open_ballot(meeting)
    voters = present_voters(meeting)  # 20 present: 15 representatives, 5 cadres
    choices = ["eligible"] * 12 + ["not_eligible"] * 5 + ["abstain"] * 2
    tiers = ["A", "B", "B", "B", "C", "C", "B", "A", "B", "C", "B", "B"]
    codes = []
    for i, (member, choice) in enumerate(zip(voters, choices, strict=False)):
        codes.append(tracker())
        cast(member, 1, choice, tiers[i] if choice == "eligible" else None, codes[-1])
    with pytest.raises(DomainError) as refused:
        hearings.close_ballot(meeting.id, 1, "host")
    assert str(refused.value) == (
        "1 of 20 entitled members have not voted yet. Close the ballot anyway?"
    )
    hearings.close_ballot(meeting.id, 1, "host", confirmed=True)
    db.session.expire_all()
    hearing = meeting.households[0].hearing
    result = hearing.result
    assert (result.eligible, result.not_eligible, result.abstain) == (12, 5, 2)
    assert (result.entitled, result.basis_count, result.on_paper) == (20, 20, 0)
    assert result.outcome is Outcome.ELIGIBLE and result.tier_code == "B"
    assert result.quorum_at_open["holds"] and result.quorum_at_close["representatives"] == 15
    listed = published(hearing)
    assert [t for t, _, _ in listed] == sorted(codes)
    assert Counter(c.value for _, c, _ in listed) == Counter(choices)
    assert counts(hearing.id) == (19, 19)


def test_the_ballot_closes_by_itself_in_the_change_of_the_last_ballot(meeting) -> None:
    open_ballot(meeting)
    voters = present_voters(meeting)
    phones = {member.id: seat_of(member) for member in voters}
    for member in voters:
        assert phase_of(meeting) is Phase.VOTING
        db.session.expire_all()
        version = db.session.get(Meeting, meeting.id).version
        casting.cast_ballot(phones[member.id], 1, ballot("not_eligible"), tracker())
        db.session.expire_all()
        # one ballot, one change: the last one's close is in the same transaction
        assert db.session.get(Meeting, meeting.id).version == version + 1
    assert phase_of(meeting) is Phase.COUNTED
    hearing = meeting.households[0].hearing
    assert hearing.result.outcome is Outcome.NOT_ELIGIBLE
    assert cast(voters[0], 1) == ALREADY_RECORDED  # a late retry
    latecomer = next(m for m in meeting.members if m.votes and not m.present)
    presence.set_presence(meeting.id, latecomer.id, True, "host")
    with pytest.raises(BallotClosed):
        cast(latecomer, 1)  # closed: no new ballot


def test_paper_slips_are_received_then_entered_and_counted_with_phone_ballots(meeting) -> None:
    voters = present_voters(meeting)
    paper = voters[:3]
    for member in paper:
        casting.mark_paper_voter(meeting.id, member.id, True, "host")
    open_ballot(meeting)
    with pytest.raises(NotEntitledToVote, match="paper"):
        cast(paper[0], 1)
    for member in voters[3:]:
        cast(member, 1, "eligible", "C")
    with pytest.raises(DomainError, match="Every paper slip"):
        casting.enter_paper_ballot(meeting.id, 1, ballot("abstain"), tracker(), "scrutineer")
    for member in paper:
        assert casting.receive_paper_slip(meeting.id, 1, member.id, "scrutineer") == RECORDED
    assert casting.receive_paper_slip(meeting.id, 1, paper[0].id, "scrutineer") == (
        ALREADY_RECORDED
    )
    assert phase_of(meeting) is Phase.VOTING  # three slips still to enter
    with pytest.raises(DomainError, match="3 paper slips"):
        hearings.close_ballot(meeting.id, 1, "host", confirmed=True)
    slip = tracker()
    entered = casting.enter_paper_ballot(meeting.id, 1, ballot("abstain"), slip, "scrutineer")
    assert entered == RECORDED
    # the console lost the answer and sends the same slip again
    again = casting.enter_paper_ballot(meeting.id, 1, ballot("abstain"), slip, "scrutineer")
    assert again == ALREADY_RECORDED
    for choice in ("not_eligible", "abstain"):
        casting.enter_paper_ballot(meeting.id, 1, ballot(choice), tracker(), "scrutineer")
    assert phase_of(meeting) is Phase.COUNTED  # the last slip closed it
    result = meeting.households[0].hearing.result
    assert (result.eligible, result.not_eligible, result.abstain, result.on_paper) == (17, 1, 2, 3)
    assert result.tier_code == "C"


def test_a_broken_quorum_suspends_the_ballot_instead_of_deciding_it(meeting) -> None:
    open_ballot(meeting)
    voters = present_voters(meeting)
    for member in voters[:10]:
        cast(member, 1)
    leaving = next(m for m in voters[10:] if m.role is Role.REPRESENTATIVE)
    presence.set_presence(meeting.id, leaving.id, False, "host")
    with pytest.raises(StepNotAllowed):
        hearings.close_ballot(meeting.id, 1, "host", confirmed=True)
    db.session.expire_all()
    hearing = meeting.households[0].hearing
    assert hearing.phase is Phase.SUSPENDED and hearing.result is None
    assert hearing.quorum_broken_at is not None


def test_few_ballots_or_the_meeting_setting_keep_the_tracker_list_unpublished(meeting) -> None:
    details = setup.MeetingDetails(
        meeting.title, meeting.place, meeting.held_on, meeting.kind, publish_trackers=False
    )
    setup.update_meeting(meeting.id, details, "clerk")
    open_ballot(meeting)
    codes = []
    for member in present_voters(meeting):
        codes.append(tracker())
        cast(member, 1, code=codes[-1])
    db.session.expire_all()
    hearing = meeting.households[0].hearing
    assert hearing.result.outcome is Outcome.ELIGIBLE
    assert not hearing.result.trackers_published
    # unpublished codes are replaced: a voter's phone no longer points to their ballot
    stored = set(db.session.scalars(select(SecretBallot.tracker)))
    assert len(stored) == 20 and not stored & set(codes)
    with pytest.raises(DomainError, match="not published"):
        counting.show_trackers(meeting.id, 1, True, "host")


def test_with_fewer_ballots_than_the_minimum_the_list_is_not_published(meeting) -> None:
    open_ballot(meeting)
    for member in present_voters(meeting)[:4]:  # the minimum is 5 by default
        cast(member, 1)
    hearings.close_ballot(meeting.id, 1, "host", confirmed=True)
    db.session.expire_all()
    hearing = meeting.households[0].hearing
    assert hearing.result.cast == 4 and not hearing.result.trackers_published


def test_bots_vote_only_in_the_demo_meeting(meeting) -> None:
    open_ballot(meeting)
    with pytest.raises(DomainError, match="demo"):
        demo.bot_votes(meeting.id, 1, "host")
    assert counts(meeting.households[0].hearing.id) == (0, 0)
