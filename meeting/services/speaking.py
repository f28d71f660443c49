"""The speaking queue during questioning (举手提问): members ask, the host gives the floor."""

from __future__ import annotations

from sqlalchemy import select

from ..domain.errors import DomainError, StepNotAllowed
from ..domain.messages import msg
from ..domain.phases import Phase
from ..store.models import Hearing, Household, SpeakRequest, SpeakStatus
from ..store.ownership import speak_request_in
from .seats import Seat, seat_holder
from .unit_of_work import Change, meeting_change

OPEN = (SpeakStatus.WAITING, SpeakStatus.SPEAKING)


def raise_hand(seat: Seat) -> None:
    """A present member asks to speak during questioning; asking twice keeps one place."""
    with meeting_change(seat.meeting_id, "member") as change:
        member = seat_holder(change, seat)
        hearing = _current_hearing(change)
        if hearing is None or hearing.phase is not Phase.QUESTIONING:
            raise StepNotAllowed(msg("You can ask to speak only during questioning."))
        if not member.present:
            raise DomainError(msg("You are not checked in as present."))
        if _open_request(change, hearing.id, member.id) is not None:
            return
        change.session.add(SpeakRequest(hearing_id=hearing.id, member_id=member.id))
        change.log("speaker.raised_hand", member_id=member.id)


def withdraw_hand(seat: Seat) -> None:
    """A member who asked to speak takes it back while still waiting."""
    with meeting_change(seat.meeting_id, "member") as change:
        member = seat_holder(change, seat)
        hearing = _current_hearing(change)
        request = _open_request(change, hearing.id, member.id) if hearing else None
        if request is None or request.status is not SpeakStatus.WAITING:
            return
        request.status = SpeakStatus.WITHDRAWN
        change.log("speaker.withdrew", member_id=member.id)


def give_floor(meeting_id: int, request_id: int, actor: str) -> None:
    """The host lets a waiting member speak; whoever was speaking is done."""
    with meeting_change(meeting_id, actor) as change:
        request = speak_request_in(change.session, meeting_id, request_id)
        if request.status is not SpeakStatus.WAITING:
            return
        speaking = change.session.scalars(
            select(SpeakRequest).where(
                SpeakRequest.hearing_id == request.hearing_id,
                SpeakRequest.status == SpeakStatus.SPEAKING,
            )
        )
        for other in list(speaking):
            other.status = SpeakStatus.DONE
        request.status = SpeakStatus.SPEAKING
        change.log("speaker.given_floor", member_id=request.member_id)


def finish_speaking(meeting_id: int, request_id: int, actor: str) -> None:
    """Done speaking, or taken off the queue."""
    with meeting_change(meeting_id, actor) as change:
        request = speak_request_in(change.session, meeting_id, request_id)
        if request.status not in OPEN:
            return
        request.status = SpeakStatus.DONE
        change.log("speaker.done", member_id=request.member_id)


def _current_hearing(change: Change) -> Hearing | None:
    position = change.meeting.current_position
    if position is None:
        return None
    return change.session.scalar(
        select(Hearing)
        .join(Household, Hearing.household_id == Household.id)
        .where(Household.meeting_id == change.meeting_id, Household.position == position)
    )


def _open_request(change: Change, hearing_id: int, member_id: int) -> SpeakRequest | None:
    return change.session.scalar(
        select(SpeakRequest).where(
            SpeakRequest.hearing_id == hearing_id,
            SpeakRequest.member_id == member_id,
            SpeakRequest.status.in_(OPEN),
        )
    )
