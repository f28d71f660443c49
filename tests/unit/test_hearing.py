"""One household's hearing: its steps in order, and every other step refused."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from meeting.domain.agenda import possible_steps
from meeting.domain.errors import QuorumNotMet, StepNotAllowed
from meeting.domain.hearing import STEPS, HearingSteps
from meeting.domain.phases import Phase
from meeting.domain.quorum import check_quorum
from meeting.domain.rules import HearingRules

from .strategies import TIERS

RULES = HearingRules(tiers=TIERS)
QUORUM = check_quorum(18, 5, RULES)
NO_QUORUM = check_quorum(12, 5, RULES)
#: the path of a hearing without corrections
PATH = tuple(step for step in STEPS if step != "resume_ballot")
ORDER = [
    Phase(p)
    for p in ("pending", "briefing", "statement", "questioning", "voting", "counted", "announced")
]


def take(hearing: HearingSteps, step: str, quorum=QUORUM) -> None:
    if step in ("open_ballot", "resume_ballot"):
        getattr(hearing, step)(quorum)
    else:
        getattr(hearing, step)()


def test_a_hearing_runs_briefing_statement_questioning_ballot_count_announce() -> None:
    hearing = HearingSteps()
    for step in PATH:
        take(hearing, step)
    assert hearing.phase is Phase.ANNOUNCED and hearing.is_finished
    assert [c.to_phase for c in hearing.history] == ORDER[1:]


def test_the_ballot_cannot_open_before_questioning() -> None:
    hearing = HearingSteps()
    hearing.start_briefing()
    with pytest.raises(StepNotAllowed) as refused:
        hearing.open_ballot(QUORUM)
    assert str(refused.value) == (
        "Cannot go to secret ballot during briefing; it follows questioning."
    )
    assert hearing.phase is Phase.BRIEFING


def test_the_ballot_cannot_open_without_a_quorum() -> None:
    hearing = HearingSteps(phase=Phase.QUESTIONING)
    with pytest.raises(QuorumNotMet) as refused:
        hearing.open_ballot(NO_QUORUM)
    assert "fewer than 15" in str(refused.value)
    assert hearing.phase is Phase.QUESTIONING


class HearingMachine(RuleBasedStateMachine):
    """Random steps: a step succeeds exactly when it is the next one; phases never go back."""

    def __init__(self) -> None:
        super().__init__()
        self.hearing = HearingSteps()
        self.expected = 0  # index into ORDER

    @rule(step=st.sampled_from(PATH), quorum_holds=st.booleans())
    def try_a_step(self, step: str, quorum_holds: bool) -> None:
        legal = PATH.index(step) == self.expected
        allowed = legal and (step != "open_ballot" or quorum_holds)
        try:
            take(self.hearing, step, QUORUM if quorum_holds else NO_QUORUM)
        except (StepNotAllowed, QuorumNotMet):
            assert not allowed
        else:
            assert allowed
            self.expected += 1

    @invariant()
    def phase_matches_the_steps_taken(self) -> None:
        assert self.hearing.phase is ORDER[self.expected]
        assert len(self.hearing.history) == self.expected


TestHearingMachine = HearingMachine.TestCase


def test_the_host_is_offered_only_the_next_step_of_the_household_being_heard() -> None:
    phases = {1: Phase.ANNOUNCED, 2: Phase.QUESTIONING, 3: Phase.PENDING}
    assert possible_steps(phases) == [(2, "open_ballot")]
    phases[2] = Phase.COUNTED
    assert possible_steps(phases) == [(2, "announce")]


def test_while_no_household_is_heard_any_pending_one_may_begin() -> None:
    phases = {1: Phase.ANNOUNCED, 2: Phase.PENDING, 3: Phase.PENDING}
    assert possible_steps(phases) == [(2, "start_briefing"), (3, "start_briefing")]
    assert possible_steps({1: Phase.ANNOUNCED}) == []
