"""Casting the secret ballot: on a member's phone, or on a paper slip handed in and entered.

Who voted (a receipt) and what was voted (a ballot) are written in one change, apart
(store/ballot_box.py). A ballot that completes the turnout closes and counts the ballot in
the same change. Nothing here logs, records or raises a member next to a choice.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

from ..domain.ballot import BallotClosed, BallotSuspended, BallotVoided, TrackerTaken
from ..domain.channels import check_channel_change, check_paper_slip, check_witness
from ..domain.eligibility import Voter, check_entitled
from ..domain.errors import DomainError, NotEntitledToVote
from ..domain.messages import msg
from ..domain.phases import Phase
from ..domain.tally import Ballot
from ..store import ballot_box
from ..store.models import Hearing, PanelMember
from ..store.ownership import owned
from .counting import close_if_complete, slips_waiting
from .hearing_steps import (
    HearingRef,
    hearing_at,
    hearing_ref,
    open_ballot_phase,
    panel,
    recused_ids,
)
from .seats import Seat, seat_holder_in
from .unit_of_work import Busy, Change, meeting_change

RECORDED, ALREADY_RECORDED = "recorded", "already_recorded"


@dataclass
class _Cast:
    """One phone's ballot waiting for its meeting's turn, and then its answer."""

    seat: Seat
    position: int
    ballot: Ballot
    tracker: str
    #: the ballot round the phone chose in (None: an older phone that does not say)
    ballot_round: int | None = None
    answered: threading.Event = field(default_factory=threading.Event)
    status: str | None = None
    refusal: BaseException | None = None


_waiting: dict[int, list[_Cast]] = {}
_waiting_guard = threading.Lock()


def cast_ballot(
    seat: Seat, position: int, ballot: Ballot, tracker: str, ballot_round: int | None = None
) -> str:
    """Record a member's ballot from their phone; RECORDED or ALREADY_RECORDED.

    A retry of a recorded ballot (the phone lost the answer, a second device, a race)
    records nothing and answers ALREADY_RECORDED, even after the close: the first ballot
    stands and cannot be changed. No event is logged: the version moves, the turnout shows.

    Ballots that arrive while their meeting's turn is taken wait together, and whoever gets
    the turn next records all of them in one change (a group commit): when the host says
    "vote now", twenty-five taps cost one transaction and one state, not twenty-five. Each
    ballot is still checked on its own and gets its own answer.
    """
    mine = _Cast(seat, position, ballot, tracker, ballot_round)
    with _waiting_guard:
        _waiting.setdefault(seat.meeting_id, []).append(mine)
    time.sleep(0)  # the ballots that arrived with this one join it (a yield, not a wait)
    batch: list[_Cast] = []
    try:
        with meeting_change(seat.meeting_id, "member") as change:
            with _waiting_guard:
                batch = _waiting.pop(seat.meeting_id, [])
            if batch:
                _record(change, batch)
    except Exception as error:  # nothing of the batch was written: every one of it hears why
        if not batch:  # refused before taking any (a busy pool, a signed-off meeting)
            with _waiting_guard:
                batch = _waiting.pop(seat.meeting_id, [])
        failure: BaseException = Busy("ballots") if isinstance(error, IntegrityError) else error
        for cast in batch:
            cast.status, cast.refusal = None, failure
    finally:
        for cast in batch:
            cast.answered.set()
    mine.answered.wait()  # at once, unless the change before this one took it along
    if mine.refusal is not None:
        raise mine.refusal
    return mine.status


def _record(change: Change, batch: list[_Cast]) -> None:
    """Check every ballot of the batch on its own, then write the good ones together."""
    sitting = panel(change)
    boxes: dict[int, _Box] = {}
    receipts, ballots = [], []
    for cast in batch:
        try:
            member = seat_holder_in(sitting, cast.seat)
            box = boxes.get(cast.position)
            if box is None:
                box = boxes[cast.position] = _Box.read(change, cast.position)
            if member.id in box.voted:
                cast.status = ALREADY_RECORDED
                continue
            _require_open(box.hearing)
            if cast.ballot_round is not None and cast.ballot_round != box.hearing.ballot_round:
                raise BallotVoided(
                    msg("That ballot was voided and the vote is taken again: please vote again.")
                )
            if member.on_paper:
                raise NotEntitledToVote(
                    msg("You are registered to vote on paper for this meeting.")
                )
            check_entitled(member.voter, box.recused)
            if cast.tracker in box.trackers:
                # 40 random bits: two phones practically never draw the same; it draws again
                raise TrackerTaken(
                    msg("This tracker code is taken; the phone will make a new one.")
                )
        except DomainError as refused:
            cast.refusal = refused
            continue
        box.voted.add(member.id)
        box.trackers.add(cast.tracker)
        receipts.append((box.hearing.id, member.id))
        ballots.append((box.hearing.id, cast.ballot.choice, cast.ballot.tier_code, cast.tracker))
        cast.status = RECORDED
    if receipts:
        ballot_box.put_receipts(change.session, receipts)
        ballot_box.put_ballots(change.session, ballots)
        change.touch()
    for box in boxes.values():
        close_if_complete(change, box.hearing, sitting, box.recused, box.voted)


@dataclass
class _Box:
    """One household's ballot as a batch of casts needs it, read once."""

    hearing: HearingRef
    voted: set[int]
    recused: set[int]
    trackers: set[str]

    @classmethod
    def read(cls, change: Change, position: int) -> _Box:
        hearing = hearing_ref(change, position, refusal=BallotClosed)
        return cls(
            hearing,
            ballot_box.voted_ids(change.session, hearing.id),
            recused_ids(change, hearing),
            ballot_box.trackers_of(change.session, hearing.id),
        )


def mark_paper_voter(meeting_id: int, member_id: int, on_paper: bool, actor: str) -> None:
    """The host registers a member without a phone to vote on paper slips (or undoes it)."""
    with meeting_change(meeting_id, actor) as change:
        member = owned(change.session, PanelMember, member_id, meeting_id)
        if member.votes_on_paper == on_paper:
            return
        check_channel_change(open_ballot_phase(change))
        if not member.votes:
            raise DomainError(msg("This member's role does not vote."))
        member.votes_on_paper = on_paper
        change.log("ballot.paper_voter", member_id=member.id, paper=on_paper)


def receive_paper_slip(meeting_id: int, position: int, member_id: int, actor: str) -> str:
    """A paper voter hands in their folded slip: the receipt, nothing of its content.

    The slip goes into the box and is entered later, with the others, by
    ``enter_paper_ballot``; the close waits until every slip received is entered.
    """
    with meeting_change(meeting_id, actor) as change:
        member = owned(change.session, PanelMember, member_id, meeting_id)
        hearing = hearing_at(change, position, refusal=BallotClosed)
        if ballot_box.has_receipt(change.session, hearing.id, member.id):
            return ALREADY_RECORDED
        _require_open(hearing)
        check_paper_slip(member.id, hearing.paper_voters_at_open)
        check_entitled(Voter(member.id, member.role, member.present), recused_ids(change, hearing))
        ballot_box.put_receipt(change.session, hearing.id, member.id, on_paper=True)
        change.log("ballot.paper_slip_received", household_id=hearing.household_id)
    return RECORDED


def enter_paper_ballot(
    meeting_id: int,
    position: int,
    ballot: Ballot,
    tracker: str,
    actor: str,
    witness_id: int | None = None,
) -> str:
    """The secretary enters one paper slip as a ballot (never as a total), witnessed by a
    scrutineer where the meeting has named any (``witness_id``, named in the log).

    Only slips handed in are entered: each was received from a member who voted on paper
    when the ballot opened. The console makes the slip's tracker code (to be written on the
    slip) and retries with the same code, so a retry answers ALREADY_RECORDED. The slip
    that completes the turnout closes the ballot.
    """
    with meeting_change(meeting_id, actor) as change:
        hearing = hearing_at(change, position, refusal=BallotClosed)
        if ballot_box.tracker_taken(change.session, hearing.id, tracker):
            return ALREADY_RECORDED
        _require_open(hearing)
        sitting = panel(change)
        check_witness(witness_id, {m.id for m in sitting if m.scrutineer and m.present})
        cast = len(ballot_box.voted_ids(change.session, hearing.id))
        if slips_waiting(change, hearing, cast) <= 0:
            raise DomainError(msg("Every paper slip handed in has been entered already."))
        ballot_box.put_ballot(change.session, hearing.id, ballot.choice, ballot.tier_code, tracker)
        change.log(
            "ballot.paper_slip_entered", household_id=hearing.household_id, witness=witness_id
        )
        close_if_complete(change, hearing)
    return RECORDED


def _require_open(hearing: Hearing | HearingRef) -> None:
    if hearing.phase is Phase.SUSPENDED:
        raise BallotSuspended(
            msg(
                "The ballot is suspended: the quorum is not met. Your choice is kept and is "
                "sent when the ballot resumes."
            )
        )
    if hearing.phase is not Phase.VOTING:
        raise BallotClosed(msg("The ballot for this household is not open."))


__all__ = [
    "ALREADY_RECORDED",
    "RECORDED",
    "cast_ballot",
    "enter_paper_ballot",
    "mark_paper_voter",
    "receive_paper_slip",
]
