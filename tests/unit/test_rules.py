"""The rules as configured: defaults, and mistakes refused with a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from meeting.domain.errors import InvalidRules
from meeting.domain.phases import Phase
from meeting.domain.rules import DecisionBasis, HearingRules, Tier

TIERS = [{"code": "A", "label": "一档", "monthly_amount": 420}]


def test_rules_are_read_from_the_configuration_table() -> None:
    rules = HearingRules.from_mapping(
        {"decision_basis": "ballots_cast", "tiers": TIERS, "phase_seconds": {"voting": 90}}
    )
    assert rules.decision_basis is DecisionBasis.BALLOTS_CAST
    assert rules.min_representatives == 15 and rules.max_cadres == 5
    assert rules.phase_seconds == {Phase.VOTING: 90}
    assert rules.tier("A").label == "一档"


@pytest.mark.parametrize(
    ("raw", "complaint"),
    [
        ({"tiers": []}, "At least one subsidy tier"),
        ({"tiers": TIERS * 2}, "unique"),
        ({"tiers": TIERS, "decision_basis": "loudest"}, "invalid"),
        ({"tiers": TIERS, "min_representatives": 0}, "at least 1"),
        ({"tiers": TIERS, "phase_seconds": {"counted": 10}}, "time limit"),
        ({"tiers": [{"code": "A", "label": "一档"}]}, "invalid"),
    ],
)
def test_a_wrong_rule_is_refused_with_a_reason(raw, complaint) -> None:
    with pytest.raises(InvalidRules, match=complaint):
        HearingRules.from_mapping(raw)


def test_a_tier_is_found_by_its_code_and_an_unknown_or_missing_code_finds_none() -> None:
    rules = HearingRules(tiers=(Tier("A", "一档", Decimal(420)), Tier("B", "二档", Decimal(300))))
    assert rules.find_tier("B") == rules.tier("B") == Tier("B", "二档", Decimal(300))
    assert rules.find_tier("Z") is None and rules.find_tier(None) is None
    assert rules.find_tier("") is None
