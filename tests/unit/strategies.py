"""Hypothesis strategies for the hearing rules."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from meeting.domain.rules import DecisionBasis, HearingRules, NoMajorityOutcome, Tier, TierRule
from meeting.domain.tally import Ballot, Choice

TIERS = (
    Tier("A", "一档", Decimal(420)),
    Tier("B", "二档", Decimal(300)),
    Tier("C", "三档", Decimal(180)),
)

rules = st.builds(
    HearingRules,
    min_representatives=st.integers(1, 40),
    max_cadres=st.integers(0, 10),
    decision_basis=st.sampled_from(DecisionBasis),
    no_majority_outcome=st.sampled_from(NoMajorityOutcome),
    tier_rule=st.sampled_from(TierRule),
    tiers=st.just(TIERS),
)

tier_codes = st.sampled_from([t.code for t in TIERS])

ballots = st.one_of(
    st.builds(Ballot, st.just(Choice.ELIGIBLE), tier_codes),
    st.builds(Ballot, st.just(Choice.NOT_ELIGIBLE), st.none()),
    st.builds(Ballot, st.just(Choice.ABSTAIN), st.none()),
)
