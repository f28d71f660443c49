"""Counting: the decision basis, the no-majority rule and the tier rule."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from meeting.domain.rules import DecisionBasis, HearingRules, NoMajorityOutcome, TierRule
from meeting.domain.tally import Ballot, Choice, Outcome, choose_tier, tally

from .strategies import TIERS, ballots, rules

RULES = HearingRules(tiers=TIERS)
E, N, A = Choice.ELIGIBLE, Choice.NOT_ELIGIBLE, Choice.ABSTAIN


def votes(
    eligible: int = 0, not_eligible: int = 0, abstain: int = 0, tier: str = "B"
) -> list[Ballot]:
    return [Ballot(E, tier)] * eligible + [Ballot(N)] * not_eligible + [Ballot(A)] * abstain


def test_more_than_half_of_those_present_decides_eligible() -> None:
    result = tally(votes(12, 8), entitled=20, rules=RULES)
    assert result.outcome is Outcome.ELIGIBLE and result.tier.code == "B"
    assert str(result.reason) == "12 of 20 voted eligible: more than half."


def test_exactly_half_is_not_a_majority_and_is_deferred() -> None:
    result = tally(votes(10, 10), entitled=20, rules=RULES)
    assert result.outcome is Outcome.DEFERRED and result.tier is None


def test_members_who_do_not_vote_count_against_a_majority_of_those_present() -> None:
    # 11 of 23 present: not more than half, although 11 of the 15 ballots cast
    assert tally(votes(11, 4), entitled=23, rules=RULES).outcome is Outcome.DEFERRED
    cast_basis = replace(RULES, decision_basis=DecisionBasis.BALLOTS_CAST)
    assert tally(votes(11, 4), entitled=23, rules=cast_basis).outcome is Outcome.ELIGIBLE


def test_all_abstaining_is_no_majority() -> None:
    result = tally(votes(abstain=20), entitled=20, rules=RULES)
    assert result.outcome is Outcome.DEFERRED
    strict = replace(RULES, no_majority_outcome=NoMajorityOutcome.NOT_ELIGIBLE)
    assert tally(votes(abstain=20), entitled=20, rules=strict).outcome is Outcome.NOT_ELIGIBLE


def test_a_lost_quorum_defers_whatever_the_count() -> None:
    result = tally(votes(20), entitled=20, rules=RULES, quorum_held=False)
    assert result.outcome is Outcome.DEFERRED and result.eligible == 20


def test_no_ballots_at_all_is_no_majority() -> None:
    assert tally([], entitled=0, rules=RULES).outcome is Outcome.DEFERRED


def test_median_tier_takes_the_lower_middle_amount() -> None:
    chosen = ["A", "A", "B", "C"]  # amounts 420, 420, 300, 180 -> sorted 180, 300, 420, 420
    assert choose_tier(chosen, RULES).code == "B"
    assert choose_tier(["A", "C", "C"], RULES).code == "C"


def test_most_chosen_tier_breaks_a_tie_toward_the_lower_amount() -> None:
    plurality = replace(RULES, tier_rule=TierRule.MOST_CHOSEN)
    assert choose_tier(["A", "A", "B"], plurality).code == "A"
    assert choose_tier(["A", "C"], plurality).code == "C"


def test_eligible_ballots_without_a_tier_give_no_tier() -> None:
    assert choose_tier([None, None], RULES) is None


@given(rules, st.lists(ballots, max_size=40), st.integers(0, 10))
def test_the_outcome_follows_the_basis(r, cast, not_voting) -> None:
    entitled = len(cast) + not_voting
    result = tally(cast, entitled, r)
    basis = entitled if r.decision_basis is DecisionBasis.PRESENT_VOTERS else len(cast)
    assert result.basis_count == basis
    assert result.cast == len(cast)
    if result.outcome is Outcome.ELIGIBLE:
        assert 2 * result.eligible > basis
    elif 2 * result.eligible > basis or 2 * result.not_eligible > basis:
        assert result.outcome is Outcome.NOT_ELIGIBLE and 2 * result.not_eligible > basis
    else:
        assert result.outcome.value == r.no_majority_outcome.value
    assert (result.tier is not None) == (result.outcome is Outcome.ELIGIBLE)


@given(rules, st.lists(ballots, max_size=40), st.integers(0, 10), st.randoms())
def test_the_order_of_ballots_does_not_matter(r, cast, not_voting, random) -> None:
    shuffled = cast[:]
    random.shuffle(shuffled)
    entitled = len(cast) + not_voting
    assert tally(cast, entitled, r) == tally(shuffled, entitled, r)


@given(rules, st.lists(ballots, max_size=40), st.integers(1, 10))
def test_one_more_eligible_ballot_never_turns_eligible_into_something_else(r, cast, spare) -> None:
    entitled = len(cast) + spare
    before = tally(cast, entitled, r)
    after = tally([*cast, Ballot(E, "A")], entitled, r)
    if before.outcome is Outcome.ELIGIBLE:
        assert after.outcome is Outcome.ELIGIBLE


@given(rules, st.lists(tier_code := st.sampled_from(["A", "B", "C"]), min_size=1, max_size=30))
def test_the_tier_is_one_that_was_chosen_and_within_their_range(r, chosen) -> None:
    tier = choose_tier(chosen, r)
    assert tier.code in chosen
    amounts = sorted(r.tier(c).monthly_amount for c in chosen)
    assert amounts[0] <= tier.monthly_amount <= amounts[-1]
    if r.tier_rule is TierRule.MEDIAN:
        at_least = sum(1 for a in amounts if a >= tier.monthly_amount)
        at_most = sum(1 for a in amounts if a <= tier.monthly_amount)
        assert 2 * at_least >= len(amounts) and 2 * at_most >= len(amounts)
