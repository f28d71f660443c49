"""Who may vote on a household: present voting members who are not recused from it."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass

from .errors import NotEntitledToVote
from .messages import msg
from .roles import Role


@dataclass(frozen=True)
class Voter:
    """What the rule needs to know about one panel member."""

    member_id: Hashable
    role: Role
    present: bool


def entitled_voters(panel: Iterable[Voter], recused: Collection[Hashable]) -> frozenset[Hashable]:
    """The ids of members entitled to vote: voting role, present, not recused (回避)."""
    return frozenset(
        v.member_id for v in panel if v.role.votes and v.present and v.member_id not in recused
    )


def check_entitled(voter: Voter, recused: Collection[Hashable]) -> None:
    """Raise NotEntitledToVote with the reason when this member may not vote."""
    if not voter.role.votes:
        raise NotEntitledToVote(msg("Your role on the panel does not vote."))
    if not voter.present:
        raise NotEntitledToVote(msg("You are not checked in as present."))
    if voter.member_id in recused:
        raise NotEntitledToVote(msg("You are recused from this household and do not vote on it."))
