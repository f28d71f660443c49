"""The secret ballot through its services on a real SQLite file: casting, one ballot each,
recusal, paper slips, the close, the count and the tracker list."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from meeting.domain.ballot import BallotClosed, InvalidBallot, TrackerTaken
from meeting.domain.errors import DomainError, NotEntitledToVote
from meeting.domain.roles import Role
from meeting.domain.tally import Outcome
from meeting.extensions import db
from meeting.services import ballots, hearings, presence
from meeting.services.ballots import ALREADY_RECORDED, RECORDED
from meeting.store.models import BallotReceipt, Meeting, SecretBallot

from ..conftest import make_meeting
from .ballot_helpers import open_ballot, present_voters, seat_panel, tracker


@pytest.fixture
def meeting(app) -> Meeting:
    meeting = make_meeting(representatives=18, cadres=5, investigators=("调查员甲",))
    from meeting.services import setup

    for name in ("张三", "李四"):
        setup.add_household(
            meeting, setup.HouseholdDetails(head_name=name, persons=2, proposed_tier="B"), "test"
        )
    seat_panel(meeting)
    return meeting


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


def cast(meeting: Meeting, member, choice="eligible", tier="B", code=None, position=1) -> str:
    return ballots.cast_ballot(meeting, member, position, choice, tier, code or tracker())


def test_a_ballot_is_recorded_once_and_a_retry_changes_nothing(meeting) -> None:
    open_ballot(meeting)
    member = present_voters(meeting)[0]
    code = tracker()
    assert cast(meeting, member, "eligible", "A", code) == RECORDED
    # the phone retries (same ballot), then sends a different one: neither is recorded
    assert cast(meeting, member, "eligible", "A", code) == ALREADY_RECORDED
    assert cast(meeting, member, "not_eligible", None) == ALREADY_RECORDED
    hearing = meeting.households[0].hearing
    assert counts(hearing.id) == (1, 1)
    stored = db.session.scalars(select(SecretBallot)).one()
    assert (stored.choice.value, stored.tier_code, stored.tracker) == ("eligible", "A", code)


def test_bad_ballots_are_refused_with_a_reason_and_store_nothing(meeting) -> None:
    member = present_voters(meeting)[0]
    with pytest.raises(BallotClosed):
        cast(meeting, member)  # not open yet
    db.session.rollback()
    open_ballot(meeting)
    cases = [
        ("maybe", None, tracker(), "Choose eligible, not eligible or abstain."),
        ("eligible", None, tracker(), "Choose a subsidy tier for an eligible ballot."),
        ("eligible", "Z", tracker(), "Choose a subsidy tier for an eligible ballot."),
        ("abstain", "A", tracker(), "Only an eligible ballot chooses a subsidy tier."),
        ("abstain", None, "abc", "The ballot's tracker code is not valid."),
        ("abstain", None, "ABCDEFG1", "The ballot's tracker code is not valid."),
    ]
    for choice, tier, code, reason in cases:
        with pytest.raises(InvalidBallot) as refused:
            ballots.cast_ballot(meeting, member, 1, choice, tier, code)
        db.session.rollback()
        assert str(refused.value) == reason
    assert counts(meeting.households[0].hearing.id) == (0, 0)


def test_a_taken_tracker_is_refused_so_the_phone_draws_again(meeting) -> None:
    open_ballot(meeting)
    first, second = present_voters(meeting)[:2]
    code = tracker()
    cast(meeting, first, code=code)
    with pytest.raises(TrackerTaken):
        cast(meeting, second, code=code)
    db.session.rollback()
    assert cast(meeting, second) == RECORDED


def test_only_present_voting_members_not_recused_may_vote(meeting) -> None:
    household = meeting.households[0]
    absent = next(m for m in meeting.members if m.votes and not m.present)
    recused = present_voters(meeting)[0]
    investigator = next(m for m in meeting.members if m.role is Role.INVESTIGATOR)
    ballots.recuse(household, recused, "申请人的女婿", "host")
    open_ballot(meeting)
    for member, reason in [
        (absent, "You are not checked in as present."),
        (recused, "You are recused from this household and do not vote on it."),
        (investigator, "Your role on the panel does not vote."),
    ]:
        with pytest.raises(NotEntitledToVote) as refused:
            cast(meeting, member)
        db.session.rollback()
        assert str(refused.value) == reason
    progress = ballots.turnout(meeting, household.hearing)
    assert (progress.cast, progress.entitled) == (0, 19)  # 15 + 5 present, one recused


def test_recusal_needs_a_reason_and_is_refused_once_the_member_voted(meeting) -> None:
    household = meeting.households[0]
    member = present_voters(meeting)[0]
    with pytest.raises(DomainError, match="reason"):
        ballots.recuse(household, member, "  ", "host")
    db.session.rollback()
    open_ballot(meeting)
    cast(meeting, member)
    with pytest.raises(DomainError, match="already voted"):
        ballots.recuse(household, member, "亲属", "host")
    db.session.rollback()
    assert household.recusals == []


def test_many_threads_casting_for_one_member_leave_one_ballot(app, meeting) -> None:
    open_ballot(meeting)
    member_id = present_voters(meeting)[0].id
    meeting_id = meeting.id
    answers: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(12)

    def attempt(i: int) -> None:
        with app.app_context():
            try:
                m = db.session.get(Meeting, meeting_id)
                member = next(x for x in m.members if x.id == member_id)
                start.wait()
                # the same ballot retried, and different ballots from other "devices"
                choice = "eligible" if i % 2 else "not_eligible"
                code = "SAMECODE" if i < 6 else tracker()
                answers.append(
                    ballots.cast_ballot(m, member, 1, choice, "B" if i % 2 else None, code)
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


def test_the_close_counts_decides_and_publishes_the_trackers(meeting) -> None:
    open_ballot(meeting)
    voters = present_voters(meeting)  # 20 present: 15 representatives, 5 cadres
    choices = ["eligible"] * 12 + ["not_eligible"] * 5 + ["abstain"] * 2
    tiers = ["A", "B", "B", "B", "C", "C", "B", "A", "B", "C", "B", "B"]
    codes = []
    for i, (member, choice) in enumerate(zip(voters, choices, strict=False)):
        codes.append(tracker())
        cast(meeting, member, choice, tiers[i] if choice == "eligible" else None, codes[-1])
    with pytest.raises(DomainError) as refused:
        hearings.take_step(meeting, 1, "close_ballot", "host")
    db.session.rollback()
    assert str(refused.value) == (
        "1 of 20 entitled members have not voted yet. Close the ballot anyway?"
    )
    hearings.take_step(meeting, 1, "close_ballot", "host", confirmed=True)
    hearing = meeting.households[0].hearing
    result = hearing.result
    assert (result.eligible, result.not_eligible, result.abstain) == (12, 5, 2)
    assert (result.entitled, result.basis_count, result.on_paper) == (20, 20, 0)
    assert result.outcome is Outcome.ELIGIBLE and result.tier_code == "B"
    assert result.quorum_at_open["holds"] and result.quorum_at_close["representatives"] == 15
    listed = ballots.published_trackers(hearing)
    assert [t for t, _, _ in listed] == sorted(codes)
    assert Counter(c.value for _, c, _ in listed) == Counter(choices)
    assert counts(hearing.id) == (19, 19)


def test_the_ballot_closes_by_itself_when_everyone_has_voted(meeting) -> None:
    open_ballot(meeting)
    for member in present_voters(meeting):
        cast(meeting, member, "not_eligible", None)
        assert not hearings.close_if_complete(meeting, 1) or member is present_voters(meeting)[-1]
    hearing = meeting.households[0].hearing
    assert hearing.result.outcome is Outcome.NOT_ELIGIBLE
    assert cast(meeting, present_voters(meeting)[0]) == ALREADY_RECORDED  # a late retry
    latecomer = next(m for m in meeting.members if m.votes and not m.present)
    presence.set_presence(latecomer, True, "host")
    with pytest.raises(BallotClosed):
        cast(meeting, latecomer)  # closed: no new ballot
    db.session.rollback()


def test_paper_slips_are_received_then_entered_and_counted_with_phone_ballots(meeting) -> None:
    voters = present_voters(meeting)
    paper = voters[:3]
    for member in paper:
        ballots.mark_paper_voter(member, True, "host")
    open_ballot(meeting)
    with pytest.raises(NotEntitledToVote, match="paper"):
        cast(meeting, paper[0])
    db.session.rollback()
    for member in voters[3:]:
        cast(meeting, member, "eligible", "C")
    with pytest.raises(DomainError, match="Every paper slip"):
        ballots.enter_paper_ballot(meeting, 1, "abstain", None, tracker(), "scrutineer")
    db.session.rollback()
    for member in paper:
        assert ballots.receive_paper_slip(meeting, 1, member, "scrutineer") == RECORDED
    assert ballots.receive_paper_slip(meeting, 1, paper[0], "scrutineer") == ALREADY_RECORDED
    assert not hearings.close_if_complete(meeting, 1)  # three slips still to enter
    with pytest.raises(DomainError, match="3 paper slips"):
        hearings.take_step(meeting, 1, "close_ballot", "host", confirmed=True)
    db.session.rollback()
    slip = tracker()
    assert ballots.enter_paper_ballot(meeting, 1, "abstain", None, slip, "scrutineer") == RECORDED
    # the console lost the answer and sends the same slip again
    assert (
        ballots.enter_paper_ballot(meeting, 1, "abstain", None, slip, "scrutineer")
        == ALREADY_RECORDED
    )
    for choice in ("not_eligible", "abstain"):
        ballots.enter_paper_ballot(meeting, 1, choice, None, tracker(), "scrutineer")
    assert hearings.close_if_complete(meeting, 1)
    result = meeting.households[0].hearing.result
    assert (result.eligible, result.not_eligible, result.abstain, result.on_paper) == (17, 1, 2, 3)
    assert result.tier_code == "C"


def test_a_broken_quorum_at_the_close_defers_the_household(meeting) -> None:
    open_ballot(meeting)
    voters = present_voters(meeting)
    for member in voters[:10]:
        cast(meeting, member)
    leaving = next(m for m in voters[10:] if m.role is Role.REPRESENTATIVE)
    presence.set_presence(leaving, False, "host")
    hearings.take_step(meeting, 1, "close_ballot", "host", confirmed=True)
    result = meeting.households[0].hearing.result
    assert result.outcome is Outcome.DEFERRED
    assert result.quorum_at_open["holds"] and not result.quorum_at_close["holds"]
    assert meeting.households[0].hearing.quorum_broken_at is not None


def test_few_ballots_or_the_meeting_setting_keep_the_tracker_list_unpublished(meeting) -> None:
    meeting.publish_trackers = False
    db.session.commit()
    open_ballot(meeting)
    codes = []
    for member in present_voters(meeting):
        codes.append(tracker())
        cast(meeting, member, code=codes[-1])
    hearings.close_if_complete(meeting, 1)
    hearing = meeting.households[0].hearing
    assert hearing.result.outcome is Outcome.ELIGIBLE
    assert not hearing.result.trackers_published and ballots.published_trackers(hearing) == []
    # unpublished codes are replaced: a voter's phone no longer points to their ballot
    stored = set(db.session.scalars(select(SecretBallot.tracker)))
    assert len(stored) == 20 and not stored & set(codes)
    with pytest.raises(DomainError, match="not published"):
        ballots.show_trackers(meeting, 1, True, "host")
    db.session.rollback()


def test_with_fewer_ballots_than_the_minimum_the_list_is_not_published(meeting) -> None:
    open_ballot(meeting)
    for member in present_voters(meeting)[:4]:  # the minimum is 5 by default
        cast(meeting, member)
    hearings.take_step(meeting, 1, "close_ballot", "host", confirmed=True)
    hearing = meeting.households[0].hearing
    assert hearing.result.cast == 4 and not hearing.result.trackers_published


def test_bots_vote_only_in_the_demo_meeting(meeting) -> None:
    open_ballot(meeting)
    with pytest.raises(DomainError, match="demo"):
        ballots.bot_votes(meeting, 1, "host")
    db.session.rollback()
    assert counts(meeting.households[0].hearing.id) == (0, 0)
