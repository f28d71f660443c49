"""Scrutineers and tellers (监票人/计票人): members the host names to witness each count. Each
confirms a count on their phone (or signs the printed count sheet); the minutes say who
confirmed it, or that nobody did."""

from __future__ import annotations

from .errors import DomainError
from .messages import msg
from .phases import Phase

#: a count exists in these phases (a void takes it away)
COUNTED = frozenset({Phase.COUNTED, Phase.ANNOUNCED})


def check_can_confirm(is_scrutineer: bool, phase: Phase) -> None:
    """Only a named scrutineer confirms, and only a count that exists."""
    if not is_scrutineer:
        raise DomainError(msg("Only a scrutineer named by the host confirms the count."))
    if phase not in COUNTED:
        raise DomainError(msg("There is no count of this household to confirm yet."))
