"""Closing a household's ballot: the reseal and the count on the spot, whether the host
closes it or the last ballot completes the turnout, and the tracker list on the projector."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import bindparam, insert, select

from ..domain.ballot import Turnout, check_can_close, entitled_count, may_publish_trackers
from ..domain.eligibility import entitled_voters
from ..domain.errors import DomainError
from ..domain.hearing import HearingSteps
from ..domain.messages import msg
from ..domain.phases import Phase
from ..domain.tally import Ballot, tally
from ..extensions import db
from ..store import ballot_box
from ..store.models import BallotResult, Hearing, utcnow
from ..store.record_reads import count_facts
from .hearing_steps import (
    HearingRef,
    Sitting,
    hearing_at,
    move,
    panel,
    quorum_of,
    quorum_snapshot,
    recused_ids,
)
from .unit_of_work import Change, meeting_change

#: who the log names for a close nobody asked for (the last ballot completed the turnout)
SERVER = "server"
_RESULT = insert(BallotResult.__table__)
_QUORUM_AT_OPEN = select(Hearing.__table__.c.quorum_at_open).where(
    Hearing.__table__.c.id == bindparam("hearing")
)


def turnout(
    change: Change,
    hearing: Hearing | HearingRef,
    sitting: list[Sitting] | None = None,
    recused: set[int] | None = None,
    voted: set[int] | None = None,
) -> Turnout:
    """How many have voted, against how many are entitled: all that is known while open.
    ``sitting``, ``recused`` and ``voted``: the panel, the recusals and who has voted, if
    the caller read them in this change."""
    sitting = panel(change) if sitting is None else sitting
    recused = recused_ids(change, hearing) if recused is None else recused
    voted = ballot_box.voted_ids(change.session, hearing.id) if voted is None else voted
    entitled = entitled_voters((m.voter for m in sitting), recused)
    return Turnout(cast=len(voted), entitled=entitled_count(entitled, voted))


def slips_waiting(change: Change, hearing: Hearing | HearingRef, cast: int) -> int:
    """Paper slips handed in (receipts without a ballot yet) not entered yet."""
    return cast - ballot_box.ballots_entered(change.session, hearing.id)


def close(change: Change, hearing: Hearing | HearingRef, actor: str, confirmed: bool) -> None:
    """Close the ballot and count it in this change: the domain's step, the host's
    confirmation while some have not voted, every paper slip entered, the reseal, the
    count; the database files are scrubbed after the commit."""
    steps = HearingSteps(phase=hearing.phase)
    steps.close_ballot()
    sitting = panel(change)
    progress = turnout(change, hearing, sitting)
    check_can_close(progress, confirmed)
    _seal_and_count(change, hearing, sitting, progress)
    move(change, hearing, steps, "close_ballot", actor)
    engine = db.engine
    change.then(lambda: current_app.extensions["meeting.scrubber"].request(engine))


def close_if_complete(
    change: Change,
    hearing: Hearing | HearingRef | None,
    sitting: list[Sitting] | None = None,
    recused: set[int] | None = None,
    voted: set[int] | None = None,
) -> bool:
    """The follow-on rule of every ballot and presence change: once every entitled member
    has voted and every slip is entered, the ballot closes by itself, in the same change."""
    if hearing is None or hearing.phase is not Phase.VOTING:
        return False
    progress = turnout(change, hearing, sitting, recused, voted)
    if not progress.complete or slips_waiting(change, hearing, progress.cast) > 0:
        return False
    close(change, hearing, SERVER, confirmed=True)
    return True


def _seal_and_count(
    change: Change, hearing: Hearing | HearingRef, sitting: list[Sitting], progress: Turnout
) -> None:
    waiting = slips_waiting(change, hearing, progress.cast)
    if waiting > 0:
        raise DomainError(
            msg("%(count)d paper slips handed in are not entered yet.", count=waiting)
        )
    rules = change.rules
    quorum = quorum_of(change, sitting)
    entitled_now = entitled_voters((m.voter for m in sitting), recused_ids(change, hearing))
    publish = may_publish_trackers(
        change.meeting.publish_trackers, progress.cast, rules.min_ballots_for_trackers
    )
    try:
        box = ballot_box.reseal(change.session, hearing.id, keep_trackers=publish)
    except ballot_box.BoxMismatch:
        raise DomainError(
            msg("The ballots do not match the receipts; the count was stopped.")
        ) from None
    entitled = entitled_count(entitled_now, box.voters)
    counted = tally(
        (Ballot(choice, tier) for choice, tier in box.ballots),
        entitled=entitled,  # counts those who voted and left: never fewer than the ballots
        rules=rules,
        quorum_held=quorum.holds,
    )
    connection = change.session.connection()
    at_open = connection.execute(_QUORUM_AT_OPEN, {"hearing": hearing.id}).scalar_one()
    tier_code = counted.tier.code if counted.tier else None
    connection.execute(
        _RESULT,
        {
            "hearing_id": hearing.id,
            "eligible": counted.eligible,
            "not_eligible": counted.not_eligible,
            "abstain": counted.abstain,
            "on_paper": box.on_paper,
            "entitled": entitled,
            "basis_count": counted.basis_count,
            "outcome": counted.outcome,
            "tier_code": tier_code,
            "reason": counted.reason.to_data(),
            "quorum_at_open": at_open or quorum_snapshot(quorum),
            "quorum_at_close": quorum_snapshot(quorum),
            "trackers_published": publish,
            "closed_at": utcnow(),
        },
    )
    change.reshape()
    change.log(
        "ballot.counted",
        SERVER,
        household_id=hearing.household_id,
        eligible=counted.eligible,
        not_eligible=counted.not_eligible,
        abstain=counted.abstain,
        on_paper=box.on_paper,
        entitled=entitled,
        basis_count=counted.basis_count,
        outcome=counted.outcome.value,
        tier=tier_code,
        trackers_published=publish,
        # the ballots and receipts as a set (sorted): the chain covers them, not their order
        **count_facts(connection, hearing.id),
    )


def show_trackers(meeting_id: int, position: int, shown: bool, actor: str) -> None:
    """Put a counted household's tracker list on the projector, or take it off."""
    with meeting_change(meeting_id, actor) as change:
        hearing = hearing_at(change, position)
        published = change.session.scalar(
            select(BallotResult.trackers_published).where(BallotResult.hearing_id == hearing.id)
        )
        if shown and not published:
            raise DomainError(msg("This household's tracker list is not published."))
        if hearing.trackers_on_projector == shown:
            return
        hearing.trackers_on_projector = shown
        change.log("ballot.trackers_shown", household_id=hearing.household_id, shown=shown)


__all__ = ["close", "close_if_complete", "show_trackers", "slips_waiting", "turnout"]
