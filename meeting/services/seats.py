"""Seats: the phone that scans a card first holds that member's seat; the host can free it.

A phone is known by a long-lived random cookie; the database keeps only its SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from ..domain.errors import DomainError, SeatLost
from ..domain.messages import msg
from ..extensions import db
from ..store.models import Meeting, PanelMember, SeatRequest, SeatRequestStatus, utcnow
from ..store.ownership import owned
from .cards import issue_card
from .hearing_steps import Sitting
from .presence import after_presence_change
from .unit_of_work import Change, meeting_change

DEVICE_COOKIE = "meeting_device"
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600


class SeatTaken(DomainError):
    """Another phone already holds this seat."""


@dataclass(frozen=True)
class Seat:
    """Who a phone's connection says it is: a member's seat, held by this device."""

    meeting_id: int
    member_id: int
    device_hash: str


def seat_holder(change: Change, seat: Seat) -> PanelMember:
    """The member whose seat the phone holds, read in this change; SeatLost if the seat was
    freed or the card reissued since the phone connected."""
    member = change.session.get(PanelMember, seat.member_id, populate_existing=True)
    if (
        member is None
        or member.meeting_id != seat.meeting_id
        or member.device_hash != seat.device_hash
    ):
        raise SeatLost(msg("This phone no longer holds a seat."))
    return member


def seat_holder_in(sitting: list[Sitting], seat: Seat) -> Sitting:
    """The member whose seat the phone holds, from the panel as read in this change."""
    member = next((m for m in sitting if m.id == seat.member_id), None)
    if member is None or member.device_hash != seat.device_hash:
        raise SeatLost(msg("This phone no longer holds a seat."))
    return member


def new_device_secret() -> str:
    return secrets.token_urlsafe(32)


def device_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def claim_seat(meeting_id: int, member_id: int, device_secret: str, actor: str = "member") -> bool:
    """Give the seat to this phone and check the member in; True if it was free until now.

    Idempotent for the phone that holds the seat; refused (SeatTaken) for any other. The
    conditional UPDATE makes two phones racing for one seat end with exactly one holder.
    """
    digest = device_digest(device_secret)
    with meeting_change(meeting_id, actor) as change:
        member = owned(change.session, PanelMember, member_id, meeting_id)
        _refuse_second_seat(change, member, digest)
        if member.device_hash not in (None, digest):
            raise SeatTaken(
                msg("This card is already in use on another phone. Please ask the host for help.")
            )
        taken = member.device_hash is None
        if not taken and member.present:
            return False
        if taken:
            member.device_hash = digest
            member.seat_claimed_at = utcnow()
        member.present = True
        change.log("seat.claimed", actor, member_id=member.id)
        after_presence_change(change)
    return taken


def _refuse_second_seat(change: Change, member: PanelMember, digest: str) -> None:
    """One phone holds one seat: a second would let one person count twice in the quorum."""
    other = change.session.scalar(
        select(PanelMember.name).where(
            PanelMember.meeting_id == member.meeting_id,
            PanelMember.device_hash == digest,
            PanelMember.id != member.id,
        )
    )
    if other is not None:
        raise SeatTaken(
            msg(
                "This phone already holds the seat of %(name)s. Each member needs their own phone.",
                name=other,
            )
        )


def release_seat(meeting_id: int, member_id: int, actor: str) -> None:
    """Free the seat so the next phone to scan the card takes it (a lost or broken phone)."""
    with meeting_change(meeting_id, actor) as change:
        member = owned(change.session, PanelMember, member_id, meeting_id)
        if member.device_hash is None:
            return
        member.device_hash = None
        member.seat_claimed_at = None
        change.log("seat.released", member_id=member.id)


def issue_new_card(meeting_id: int, member_id: int, actor: str) -> None:
    """Void the member's card (and free the seat): for a lost or copied card."""
    with meeting_change(meeting_id, actor) as change:
        member = owned(change.session, PanelMember, member_id, meeting_id)
        if not member.votes:
            raise DomainError(msg("Only voting members join on a phone."))
        member.card_generation += 1
        issue_card(member)
        member.device_hash = None
        member.seat_claimed_at = None
        change.log("card.reissued", member_id=member.id, generation=member.card_generation)


def member_on_device(meeting_id: int, device_secret: str | None) -> PanelMember | None:
    """The member whose seat this phone holds in this meeting, if any."""
    if not device_secret:
        return None
    return db.session.scalar(
        select(PanelMember).where(
            PanelMember.meeting_id == meeting_id,
            PanelMember.device_hash == device_digest(device_secret),
        )
    )


def entry_token(meeting: Meeting) -> str:
    """The token of the meeting's "pick your name" QR, derived like the cards' tokens."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    message = f"join-meeting|{meeting.id}|{meeting.entry_generation}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def meeting_for_entry(meeting_id: int, token: str) -> Meeting | None:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not hmac.compare_digest(entry_token(meeting), token):
        return None
    return meeting


def request_seat(meeting_id: int, member_id: int, device_secret: str) -> int:
    """A phone without the card asks for this member's seat; the host approves or refuses.

    Asking again from the same phone returns the same pending request. Returns its id.
    """
    digest = device_digest(device_secret)
    with meeting_change(meeting_id, "member") as change:
        member = owned(change.session, PanelMember, member_id, meeting_id)
        if member.device_hash is not None:
            raise SeatTaken(msg("%(name)s already has a phone in this meeting.", name=member.name))
        if not member.votes:
            raise DomainError(msg("Only voting members join on a phone."))
        _refuse_second_seat(change, member, digest)
        pending = change.session.scalar(
            select(SeatRequest.id).where(
                SeatRequest.member_id == member.id,
                SeatRequest.device_hash == digest,
                SeatRequest.status == SeatRequestStatus.PENDING,
            )
        )
        if pending is not None:
            return pending
        request = SeatRequest(meeting_id=meeting_id, member_id=member.id, device_hash=digest)
        change.session.add(request)
        change.session.flush()
        request_id = request.id
        change.log("seat.requested", "member", member_id=member.id)
    return request_id


def decide_seat_request(meeting_id: int, request_id: int, approve: bool, actor: str) -> None:
    """The host approves (the phone takes the seat, the member is present) or refuses."""
    with meeting_change(meeting_id, actor) as change:
        request = owned(change.session, SeatRequest, request_id, meeting_id)
        if request.status is not SeatRequestStatus.PENDING:
            return  # already decided: deciding twice changes nothing
        member = owned(change.session, PanelMember, request.member_id, meeting_id)
        if approve:
            _refuse_second_seat(change, member, request.device_hash)
            # only a free seat is given: a card scanned at this very moment wins
            if member.device_hash is not None:
                raise SeatTaken(
                    msg("%(name)s already has a phone in this meeting.", name=member.name)
                )
            member.device_hash = request.device_hash
            member.seat_claimed_at = utcnow()
            member.present = True
        request.status = SeatRequestStatus.APPROVED if approve else SeatRequestStatus.REFUSED
        change.log(
            "seat.request_approved" if approve else "seat.request_refused",
            member_id=member.id,
        )
        if approve:
            after_presence_change(change)


__all__ = [
    "DEVICE_COOKIE",
    "Seat",
    "SeatTaken",
    "claim_seat",
    "decide_seat_request",
    "issue_new_card",
    "member_on_device",
    "release_seat",
    "request_seat",
    "seat_holder",
    "seat_holder_in",
]
