"""Staff screens of the live meeting; what they show arrives over Socket.IO."""

from __future__ import annotations

from flask import Blueprint, render_template

from ...extensions import db
from ...services.cards import qr_svg
from ...services.seats import entry_token
from ...settings import current_rules
from ...store.models import Meeting
from ..addresses import join_base_url

bp = Blueprint("live", __name__)


def _screen(template: str, meeting_id: int, **extra: object) -> str:
    meeting = db.get_or_404(Meeting, meeting_id)
    return render_template(template, meeting=meeting, tiers=current_rules().tiers, **extra)


@bp.get("/host/<int:meeting_id>")
def host(meeting_id: int) -> str:
    return _screen("live/host.html", meeting_id)


@bp.get("/projector/<int:meeting_id>")
def projector(meeting_id: int) -> str:
    meeting = db.get_or_404(Meeting, meeting_id)
    entry_url = f"{join_base_url()}/e/{meeting.id}/{entry_token(meeting)}"
    return _screen(
        "live/projector.html", meeting_id, entry_qr=qr_svg(entry_url), entry_url=entry_url
    )


@bp.get("/secretary/<int:meeting_id>")
def secretary(meeting_id: int) -> str:
    return _screen("live/secretary.html", meeting_id)
