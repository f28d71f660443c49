"""The host's corrections in the hearing's state machine: a step back, a void, a suspension
and its resumption, a deferral, a skip, a move in the agenda; and what each refuses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meeting.domain.agenda import possible_corrections, possible_steps, reordered
from meeting.domain.errors import DomainError, NeedsConfirmation, QuorumNotMet, StepNotAllowed
from meeting.domain.hearing import CORRECTIONS, HearingSteps, check_floor_before_ballot, reason_for
from meeting.domain.phases import Phase
from meeting.domain.quorum import check_quorum
from meeting.domain.rules import HearingRules
from meeting.domain.signoff import check_can_sign_off

from .strategies import TIERS

RULES = HearingRules(tiers=TIERS)
QUORUM = check_quorum(18, 5, RULES)
NO_QUORUM = check_quorum(12, 5, RULES)


@pytest.mark.parametrize(
    ("phase", "back_to"),
    [
        (Phase.BRIEFING, Phase.PENDING),
        (Phase.STATEMENT, Phase.BRIEFING),
        (Phase.QUESTIONING, Phase.STATEMENT),
    ],
)
def test_a_step_back_goes_one_phase_back_before_the_ballot(phase: Phase, back_to: Phase) -> None:
    hearing = HearingSteps(phase=phase)
    hearing.step_back()
    assert hearing.phase is back_to


@pytest.mark.parametrize(
    "phase", [Phase.PENDING, Phase.VOTING, Phase.COUNTED, Phase.ANNOUNCED, Phase.SKIPPED]
)
def test_no_step_back_from_the_ballot_on_or_before_the_start(phase: Phase) -> None:
    hearing = HearingSteps(phase=phase)
    with pytest.raises(StepNotAllowed):
        hearing.step_back()
    assert hearing.phase is phase and not hearing.history


@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.SUSPENDED, Phase.COUNTED])
def test_a_void_returns_an_open_suspended_or_counted_ballot_to_questioning(phase: Phase) -> None:
    hearing = HearingSteps(phase=phase)
    hearing.void_ballot()
    assert hearing.phase is Phase.QUESTIONING
    hearing.open_ballot(QUORUM)  # and the ballot may open again
    assert hearing.phase is Phase.VOTING


def test_an_announced_result_cannot_be_voided() -> None:
    hearing = HearingSteps(phase=Phase.ANNOUNCED)
    with pytest.raises(StepNotAllowed) as refused:
        hearing.void_ballot()
    assert "not possible during announced" in str(refused.value)


def test_a_lost_quorum_suspends_the_ballot_until_it_returns() -> None:
    hearing = HearingSteps(phase=Phase.VOTING)
    hearing.suspend_ballot()
    assert hearing.phase is Phase.SUSPENDED
    with pytest.raises(StepNotAllowed):
        hearing.close_ballot()  # a suspended ballot decides nothing
    with pytest.raises(QuorumNotMet):
        hearing.resume_ballot(NO_QUORUM)
    assert hearing.phase is Phase.SUSPENDED
    hearing.resume_ballot(QUORUM)
    assert hearing.phase is Phase.VOTING


def test_a_deferred_household_is_heard_again_from_its_briefing() -> None:
    hearing = HearingSteps(phase=Phase.STATEMENT)
    hearing.defer()
    assert hearing.phase is Phase.DEFERRED and not hearing.is_finished
    hearing.start_briefing()
    assert hearing.phase is Phase.BRIEFING


def test_a_skipped_household_is_finished_and_lets_the_minutes_be_signed_off() -> None:
    hearing = HearingSteps(phase=Phase.DEFERRED)
    hearing.skip()
    assert hearing.is_finished and hearing.possible_steps == ()
    check_can_sign_off({1: Phase.ANNOUNCED, 2: Phase.SKIPPED}, already_signed=False)
    with pytest.raises(StepNotAllowed):
        check_can_sign_off({1: Phase.ANNOUNCED, 2: Phase.DEFERRED}, already_signed=False)


def test_corrections_offered_are_those_of_the_household_being_heard() -> None:
    phases = {1: Phase.ANNOUNCED, 2: Phase.VOTING, 3: Phase.PENDING}
    assert possible_corrections(phases) == [(2, "void_ballot")]
    assert possible_steps(phases) == [(2, "close_ballot")]
    phases[2] = Phase.SUSPENDED
    assert possible_steps(phases) == [(2, "resume_ballot")]
    phases[2] = Phase.ANNOUNCED
    assert possible_corrections(phases) == [(3, "defer"), (3, "skip")]
    assert possible_steps({1: Phase.DEFERRED}) == [(1, "start_briefing")]


@given(phase=st.sampled_from(list(Phase)), name=st.sampled_from(CORRECTIONS))
def test_a_correction_succeeds_exactly_when_it_is_offered(phase: Phase, name: str) -> None:
    hearing = HearingSteps(phase=phase)
    offered = name in hearing.possible_corrections
    try:
        getattr(hearing, name)()
    except StepNotAllowed:
        assert not offered and hearing.phase is phase
    else:
        assert offered and len(hearing.history) == 1


def test_a_household_not_heard_yet_moves_and_the_others_shift() -> None:
    phases = {1: Phase.ANNOUNCED, 2: Phase.DEFERRED, 3: Phase.PENDING, 4: Phase.PENDING}
    assert reordered(phases, 2, 4) == {2: 4, 3: 2, 4: 3}
    assert reordered(phases, 4, 2) == {4: 2, 2: 3, 3: 4}
    assert reordered(phases, 3, 3) == {}
    with pytest.raises(StepNotAllowed):
        reordered(phases, 1, 3)  # heard already
    with pytest.raises(StepNotAllowed):
        reordered(phases, 3, 9)  # no such place


@given(
    st.lists(st.sampled_from([Phase.PENDING, Phase.ANNOUNCED]), min_size=2, max_size=12), st.data()
)
def test_a_move_keeps_every_household_once(kinds: list[Phase], data: st.DataObject) -> None:
    phases = {i + 1: p for i, p in enumerate(kinds)}
    movable = [p for p, phase in phases.items() if phase is Phase.PENDING]
    if not movable:
        return
    position = data.draw(st.sampled_from(movable))
    to = data.draw(st.sampled_from(sorted(phases)))
    moves = reordered(phases, position, to)
    final = {p: moves.get(p, p) for p in phases}
    assert sorted(final.values()) == sorted(phases)
    assert final[position] == to


def test_every_correction_needs_a_reason() -> None:
    assert reason_for("  申请人  未到 ") == "申请人 未到"
    for empty in ("", "   ", None):
        with pytest.raises(DomainError):
            reason_for(empty)
    with pytest.raises(DomainError):
        reason_for("长" * 201)


def test_opening_the_ballot_while_someone_has_the_floor_asks_first() -> None:
    check_floor_before_ballot(None, 0, confirmed=False)
    check_floor_before_ballot("王五", 2, confirmed=True)
    with pytest.raises(NeedsConfirmation) as asked:
        check_floor_before_ballot("王五", 2, confirmed=False)
    assert "王五 has the floor" in str(asked.value)
    with pytest.raises(NeedsConfirmation):
        check_floor_before_ballot(None, 1, confirmed=False)
