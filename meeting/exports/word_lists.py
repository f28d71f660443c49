"""The short documents as .docx files: the public notice list and the sign-in sheet, drawn
with the minutes' building blocks (word.py)."""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from .notice import Notice, notice_table
from .sign_in import SignInSheet
from .word import _column_widths, _field_line, _save, _table, _titled_document

# --- the notice ----------------------------------------------------------------------------


def notice_docx(notice: Notice) -> bytes:
    """The public notice list as a .docx file, ready to print and post."""
    t = notice.texts
    document = _titled_document(t["notice"], notice.meeting.title, t["page"])
    document.add_paragraph(notice.intro)
    _table(document, *notice_table(notice))
    document.add_paragraph(notice.period)
    if notice.object_to:
        _field_line(document, t["object_to"], notice.object_to)
    if notice.contact:
        _field_line(document, t["contact"], notice.contact)
    # who posts it, where its seal goes, and the date, on the right as a notice is signed
    for line in (notice.issuer, t["seal"], notice.posted_by):
        closing = document.add_paragraph(line)
        closing.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return _save(document)


def sign_in_docx(sheet: SignInSheet) -> bytes:
    """The sign-in sheet as a .docx file: a tall row per signature, 应到/实到 by role."""
    t = sheet.texts
    document = _titled_document(t["title"], sheet.meeting.title, t["page"])
    document.add_paragraph(t["held_line"])
    table = _table(
        document,
        [t["no"], t["name"], t["role"], t["signature"], t["remark"]],
        [[r.number, r.name, r.role, "", r.remark] for r in sheet.rows],
    )
    _column_widths(table, (12, 32, 30, 70, 26))
    for row in table.rows[1:]:
        row.height = Mm(11)  # room to sign by hand
    document.add_paragraph(sheet.counted)
    counts = _table(
        document,
        [t["role"], t["expected"], t["present"]],
        [[c.role, c.expected, "" if c.present is None else c.present] for c in sheet.counts],
    )
    _column_widths(counts, (60, 40, 40))
    return _save(document)
