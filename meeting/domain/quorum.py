"""The quorum rule: enough villager representatives, not too many cadres."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .messages import Message, msg
from .roles import Role
from .rules import HearingRules


@dataclass(frozen=True)
class QuorumCheck:
    """The quorum as it stands, with the reasons it fails (empty when it holds)."""

    representatives_present: int
    cadres_present: int
    min_representatives: int
    max_cadres: int
    reasons: tuple[Message, ...]

    @property
    def holds(self) -> bool:
        return not self.reasons

    @property
    def representatives_ok(self) -> bool:
        return self.representatives_present >= self.min_representatives

    @property
    def cadres_ok(self) -> bool:
        return self.cadres_present <= self.max_cadres


def check_quorum(
    representatives_present: int, cadres_present: int, rules: HearingRules
) -> QuorumCheck:
    """Check the quorum for these head counts; every failing condition gives its own reason."""
    reasons: list[Message] = []
    if representatives_present < rules.min_representatives:
        reasons.append(
            msg(
                "Villager representatives present: %(present)d, fewer than %(minimum)d.",
                present=representatives_present,
                minimum=rules.min_representatives,
            )
        )
    if cadres_present > rules.max_cadres:
        reasons.append(
            msg(
                "Cadres present: %(present)d, more than %(maximum)d.",
                present=cadres_present,
                maximum=rules.max_cadres,
            )
        )
    return QuorumCheck(
        representatives_present=representatives_present,
        cadres_present=cadres_present,
        min_representatives=rules.min_representatives,
        max_cadres=rules.max_cadres,
        reasons=tuple(reasons),
    )


def check_quorum_of(attendees: Iterable[tuple[Role, bool]], rules: HearingRules) -> QuorumCheck:
    """Check the quorum from (role, present) pairs of the whole panel."""
    representatives = cadres = 0
    for role, present in attendees:
        if not present:
            continue
        if role is Role.REPRESENTATIVE:
            representatives += 1
        elif role is Role.CADRE:
            cadres += 1
    return check_quorum(representatives, cadres, rules)
