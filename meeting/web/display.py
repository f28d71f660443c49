"""The display-only link of a meeting's projector: the hall's PC opens it without a staff
password and sees the projector and nothing else (web/access.py)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, url_for
from flask_babel import gettext as _
from werkzeug.wrappers.response import Response

from ..extensions import db
from ..store.models import Meeting
from .access import grant_display

bp = Blueprint("display", __name__)


@bp.get("/d/<int:meeting_id>/<token>")
def enter(meeting_id: int, token: str) -> Response:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not grant_display(meeting, token):
        abort(
            404,
            description=_(
                "This projector link is not valid or was renewed. Get the new link on the "
                "meeting's page."
            ),
        )
    return redirect(url_for("live.projector", meeting_id=meeting_id))
