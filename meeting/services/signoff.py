"""Signing off a meeting's minutes (read-only from then on) and amending them after."""

from __future__ import annotations

from sqlalchemy import select

from ..domain.roles import Role
from ..domain.signoff import Signatories, amendment_text, check_can_sign_off
from ..extensions import db
from ..store.event_log import head
from ..store.models import Event, Meeting, MeetingStatus, utcnow
from .hearing_steps import phases_of
from .unit_of_work import meeting_change

AMENDED = "minutes.amended"
FINALISED = "meeting.finalised"


def finalise(meeting_id: int, actor: str, people: Signatories) -> str:
    """Sign off the minutes once every household is announced, naming the people who sign
    (host, secretary, scrutineers); returns the head hash signed.

    Logs ``meeting.finalised`` with the hash of the entry before it and the signatories;
    from then on the meeting is closed and refuses every change but an amendment.
    """
    with meeting_change(meeting_id, actor) as change:
        meeting = change.meeting
        check_can_sign_off(phases_of(change), already_signed=meeting.finalised_at is not None)
        count, signed = head(change.session, meeting_id)
        # the length and head signed: a chain cut after them is found (meeting verify)
        meeting.signed_events, meeting.signed_head = count, signed
        meeting.finalised_at = utcnow()
        meeting.finalised_by = actor
        meeting.signatories = people.to_data()
        meeting.status = MeetingStatus.CLOSED
        change.log(FINALISED, head=signed, signatories=people.to_data())
    return signed


def proposed_signatories(meeting: Meeting, secretary_account: str) -> Signatories:
    """Who would sign, as the form proposes it: the panel's host and secretary (else the
    signed-in account's name for the secretary) and the named scrutineers."""

    def named(role: Role) -> str:
        return next((m.name for m in meeting.members if m.role is role), "")

    return Signatories(
        host=named(Role.HOST),
        secretary=named(Role.SECRETARY) or secretary_account,
        scrutineers=tuple(
            m.name for m in meeting.members if m.scrutineer or m.role is Role.SCRUTINEER
        ),
    )


def amend(meeting_id: int, text: str, actor: str) -> None:
    """Append a correction to signed-off minutes: a visible entry of the chain."""
    with meeting_change(meeting_id, actor, after_sign_off=True) as change:
        text = amendment_text(text, signed_off=change.meeting.finalised_at is not None)
        change.log(AMENDED, text=text)


def amendments(meeting_id: int) -> list[Event]:
    """The amendments to the minutes, in the order they were made."""
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.meeting_id == meeting_id, Event.kind == AMENDED)
            .order_by(Event.seq)
        )
    )
