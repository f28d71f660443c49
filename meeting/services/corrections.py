"""The host's corrections, one transaction and one event each, every one with a reason:
a step back, a void of the ballot, a household deferred, skipped or moved in the agenda,
and a suspended ballot resumed. The minutes print each as a line (docs/audit.md)."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from sqlalchemy import bindparam, update

from ..domain.agenda import IN_PROGRESS, reordered
from ..domain.hearing import HearingSteps, reason_for
from ..extensions import db
from ..store import ballot_box
from ..store.models import Household
from .hearing_steps import check_running, hearing_at, move, phases_of, quorum_of
from .scrutiny import forget_confirmations
from .unit_of_work import meeting_change

_household = Household.__table__
_PLACE = (
    update(_household)
    .where(_household.c.id == bindparam("household"))
    .values(position=bindparam("position"))
)


def step_back(meeting_id: int, position: int, reason: str, actor: str) -> None:
    """Back one phase, before the ballot opens (a step taken too early)."""
    _correct(meeting_id, position, reason, actor, HearingSteps.step_back)


def defer_household(meeting_id: int, position: int, reason: str, actor: str) -> None:
    """暂缓: the applicant is absent; the household is heard later in this meeting."""
    _correct(meeting_id, position, reason, actor, HearingSteps.defer)


def skip_household(meeting_id: int, position: int, reason: str, actor: str) -> None:
    """Not heard in this meeting: the minutes say so and why, and the sign-off is no longer
    held up by it."""
    _correct(meeting_id, position, reason, actor, HearingSteps.skip)


def void_ballot(meeting_id: int, position: int, reason: str, actor: str) -> None:
    """Void an open, suspended or counted-but-not-announced ballot: its ballots and receipts
    are destroyed (not kept), its count too, and the household goes back to questioning;
    the host opens the ballot again and every entitled member votes again. The next round
    has its own number, so no phone's kept ballot of this round is cast into it."""
    reason = reason_for(reason)
    with meeting_change(meeting_id, actor) as change:
        check_running(change)
        hearing = hearing_at(change, position)
        steps = HearingSteps(phase=hearing.phase)
        steps.void_ballot()
        destroyed = ballot_box.destroy(change.session, hearing.id)
        forget_confirmations(change, hearing.id)
        voided_round = hearing.ballot_round
        hearing.ballot_round = voided_round + 1
        hearing.quorum_at_open = None
        hearing.paper_voters_at_open = None
        hearing.quorum_broken_at = None
        hearing.trackers_on_projector = False
        move(
            change,
            hearing,
            steps,
            "void_ballot",
            actor,
            reason=reason,
            round=voided_round,
            ballots_destroyed=destroyed,
        )
        engine = db.engine  # the destroyed rows leave the database's files too
        change.then(lambda: current_app.extensions["meeting.scrubber"].request(engine))


def resume_ballot(meeting_id: int, position: int, actor: str) -> None:
    """The quorum is back: the suspended ballot takes ballots again (the ballots already
    cast stand)."""
    with meeting_change(meeting_id, actor) as change:
        check_running(change)
        hearing = hearing_at(change, position)
        steps = HearingSteps(phase=hearing.phase)
        steps.resume_ballot(quorum_of(change))
        move(change, hearing, steps, "resume_ballot", actor)


def move_household(meeting_id: int, position: int, to: int, reason: str, actor: str) -> None:
    """Move a household not heard yet to another place in the agenda; the households in
    between shift by one. The projector keeps showing the household it showed."""
    reason = reason_for(reason)
    with meeting_change(meeting_id, actor) as change:
        check_running(change)
        moves = reordered(phases_of(change), position, to)
        if not moves:
            return
        ids = {hearing_at(change, old).household_id: (old, new) for old, new in moves.items()}
        connection = change.session.connection()
        # through free places first: (meeting, position) is unique at every statement
        for household_id, (old, _) in ids.items():
            connection.execute(_PLACE, {"household": household_id, "position": -old})
        for household_id, (_, new) in ids.items():
            connection.execute(_PLACE, {"household": household_id, "position": new})
        shown = change.current_position
        if shown in moves:
            change.meeting.current_position = moves[shown]
        change.session.flush()
        change.session.expire_all()  # the households' places were written as statements
        change.reshape()
        moved = next(h for h, (old, _) in ids.items() if old == position)
        change.log("agenda.moved", household_id=moved, to=to, reason=reason, **{"from": position})


def _correct(
    meeting_id: int,
    position: int,
    reason: str,
    actor: str,
    correction: Callable[[HearingSteps], None],
) -> None:
    reason = reason_for(reason)
    with meeting_change(meeting_id, actor) as change:
        check_running(change)
        hearing = hearing_at(change, position)
        steps = HearingSteps(phase=hearing.phase)
        correction(steps)
        # deferring or skipping a household the hall is not looking at leaves the screens
        shown = change.current_position == position or hearing.phase in IN_PROGRESS
        move(change, hearing, steps, correction.__name__, actor, show=shown, reason=reason)


__all__ = [
    "defer_household",
    "move_household",
    "resume_ballot",
    "skip_household",
    "step_back",
    "void_ballot",
]
