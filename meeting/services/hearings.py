"""The host's verbs for each household's hearing, one transaction each: briefing, statement,
questioning, the ballot's opening and close, the announcement; the clock; the projector."""

from __future__ import annotations

from collections.abc import Callable

from ..domain.agenda import check_can_begin, extended
from ..domain.hearing import HearingSteps, check_floor_before_ballot
from ..store.models import Hearing
from .counting import close
from .hearing_steps import (
    check_running,
    floor_of,
    hearing_at,
    move,
    panel,
    phases_of,
    quorum_of,
    quorum_snapshot,
)
from .unit_of_work import Change, meeting_change


def start_briefing(meeting_id: int, position: int, actor: str) -> None:
    """The investigator reports the home visit (通报); one household at a time."""

    def begin(change: Change, hearing: Hearing, steps: HearingSteps) -> None:
        check_can_begin(position, phases_of(change))
        steps.start_briefing()

    _step(meeting_id, position, actor, "start_briefing", begin)


def start_statement(meeting_id: int, position: int, actor: str) -> None:
    """The applicant states their reasons (陈述)."""
    _step(meeting_id, position, actor, "start_statement", lambda c, h, s: s.start_statement())


def start_questioning(meeting_id: int, position: int, actor: str) -> None:
    """The panel questions the applicant and the investigator (质询)."""
    _step(meeting_id, position, actor, "start_questioning", lambda c, h, s: s.start_questioning())


def open_ballot(meeting_id: int, position: int, actor: str, confirmed: bool = False) -> None:
    """Open the secret ballot; the quorum must hold, and is noted as it was at the opening.
    While someone has the floor or waits for it, the host confirms first (``confirmed``)."""

    def open_it(change: Change, hearing: Hearing, steps: HearingSteps) -> None:
        speaking, waiting = floor_of(change, hearing)
        check_floor_before_ballot(speaking, waiting, confirmed)
        quorum = quorum_of(change)
        steps.open_ballot(quorum)
        hearing.quorum_at_open = quorum_snapshot(quorum)
        # each member's channel is fixed until the close (no ballot without its member)
        hearing.paper_voters_at_open = sorted(m.id for m in panel(change) if m.on_paper)

    _step(meeting_id, position, actor, "open_ballot", open_it)


def close_ballot(meeting_id: int, position: int, actor: str, confirmed: bool = False) -> None:
    """Close the ballot and count it on the spot; while some entitled members have not voted
    the host must confirm (``confirmed``)."""
    with meeting_change(meeting_id, actor) as change:
        check_running(change)
        close(change, hearing_at(change, position), actor, confirmed)


def announce(meeting_id: int, position: int, actor: str) -> None:
    """Announce the result and the tier on the spot (当场公布)."""
    _step(meeting_id, position, actor, "announce", lambda c, h, s: s.announce())


def _step(
    meeting_id: int,
    position: int,
    actor: str,
    name: str,
    take: Callable[[Change, Hearing, HearingSteps], None],
) -> None:
    """One step as one change: ``take`` asks the domain, then the new phase is written."""
    with meeting_change(meeting_id, actor) as change:
        check_running(change)
        hearing = hearing_at(change, position)
        steps = HearingSteps(phase=hearing.phase)
        take(change, hearing, steps)
        move(change, hearing, steps, name, actor)


def extend_phase(meeting_id: int, position: int, seconds: int, actor: str) -> None:
    """Give the running phase more time."""
    with meeting_change(meeting_id, actor) as change:
        hearing = hearing_at(change, position)
        hearing.phase_deadline = extended(hearing.phase_deadline, hearing.phase, seconds)
        change.log("hearing.extended", household_id=hearing.household_id, seconds=seconds)


def show_household(meeting_id: int, position: int | None, actor: str) -> None:
    """Put a household (None: the meeting's overview) on every screen, without a step.

    While a household is being heard, its card stays on every screen (and its ballot on
    the phones).
    """
    with meeting_change(meeting_id, actor) as change:
        if position is not None:
            hearing_at(change, position)
        if change.meeting.current_position == position:
            return
        check_can_begin(position if position is not None else 0, phases_of(change))
        change.meeting.current_position = position
        change.log("projector.shows", position=position)


__all__ = [
    "announce",
    "close_ballot",
    "extend_phase",
    "open_ballot",
    "show_household",
    "start_briefing",
    "start_questioning",
    "start_statement",
]
