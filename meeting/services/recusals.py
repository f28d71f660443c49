"""Recusal (回避): a panel member related to a household stands aside from its ballot."""

from __future__ import annotations

from sqlalchemy import select

from ..domain.errors import DomainError
from ..domain.messages import msg
from ..domain.phases import Phase
from ..store import ballot_box
from ..store.models import Hearing, Household, PanelMember, Recusal
from ..store.ownership import household_at, owned
from .unit_of_work import meeting_change

MAX_REASON_LENGTH = 200
#: a recusal may be withdrawn only before the household's ballot opens
BEFORE_BALLOT = (
    Phase.PENDING,
    Phase.DEFERRED,
    Phase.BRIEFING,
    Phase.STATEMENT,
    Phase.QUESTIONING,
)


def recuse(meeting_id: int, position: int, member_id: int, reason: str, actor: str) -> None:
    """Declare that a member stands aside from a household, with the reason; the same
    reason again changes nothing, another replaces it."""
    reason = reason.strip()
    if not reason:
        raise DomainError(msg("Give the reason for the recusal."))
    if len(reason) > MAX_REASON_LENGTH:
        raise DomainError(msg("The reason is too long."))
    with meeting_change(meeting_id, actor) as change:
        household = household_at(change.session, meeting_id, position)
        member = owned(change.session, PanelMember, member_id, meeting_id)
        if not member.votes:
            raise DomainError(msg("Only a voting member of this panel can be recused."))
        hearing = _hearing_of(change.session, household)
        if hearing.phase in (Phase.COUNTED, Phase.ANNOUNCED, Phase.SKIPPED):
            raise DomainError(msg("This household's ballot is already closed."))
        if ballot_box.has_receipt(change.session, hearing.id, member.id):
            raise DomainError(
                msg("%(name)s has already voted on this household.", name=member.name)
            )
        existing = _recusal(change.session, household.id, member.id)
        if existing is not None and existing.reason == reason:
            return
        if existing is not None:
            existing.reason = reason
        else:
            change.session.add(
                Recusal(household_id=household.id, member_id=member.id, reason=reason)
            )
        change.log(
            "recusal.declared", household_id=household.id, member_id=member.id, reason=reason
        )


def withdraw_recusal(meeting_id: int, position: int, member_id: int, actor: str) -> None:
    """Undo a recusal declared by mistake, before the household's ballot opens."""
    with meeting_change(meeting_id, actor) as change:
        household = household_at(change.session, meeting_id, position)
        member = owned(change.session, PanelMember, member_id, meeting_id)
        recusal = _recusal(change.session, household.id, member.id)
        if recusal is None:
            return
        if _hearing_of(change.session, household).phase not in BEFORE_BALLOT:
            raise DomainError(msg("A recusal cannot be withdrawn once the ballot has opened."))
        change.session.delete(recusal)
        change.log("recusal.withdrawn", household_id=household.id, member_id=member.id)


def _hearing_of(session, household: Household) -> Hearing:
    return session.scalar(select(Hearing).where(Hearing.household_id == household.id))


def _recusal(session, household_id: int, member_id: int) -> Recusal | None:
    return session.scalar(
        select(Recusal).where(Recusal.household_id == household_id, Recusal.member_id == member_id)
    )
