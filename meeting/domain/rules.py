"""The configurable rules of a hearing: quorum, decision basis, tiers, phase time limits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from .errors import InvalidRules
from .messages import msg
from .phases import TIMED_PHASES, Phase


class DecisionBasis(StrEnum):
    """What "more than half" is counted against."""

    #: more than half of the voting members present and entitled (village law's 到会人员过半数)
    PRESENT_VOTERS = "present_voters"
    #: more than half of the ballots cast, abstentions included
    BALLOTS_CAST = "ballots_cast"


class NoMajorityOutcome(StrEnum):
    """What a tie or a vote with no majority decides."""

    DEFERRED = "deferred"  # 暂缓: 群众有异议的暂时不批
    NOT_ELIGIBLE = "not_eligible"


class TierRule(StrEnum):
    """How the subsidy tier follows from the tiers chosen on "eligible" ballots."""

    #: the median by monthly amount; with an even count, the lower of the two middle tiers
    MEDIAN = "median"
    #: the tier chosen most often; a tie goes to the lower amount
    MOST_CHOSEN = "most_chosen"


@dataclass(frozen=True)
class Tier:
    """A subsidy tier (补差档次): a code, the label people see, the monthly amount per person."""

    code: str
    label: str
    monthly_amount: Decimal


@dataclass(frozen=True)
class HearingRules:
    """Every rule a hearing is run by; built once from configuration and validated."""

    min_representatives: int = 15
    max_cadres: int = 5
    decision_basis: DecisionBasis = DecisionBasis.PRESENT_VOTERS
    no_majority_outcome: NoMajorityOutcome = NoMajorityOutcome.DEFERRED
    tier_rule: TierRule = TierRule.MEDIAN
    tiers: tuple[Tier, ...] = ()
    #: seconds allowed for each timed phase; the host may extend
    phase_seconds: Mapping[Phase, int] = field(default_factory=dict)
    #: fewer ballots than this on a household: its tracker list is not published
    min_ballots_for_trackers: int = 5

    def __post_init__(self) -> None:
        if self.min_representatives < 1:
            raise InvalidRules(msg("The minimum number of representatives must be at least 1."))
        if self.max_cadres < 0:
            raise InvalidRules(msg("The maximum number of cadres cannot be negative."))
        if self.min_ballots_for_trackers < 1:
            raise InvalidRules(
                msg("The minimum number of ballots for a tracker list must be at least 1.")
            )
        codes = [t.code for t in self.tiers]
        if not codes:
            raise InvalidRules(msg("At least one subsidy tier must be configured."))
        if len(set(codes)) != len(codes):
            raise InvalidRules(msg("Subsidy tier codes must be unique."))
        if any(t.monthly_amount < 0 for t in self.tiers):
            raise InvalidRules(msg("A subsidy tier cannot have a negative amount."))
        for phase, seconds in self.phase_seconds.items():
            if phase not in TIMED_PHASES or seconds <= 0:
                raise InvalidRules(msg("Invalid time limit for phase %(phase)s.", phase=str(phase)))

    def find_tier(self, code: str | None) -> Tier | None:
        """The tier with this code, or None (no code, or one no longer configured)."""
        return next((t for t in self.tiers if t.code == code), None) if code else None

    def tier(self, code: str) -> Tier:
        """The tier with this code, or InvalidRules if there is none."""
        found = self.find_tier(code)
        if found is None:
            raise InvalidRules(msg("Unknown subsidy tier %(code)s.", code=code))
        return found

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> HearingRules:
        """Build the rules from the ``[rules]`` table of the configuration file."""
        try:
            tiers = tuple(
                Tier(str(t["code"]), str(t["label"]), Decimal(str(t["monthly_amount"])))
                for t in raw.get("tiers", [])
            )
            return cls(
                min_representatives=int(raw.get("min_representatives", 15)),
                max_cadres=int(raw.get("max_cadres", 5)),
                decision_basis=DecisionBasis(raw.get("decision_basis", "present_voters")),
                no_majority_outcome=NoMajorityOutcome(raw.get("no_majority_outcome", "deferred")),
                tier_rule=TierRule(raw.get("tier_rule", "median")),
                tiers=tiers,
                min_ballots_for_trackers=int(raw.get("min_ballots_for_trackers", 5)),
                phase_seconds={
                    Phase(name): int(seconds)
                    for name, seconds in raw.get("phase_seconds", {}).items()
                },
            )
        except (KeyError, ValueError, TypeError, AttributeError, InvalidOperation) as exc:
            raise InvalidRules(
                msg("The hearing rules in the configuration are invalid: %(error)s", error=str(exc))
            ) from exc
