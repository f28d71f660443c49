"""The ballot's own rules: what a ballot may say, tracker codes, when it may close, when
its tracker list may be published; and the count on hand-made meetings with a recused
member and paper ballots."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meeting.domain.ballot import (
    InvalidBallot,
    Turnout,
    check_can_close,
    entitled_count,
    may_publish_trackers,
    parse_ballot,
    parse_tracker,
)
from meeting.domain.eligibility import Voter, entitled_voters
from meeting.domain.errors import DomainError
from meeting.domain.roles import Role
from meeting.domain.rules import DecisionBasis, HearingRules
from meeting.domain.tally import Ballot, Choice, Outcome, tally

from .strategies import TIERS

RULES = HearingRules(tiers=TIERS)
E, N, A = Choice.ELIGIBLE, Choice.NOT_ELIGIBLE, Choice.ABSTAIN


def test_an_eligible_ballot_needs_a_configured_tier_and_the_others_none() -> None:
    assert parse_ballot("eligible", "B", RULES) == Ballot(E, "B")
    assert parse_ballot("abstain", None, RULES) == Ballot(A, None)
    assert parse_ballot("not_eligible", "", RULES) == Ballot(N, None)
    for choice, tier in [
        ("eligible", None),
        ("eligible", "Z"),
        ("not_eligible", "A"),
        ("yes", None),
    ]:
        with pytest.raises(InvalidBallot):
            parse_ballot(choice, tier, RULES)


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=8, max_size=8))
def test_any_eight_base32_characters_are_a_tracker_in_either_case(code: str) -> None:
    assert parse_tracker(code.lower()) == code


@given(st.text(max_size=12).filter(lambda t: len(t.strip()) != 8 or not t.strip().isalnum()))
def test_anything_else_is_not_a_tracker(text: str) -> None:
    with pytest.raises(InvalidBallot):
        parse_tracker(text)


def test_the_host_must_confirm_closing_before_everyone_has_voted() -> None:
    check_can_close(Turnout(cast=20, entitled=20), confirmed=False)
    check_can_close(Turnout(cast=3, entitled=20), confirmed=True)
    with pytest.raises(DomainError) as refused:
        check_can_close(Turnout(cast=17, entitled=20), confirmed=False)
    assert str(refused.value).startswith("3 of 20 entitled members have not voted yet.")


def test_a_member_who_voted_and_left_still_counts_among_the_entitled() -> None:
    assert entitled_count({1, 2, 3}, {3, 4}) == 4


@given(st.booleans(), st.integers(0, 40), st.integers(1, 40))
def test_the_list_is_published_only_if_allowed_and_enough_ballots(publish, cast, minimum) -> None:
    assert may_publish_trackers(publish, cast, minimum) == (publish and cast >= minimum)


def test_a_recused_member_and_paper_ballots_in_one_count() -> None:
    """20 present, one recused: 19 entitled. 10 phone and 3 paper ballots say eligible,
    4 not eligible, 1 abstains, 1 does not vote: 13 of 19 is more than half."""
    panel = [Voter(i, Role.REPRESENTATIVE if i < 15 else Role.CADRE, True) for i in range(20)]
    entitled = entitled_voters(panel, recused={7})
    assert len(entitled) == 19
    ballots = [Ballot(E, "B")] * 10 + [Ballot(E, "C")] * 3 + [Ballot(N)] * 4 + [Ballot(A)]
    result = tally(ballots, entitled=len(entitled), rules=RULES)
    assert (result.outcome, result.tier.code, result.basis_count) == (Outcome.ELIGIBLE, "B", 19)


def test_a_tie_among_ballots_cast_is_deferred() -> None:
    rules = HearingRules(tiers=TIERS, decision_basis=DecisionBasis.BALLOTS_CAST)
    ballots = [Ballot(E, "A")] * 8 + [Ballot(N)] * 8
    result = tally(ballots, entitled=19, rules=rules)
    assert (result.outcome, result.basis_count) == (Outcome.DEFERRED, 16)


def test_all_abstaining_on_paper_and_phone_is_deferred_without_a_tier() -> None:
    result = tally([Ballot(A)] * 19, entitled=19, rules=RULES)
    assert (result.outcome, result.tier) == (Outcome.DEFERRED, None)


def test_a_quorum_lost_before_the_close_defers_even_a_unanimous_vote() -> None:
    result = tally([Ballot(E, "A")] * 14, entitled=14, rules=RULES, quorum_held=False)
    assert result.outcome is Outcome.DEFERRED and result.eligible == 14
