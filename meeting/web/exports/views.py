"""Download a meeting's minutes (DOCX, PDF, XLSX) or public notice list (DOCX, PDF)."""

from __future__ import annotations

import io

from flask import Blueprint, abort, send_file
from werkzeug.wrappers.response import Response

from ...exports import FORMATS, export
from ...exports.pdf import FontMissing
from ...extensions import db
from ...store.models import Meeting

bp = Blueprint("exports", __name__, url_prefix="/staff/meetings")


@bp.get("/<int:meeting_id>/export/<fmt>")
def download(meeting_id: int, fmt: str) -> Response:
    """The document as an attachment, built from the meeting as it stands now."""
    if fmt not in FORMATS:
        abort(404)
    meeting = db.get_or_404(Meeting, meeting_id)
    try:
        document = export(meeting, fmt)
    except FontMissing as error:
        abort(503, description=str(error))
    response = send_file(
        io.BytesIO(document.data),
        mimetype=document.mimetype,
        as_attachment=True,
        download_name=document.filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"  # minutes hold names and notes
    return response
