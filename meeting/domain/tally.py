"""Counting one household's ballots: the outcome by the decision basis, and the subsidy tier."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .messages import Message, msg
from .rules import DecisionBasis, HearingRules, NoMajorityOutcome, Tier, TierRule


class Choice(StrEnum):
    """What a ballot says."""

    ELIGIBLE = "eligible"  # 符合
    NOT_ELIGIBLE = "not_eligible"  # 不符合
    ABSTAIN = "abstain"  # 弃权


class Outcome(StrEnum):
    """What the panel decided for the household."""

    ELIGIBLE = "eligible"  # 符合
    NOT_ELIGIBLE = "not_eligible"  # 不符合
    DEFERRED = "deferred"  # 暂缓


@dataclass(frozen=True)
class Ballot:
    """The content of one ballot: a choice and, on an "eligible" ballot, a tier code."""

    choice: Choice
    tier_code: str | None = None


@dataclass(frozen=True)
class TallyResult:
    """The count and what it decides."""

    eligible: int
    not_eligible: int
    abstain: int
    #: the number "more than half" was measured against
    basis_count: int
    outcome: Outcome
    tier: Tier | None
    reason: Message

    @property
    def cast(self) -> int:
        return self.eligible + self.not_eligible + self.abstain


def tally(
    ballots: Iterable[Ballot],
    entitled: int,
    rules: HearingRules,
    quorum_held: bool = True,
) -> TallyResult:
    """Count the ballots of one household and decide the outcome and tier.

    ``entitled`` is how many members were entitled to vote when the ballot closed; with the
    default basis a majority must be more than half of them, so abstentions and members who
    did not vote count against both choices. If the quorum did not hold at the close, the
    case is deferred whatever the count.
    """
    ballots = list(ballots)
    counts = Counter(b.choice for b in ballots)
    cast = len(ballots)
    if cast > entitled:
        raise ValueError(f"{cast} ballots for {entitled} entitled voters")
    basis = entitled if rules.decision_basis is DecisionBasis.PRESENT_VOTERS else cast
    eligible, not_eligible = counts[Choice.ELIGIBLE], counts[Choice.NOT_ELIGIBLE]

    def result(outcome: Outcome, tier: Tier | None, reason: Message) -> TallyResult:
        return TallyResult(
            eligible=eligible,
            not_eligible=not_eligible,
            abstain=counts[Choice.ABSTAIN],
            basis_count=basis,
            outcome=outcome,
            tier=tier,
            reason=reason,
        )

    if not quorum_held:
        return result(
            Outcome.DEFERRED, None, msg("The quorum did not hold when the ballot closed.")
        )
    if basis > 0 and 2 * eligible > basis:
        tier = choose_tier([b.tier_code for b in ballots if b.choice is Choice.ELIGIBLE], rules)
        return result(
            Outcome.ELIGIBLE,
            tier,
            msg(
                "%(votes)d of %(basis)d voted eligible: more than half.",
                votes=eligible,
                basis=basis,
            ),
        )
    if basis > 0 and 2 * not_eligible > basis:
        return result(
            Outcome.NOT_ELIGIBLE,
            None,
            msg(
                "%(votes)d of %(basis)d voted not eligible: more than half.",
                votes=not_eligible,
                basis=basis,
            ),
        )
    outcome = (
        Outcome.DEFERRED
        if rules.no_majority_outcome is NoMajorityOutcome.DEFERRED
        else Outcome.NOT_ELIGIBLE
    )
    return result(outcome, None, msg("No choice won more than half of %(basis)d.", basis=basis))


def choose_tier(chosen_codes: Iterable[str | None], rules: HearingRules) -> Tier | None:
    """The tier the panel fixed, from the tiers chosen on "eligible" ballots.

    Ballots without a valid tier are ignored; if none chose one, there is no tier. MEDIAN
    orders the choices by monthly amount and takes the middle one (the lower middle for an
    even count, so at least half the panel backed that amount or more); MOST_CHOSEN takes
    the most frequent, a tie going to the lower amount.
    """
    by_code = {t.code: t for t in rules.tiers}
    chosen = sorted(
        (by_code[c] for c in chosen_codes if c in by_code),
        key=lambda t: (t.monthly_amount, t.code),
    )
    if not chosen:
        return None
    if rules.tier_rule is TierRule.MEDIAN:
        return chosen[(len(chosen) - 1) // 2]
    frequency = Counter(t.code for t in chosen)
    top = max(frequency.values())
    return next(t for t in chosen if frequency[t.code] == top)
