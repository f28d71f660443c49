"""The meeting's agenda: one household heard at a time, and the clock of each timed phase."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from .errors import StepNotAllowed
from .hearing import HearingSteps
from .messages import msg
from .phases import TIMED_PHASES, Phase
from .rules import HearingRules

#: phases in which a household is being heard and no other may begin
IN_PROGRESS = frozenset(
    {
        Phase.BRIEFING,
        Phase.STATEMENT,
        Phase.QUESTIONING,
        Phase.VOTING,
        Phase.SUSPENDED,
        Phase.COUNTED,
    }
)
#: phases in which a household has not been heard yet and may move in the agenda
MOVABLE = frozenset({Phase.PENDING, Phase.DEFERRED})
#: the most a host may add to a phase's clock at once
MAX_EXTENSION_SECONDS = 30 * 60


def check_can_begin(position: int, phases: Mapping[int, Phase]) -> None:
    """A pending household may begin only while no other household is being heard.

    ``phases`` maps every household's position to its phase. The host may take households
    out of order (an applicant arrives late), but never two at once.
    """
    for other, phase in sorted(phases.items()):
        if other != position and phase in IN_PROGRESS:
            raise StepNotAllowed(
                msg("Household %(position)d is still being heard; finish it first.", position=other)
            )


def possible_steps(phases: Mapping[int, Phase]) -> list[tuple[int, str]]:
    """Every (position, step) the host may take now, in agenda order: the next step of the
    household being heard, or, while none is, the start of any household still pending."""
    in_progress = [p for p, phase in sorted(phases.items()) if phase in IN_PROGRESS]
    steps = []
    for position, phase in sorted(phases.items()):
        if in_progress and position not in in_progress:
            continue
        steps.extend((position, step) for step in HearingSteps(phase=phase).possible_steps)
    return steps


def possible_corrections(phases: Mapping[int, Phase]) -> list[tuple[int, str]]:
    """Every (position, correction) the host may make now: those of the household being
    heard, or, while none is, deferring or skipping a household not heard yet."""
    in_progress = [p for p, phase in sorted(phases.items()) if phase in IN_PROGRESS]
    corrections = []
    for position, phase in sorted(phases.items()):
        if in_progress and position not in in_progress:
            continue
        corrections.extend(
            (position, name) for name in HearingSteps(phase=phase).possible_corrections
        )
    return corrections


def reordered(phases: Mapping[int, Phase], position: int, to: int) -> dict[int, int]:
    """Move the household at ``position`` to ``to`` in the agenda, the others shifting by one:
    {old position: new position} for every household that moves.

    Only a household not heard yet (pending or deferred) moves; the others keep their order.
    """
    if position not in phases:
        raise StepNotAllowed(msg("There is no household %(position)d.", position=position))
    if phases[position] not in MOVABLE:
        raise StepNotAllowed(
            msg("Only a household that has not been heard yet can be moved in the agenda.")
        )
    order = sorted(phases)
    if to not in phases:
        raise StepNotAllowed(
            msg("Choose a place between %(first)d and %(last)d.", first=order[0], last=order[-1])
        )
    order.remove(position)
    order.insert(sorted(phases).index(to), position)
    return {old: new for old, new in zip(order, sorted(phases), strict=True) if old != new}


def deadline(phase: Phase, started_at: dt.datetime, rules: HearingRules) -> dt.datetime | None:
    """When a phase that has a time limit runs out; None for untimed phases."""
    seconds = rules.phase_seconds.get(phase)
    if phase not in TIMED_PHASES or not seconds:
        return None
    return started_at + dt.timedelta(seconds=seconds)


def extended(current: dt.datetime | None, phase: Phase, seconds: int) -> dt.datetime:
    """The deadline pushed back by ``seconds``; only a running timed phase can be extended."""
    if phase not in TIMED_PHASES or current is None:
        raise StepNotAllowed(msg("Only a timed phase can be extended."))
    if not 0 < seconds <= MAX_EXTENSION_SECONDS:
        raise StepNotAllowed(
            msg("An extension is between 1 and %(most)d seconds.", most=MAX_EXTENSION_SECONDS)
        )
    return current + dt.timedelta(seconds=seconds)
