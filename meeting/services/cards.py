"""Join cards: each voting member's personal QR code, and finding a member from it.

A card's token is derived from the server's secret key (HMAC), so reprinting gives the same
cards and issuing a new card (a new generation) voids the old one; the database keeps only
the token's SHA-256, so a copy of the database alone lets nobody join as a member.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..store.models import Meeting, PanelMember
from .unit_of_work import meeting_change

JOIN_PATH = "/j/"
#: 160 bits: far beyond guessing, short enough for a small QR code
TOKEN_BYTES = 20


@dataclass(frozen=True)
class JoinCard:
    member: PanelMember
    url: str
    qr_svg: str


def join_token(member: PanelMember) -> str:
    """The member's current join token (needs ``member.id``)."""
    return _token(member.meeting_id, member.id, member.card_generation)


def _token(meeting_id: int, member_id: int, generation: int) -> str:
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    message = f"join-card|{meeting_id}|{member_id}|{generation}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:TOKEN_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_card(member: PanelMember) -> None:
    """Store the digest of the member's current token; the caller flushes or commits."""
    member.join_token_hash = token_digest(join_token(member))


def first_card_digest(meeting_id: int, member_id: int) -> str:
    """The digest of a new member's first card, for members added without the ORM."""
    return token_digest(_token(meeting_id, member_id, 1))


def member_for_token(token: str) -> PanelMember | None:
    """The member holding this card, or None for an unknown or voided card."""
    if not token or len(token) > 64:
        return None
    # looked up by the digest, so the secret token itself is never compared character by
    # character against stored data
    digest = token_digest(token)
    return db.session.scalar(select(PanelMember).where(PanelMember.join_token_hash == digest))


def join_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + JOIN_PATH + token


def qr_svg(data: str) -> str:
    """An SVG path QR code (no Pillow needed), sized by its viewBox to fill its container."""
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=4,
    )
    return image.to_string(encoding="unicode")


def join_cards(meeting: Meeting, base_url: str) -> list[JoinCard]:
    """A card for every voting member of the meeting, in panel order.

    If the secret key changed since the cards were issued, the stored digests no longer
    match and are reissued here, so the printed sheet is always the valid one.
    """
    stale = [
        m.id
        for m in meeting.members
        if m.votes and m.join_token_hash != token_digest(join_token(m))
    ]
    if stale:
        _reissue_digests(meeting.id, stale)
        db.session.refresh(meeting)
    cards = []
    for member in meeting.members:
        if member.votes:
            url = join_url(base_url, join_token(member))
            cards.append(JoinCard(member=member, url=url, qr_svg=qr_svg(url)))
    return cards


def _reissue_digests(meeting_id: int, member_ids: list[int]) -> None:
    """Store the digests of the cards as the current secret key makes them."""
    with meeting_change(meeting_id, "server") as change:
        for member_id in member_ids:
            issue_card(change.session.get(PanelMember, member_id))
        change.log("cards.digests_renewed", count=len(member_ids))
