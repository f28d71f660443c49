"""The meeting's documents: the minutes (DOCX, PDF, XLSX) and the public notice list (DOCX,
PDF), each drawn from one content model (content.py) so the formats always agree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..store.models import Meeting

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


@dataclass(frozen=True)
class Export:
    """One file: its bytes, the name to save it under and its media type."""

    data: bytes
    filename: str
    mimetype: str


def _minutes_docx(meeting: Meeting) -> bytes:
    from .content import build_minutes
    from .word import minutes_docx

    return minutes_docx(build_minutes(meeting))


def _minutes_pdf(meeting: Meeting) -> bytes:
    from .content import build_minutes
    from .pdf import minutes_pdf

    return minutes_pdf(build_minutes(meeting))


def _minutes_xlsx(meeting: Meeting) -> bytes:
    from .content import build_minutes
    from .sheets import minutes_xlsx

    return minutes_xlsx(build_minutes(meeting))


def _notice_docx(meeting: Meeting) -> bytes:
    from .notice import build_notice
    from .word_lists import notice_docx

    return notice_docx(build_notice(meeting))


def _notice_pdf(meeting: Meeting) -> bytes:
    from .notice import build_notice
    from .pdf import notice_pdf

    return notice_pdf(build_notice(meeting))


def _sign_in_docx(meeting: Meeting) -> bytes:
    from .sign_in import build_sign_in_sheet
    from .word_lists import sign_in_docx

    return sign_in_docx(build_sign_in_sheet(meeting))


def _sign_in_pdf(meeting: Meeting) -> bytes:
    from .pdf import sign_in_pdf
    from .sign_in import build_sign_in_sheet

    return sign_in_pdf(build_sign_in_sheet(meeting))


#: format name -> (file name stem, extension, media type, builder)
FORMATS: dict[str, tuple[str, str, str, Callable[[Meeting], bytes]]] = {
    "docx": ("minutes", "docx", DOCX, _minutes_docx),
    "pdf": ("minutes", "pdf", PDF, _minutes_pdf),
    "xlsx": ("minutes", "xlsx", XLSX, _minutes_xlsx),
    "notice": ("notice", "docx", DOCX, _notice_docx),
    "notice-pdf": ("notice", "pdf", PDF, _notice_pdf),
    "sign-in": ("sign-in", "docx", DOCX, _sign_in_docx),
    "sign-in-pdf": ("sign-in", "pdf", PDF, _sign_in_pdf),
}


def export(meeting: Meeting, fmt: str) -> Export:
    """Build one of the meeting's documents; ``fmt`` is a key of FORMATS.

    Raises pdf.FontMissing for a PDF on a machine without a Chinese font.
    """
    stem, extension, mimetype, build = FORMATS[fmt]
    filename = f"meeting-{meeting.id}-{meeting.held_on.isoformat()}-{stem}.{extension}"
    return Export(build(meeting), filename, mimetype)
