"""The page a join card's QR code opens on a member's phone."""

from __future__ import annotations

from flask import Blueprint, render_template

from ...services.cards import member_for_token

bp = Blueprint("member", __name__)


@bp.get("/j/<token>")
def join(token: str) -> tuple[str, int]:
    """Recognise the card; the live meeting page builds on this (seat claiming, ballot)."""
    member = member_for_token(token)
    if member is None:
        return render_template("member/unknown_card.html"), 404
    return render_template("member/joined.html", member=member, meeting=member.meeting), 200
