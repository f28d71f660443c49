"""Scrutineers: the host names them from the panel; each confirms every count on their
phone. One change and one event each."""

from __future__ import annotations

from sqlalchemy import delete, select

from ..domain.scrutiny import check_can_confirm
from ..store.models import CountConfirmation, PanelMember, utcnow
from ..store.ownership import owned
from .hearing_steps import HearingRef, hearing_ref
from .seats import Seat, seat_holder
from .unit_of_work import Change, meeting_change

CONFIRMED, ALREADY_CONFIRMED = "confirmed", "already_confirmed"


def name_scrutineer(meeting_id: int, member_id: int, named: bool, actor: str) -> None:
    """Name a panel member scrutineer (监票人/计票人), or take it back."""
    with meeting_change(meeting_id, actor) as change:
        member = owned(change.session, PanelMember, member_id, meeting_id)
        if member.scrutineer == named:
            return
        member.scrutineer = named
        change.reshape()
        change.log("scrutineer.named", member_id=member.id, named=named)


def confirm_count(seat: Seat, position: int) -> str:
    """A scrutineer confirms the count of the household at ``position`` from their phone;
    CONFIRMED, or ALREADY_CONFIRMED for a repeat."""
    with meeting_change(seat.meeting_id, "member") as change:
        member = seat_holder(change, seat)
        hearing = hearing_ref(change, position)
        check_can_confirm(member.scrutineer, hearing.phase)
        if _confirmed(change, hearing, member.id):
            return ALREADY_CONFIRMED
        change.session.add(
            CountConfirmation(hearing_id=hearing.id, member_id=member.id, confirmed_at=utcnow())
        )
        change.reshape()
        change.log(
            "count.confirmed", member.name, household_id=hearing.household_id, member_id=member.id
        )
    return CONFIRMED


def forget_confirmations(change: Change, hearing_id: int) -> None:
    """A void takes the count away, and with it every confirmation of it."""
    change.session.execute(
        delete(CountConfirmation).where(CountConfirmation.hearing_id == hearing_id)
    )


def _confirmed(change: Change, hearing: HearingRef, member_id: int) -> bool:
    return (
        change.session.scalar(
            select(CountConfirmation.member_id).where(
                CountConfirmation.hearing_id == hearing.id,
                CountConfirmation.member_id == member_id,
            )
        )
        is not None
    )
