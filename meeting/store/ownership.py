"""One check for "this row belongs to this meeting": ids come from pages and phones, and an
id of another meeting's member or household must never act in this one."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.errors import DomainError, NotInMeeting
from ..domain.messages import msg
from .models import Hearing, Household, PanelMember, SeatRequest, SpeakRequest

Owned = TypeVar("Owned", PanelMember, Household, SeatRequest)

_NOT_HERE = {
    PanelMember: msg("That member is not on this meeting's panel."),
    Household: msg("That household is not on this meeting's agenda."),
    SeatRequest: msg("That request for a seat does not exist."),
}


def owned(session: Session, model: type[Owned], row_id: int, meeting_id: int) -> Owned:
    """The member, household or seat request with this id in this meeting, or NotInMeeting."""
    row = session.get(model, row_id)
    if row is None or row.meeting_id != meeting_id:
        raise NotInMeeting(_NOT_HERE[model])
    return row


def household_at(
    session: Session,
    meeting_id: int,
    position: int,
    refusal: type[DomainError] = NotInMeeting,
) -> Household:
    """The household heard at this position of the meeting's agenda, else ``refusal`` (a
    step names a household the host cannot step, a ballot one whose ballot is not open)."""
    household = session.scalar(
        select(Household).where(Household.meeting_id == meeting_id, Household.position == position)
    )
    if household is None:
        raise refusal(msg("There is no household %(position)d.", position=position))
    return household


def speak_request_in(session: Session, meeting_id: int, request_id: int) -> SpeakRequest:
    """A request to speak made in this meeting, or NotInMeeting."""
    request = session.scalar(
        select(SpeakRequest)
        .join(Hearing, SpeakRequest.hearing_id == Hearing.id)
        .join(Household, Hearing.household_id == Household.id)
        .where(SpeakRequest.id == request_id, Household.meeting_id == meeting_id)
    )
    if request is None:
        raise NotInMeeting(msg("That request to speak does not exist."))
    return request


__all__ = ["household_at", "owned", "speak_request_in"]
