"""The meeting's documents: the minutes (DOCX, PDF, XLSX) and the public notice list (DOCX,
PDF), each drawn from one content model (content.py) so the formats always agree."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..domain.messages import Message, msg
from ..store.models import Meeting
from ..texts import translate_in

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


MINUTES, NOTICE, SIGN_IN = msg("Minutes"), msg("Public notice list"), msg("Sign-in sheet")
#: format name -> (what the file is called, extension, media type, builder)
FORMATS: dict[str, tuple[Message, str, str, Callable[[Meeting], bytes]]] = {
    "docx": (MINUTES, "docx", DOCX, _minutes_docx),
    "pdf": (MINUTES, "pdf", PDF, _minutes_pdf),
    "xlsx": (MINUTES, "xlsx", XLSX, _minutes_xlsx),
    "notice": (NOTICE, "docx", DOCX, _notice_docx),
    "notice-pdf": (NOTICE, "pdf", PDF, _notice_pdf),
    "sign-in": (SIGN_IN, "docx", DOCX, _sign_in_docx),
    "sign-in-pdf": (SIGN_IN, "pdf", PDF, _sign_in_pdf),
}
#: characters no file name on Windows, macOS or a USB stick may hold
_NOT_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def file_name(*parts: str, extension: str) -> str:
    """A download's name as the secretary will find it among their files: the meeting's
    title, its date and what the document is, in the page's language."""
    joined = "-".join(_NOT_IN_FILE_NAMES.sub(" ", p).strip() for p in parts if p.strip())
    return f"{joined[:120]}.{extension}"


def export(meeting: Meeting, fmt: str) -> Export:
    """Build one of the meeting's documents; ``fmt`` is a key of FORMATS.

    Raises pdf.FontMissing for a PDF on a machine without a Chinese font.
    """
    what, extension, mimetype, build = FORMATS[fmt]
    filename = file_name(
        # named in the documents' own language (they are built in Chinese, for the township)
        meeting.title,
        meeting.held_on.isoformat(),
        translate_in("zh", what),
        extension=extension,
    )
    return Export(build(meeting), filename, mimetype)
