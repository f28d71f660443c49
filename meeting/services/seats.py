"""Seats: the phone that scans a card first holds that member's seat; the host can free it.

A phone is known by a long-lived random cookie; the database keeps only its SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app
from sqlalchemy import select, update

from ..domain.errors import DomainError
from ..domain.messages import msg
from ..extensions import db
from ..store.models import Meeting, PanelMember, SeatRequest, SeatRequestStatus, utcnow
from .cards import issue_card
from .events import record_event
from .presence import note_quorum_break

DEVICE_COOKIE = "meeting_device"
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600


class SeatTaken(DomainError):
    """Another phone already holds this seat."""


def new_device_secret() -> str:
    return secrets.token_urlsafe(32)


def device_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def claim_seat(member: PanelMember, device_secret: str, actor: str = "member") -> bool:
    """Give the seat to this phone and check the member in; True if it was free until now.

    Idempotent for the phone that holds the seat; refused (SeatTaken) for any other. The
    conditional UPDATE makes two phones racing for one seat end with exactly one holder.
    """
    digest = device_digest(device_secret)
    _refuse_second_seat(member, digest)
    taken = db.session.execute(
        update(PanelMember)
        .where(PanelMember.id == member.id, PanelMember.device_hash.is_(None))
        .values(device_hash=digest, seat_claimed_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(member)
    if not taken and member.device_hash != digest:
        db.session.rollback()
        raise SeatTaken(
            msg("This card is already in use on another phone. Please ask the host for help.")
        )
    changed = bool(taken) or not member.present
    member.present = True
    if changed:
        record_event(member.meeting, "seat.claimed", actor, member_id=member.id)
        note_quorum_break(member.meeting, actor)
    db.session.commit()
    return bool(taken)


def _refuse_second_seat(member: PanelMember, digest: str) -> None:
    """One phone holds one seat: a second would let one person count twice in the quorum."""
    other = db.session.scalar(
        select(PanelMember).where(
            PanelMember.meeting_id == member.meeting_id,
            PanelMember.device_hash == digest,
            PanelMember.id != member.id,
        )
    )
    if other is not None:
        raise SeatTaken(
            msg(
                "This phone already holds the seat of %(name)s. Each member needs their own phone.",
                name=other.name,
            )
        )


def release_seat(member: PanelMember, actor: str) -> None:
    """Free the seat so the next phone to scan the card takes it (a lost or broken phone)."""
    if member.device_hash is None:
        return
    member.device_hash = None
    member.seat_claimed_at = None
    record_event(member.meeting, "seat.released", actor, member_id=member.id)
    db.session.commit()


def issue_new_card(member: PanelMember, actor: str) -> None:
    """Void the member's card (and free the seat): for a lost or copied card."""
    if not member.votes:
        raise DomainError(msg("Only voting members join on a phone."))
    member.card_generation += 1
    issue_card(member)
    member.device_hash = None
    member.seat_claimed_at = None
    record_event(
        member.meeting,
        "card.reissued",
        actor,
        member_id=member.id,
        generation=member.card_generation,
    )
    db.session.commit()


def member_on_device(meeting: Meeting, device_secret: str | None) -> PanelMember | None:
    """The member whose seat this phone holds in this meeting, if any."""
    if not device_secret:
        return None
    return db.session.scalar(
        select(PanelMember).where(
            PanelMember.meeting_id == meeting.id,
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


def request_seat(member: PanelMember, device_secret: str) -> SeatRequest:
    """A phone without the card asks for this member's seat; the host approves or refuses.

    Asking again from the same phone returns the same pending request.
    """
    if member.device_hash is not None:
        raise SeatTaken(msg("%(name)s already has a phone in this meeting.", name=member.name))
    if not member.votes:
        raise DomainError(msg("Only voting members join on a phone."))
    digest = device_digest(device_secret)
    _refuse_second_seat(member, digest)
    pending = db.session.scalar(
        select(SeatRequest).where(
            SeatRequest.member_id == member.id,
            SeatRequest.device_hash == digest,
            SeatRequest.status == SeatRequestStatus.PENDING,
        )
    )
    if pending is not None:
        return pending
    request = SeatRequest(meeting_id=member.meeting_id, member_id=member.id, device_hash=digest)
    db.session.add(request)
    db.session.flush()
    record_event(member.meeting, "seat.requested", "member", member_id=member.id)
    db.session.commit()
    return request


def decide_seat_request(request: SeatRequest, approve: bool, actor: str) -> None:
    """The host approves (the phone takes the seat, the member is present) or refuses."""
    if request.status is not SeatRequestStatus.PENDING:
        return  # already decided: deciding twice changes nothing
    member = request.member
    request.status = SeatRequestStatus.APPROVED if approve else SeatRequestStatus.REFUSED
    if approve:
        _refuse_second_seat(member, request.device_hash)
        # only a free seat is given: a card scanned at this very moment wins
        given = db.session.execute(
            update(PanelMember)
            .where(PanelMember.id == member.id, PanelMember.device_hash.is_(None))
            .values(device_hash=request.device_hash, seat_claimed_at=utcnow(), present=True)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not given:
            db.session.rollback()
            raise SeatTaken(msg("%(name)s already has a phone in this meeting.", name=member.name))
        db.session.refresh(member)
    record_event(
        member.meeting,
        "seat.request_approved" if approve else "seat.request_refused",
        actor,
        member_id=member.id,
    )
    if approve:
        note_quorum_break(member.meeting, actor)
    db.session.commit()
