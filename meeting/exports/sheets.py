"""The minutes as a workbook (openpyxl): one row per household with every figure, and sheets
for the attendance and the tracker lists, for whoever checks or adds up the results."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .content import HouseholdRecord, Minutes

#: a face spreadsheet applications map to a Chinese font wherever they run
SHEET_FONT = "宋体"


def household_columns(t: dict[str, str]) -> list[str]:
    return [
        t["no"],
        t["head"],
        t["persons"],
        t["address"],
        t["category"],
        t["application"],
        t["investigator"],
        t["recommendation"],
        t["proposed_tier"],
        t["recusals"],
        t["entitled"],
        t["cast"],
        t["on_phone"],
        t["on_paper"],
        t["eligible"],
        t["not_eligible"],
        t["abstain"],
        t["basis"],
        t["outcome"],
        t["tier"],
        t["per_person"],
        t["household_total"],
        f"{t['at_open']}: {t['representatives']}",
        f"{t['at_open']}: {t['cadres']}",
        f"{t['at_close']}: {t['representatives']}",
        f"{t['at_close']}: {t['cadres']}",
        t["statement"],
        t["questioning"],
    ]


def household_row(h: HouseholdRecord) -> list[object]:
    c = h.count
    figures: list[object] = [None] * 16
    if c is not None:
        tier = c.tier
        figures = [
            c.entitled,
            c.cast,
            c.on_phone,
            c.on_paper,
            c.eligible,
            c.not_eligible,
            c.abstain,
            c.basis_count,
            c.outcome_label,
            tier.label if tier else None,
            tier.per_person if tier else None,
            tier.household_total if tier else None,
            c.quorum_at_open.representatives,
            c.quorum_at_open.cadres,
            c.quorum_at_close.representatives,
            c.quorum_at_close.cadres,
        ]
    return [
        h.position,
        h.head_name,
        h.persons,
        h.address,
        h.category,
        h.application_type,
        h.investigator,
        h.recommendation,
        h.proposed_tier,
        "；".join(f"{r.member}（{r.reason}）" for r in h.recusals),
        *figures,
        h.statement,
        h.questioning,
    ]


def _append(sheet: Worksheet, row: list[object]) -> None:
    """One row, every text written as text: a name or a finding imported as "=HYPERLINK(...)"
    or "=cmd|..." must never become a live formula in the clerk's spreadsheet (OWASP's
    CSV-injection rule; openpyxl would store any text starting with "=" as a formula)."""
    sheet.append(row)
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def _sheet(sheet: Worksheet, header: list[str], rows: list[list[object]]) -> None:
    _append(sheet, header)
    for row in rows:
        _append(sheet, row)
    bold = Font(name=SHEET_FONT, bold=True)
    plain = Font(name=SHEET_FONT)
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.font = plain
    sheet.freeze_panes = "C2"
    for index, title in enumerate(header, 1):
        sheet.column_dimensions[get_column_letter(index)].width = max(8, min(40, len(title) * 2))
    # the header row repeats on every printed page
    sheet.print_title_rows = "1:1"


def _sign_off_sheet(sheet: Worksheet, minutes: Minutes) -> None:
    """The sign-off and the chain's head at export time, one labelled line each."""
    t = minutes.texts
    for row in (
        [t["sign_off"], minutes.sign_off],
        [t["event_count"], str(minutes.event_count)],
        [t["head_hash"], minutes.head_hash or "—"],
        ["", t["hash_scope"]],
        ["", minutes.produced],
        ["", t["times_note"]],
    ):
        _append(sheet, row)
    bold = Font(name=SHEET_FONT, bold=True)
    plain = Font(name=SHEET_FONT)
    for label, value in sheet.iter_rows():
        label.font = bold
        value.font = plain
        label.alignment = value.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 80


def minutes_xlsx(minutes: Minutes) -> bytes:
    """The minutes as an .xlsx workbook."""
    t = minutes.texts
    book = Workbook()
    households = book.active
    households.title = t["sheet_households"][:31]
    _sheet(households, household_columns(t), [household_row(h) for h in minutes.households])
    _sheet(
        book.create_sheet(t["sheet_attendance"][:31]),
        [t["no"], t["name"], t["role"], t["presence"], t["votes_by"]],
        [
            [i, a.name, a.role, a.presence, a.votes_by_label]
            for i, a in enumerate(minutes.attendance, 1)
        ],
    )
    _sheet(
        book.create_sheet(t["sheet_trackers"][:31]),
        [t["no"], t["head"], t["tracker"], t["choice"], t["tier"]],
        [
            [h.position, h.head_name, x.tracker, x.choice, x.tier]
            for h in minutes.households
            if h.count is not None
            for x in h.count.trackers
        ],
    )
    _sign_off_sheet(book.create_sheet(t["sign_off"][:31]), minutes)
    amendments = book.create_sheet(t["amendments"][:31])
    _sheet(
        amendments,
        [t["no"], t["amended_at"], t["amended_by"], t["amendment_text"]],
        [[i, a.moment, a.author, a.text] for i, a in enumerate(minutes.amendments, 1)],
    )
    amendments.freeze_panes = "A2"
    for letter, width in zip("ABCD", (8, 18, 14, 80), strict=True):
        amendments.column_dimensions[letter].width = width
    for (text,) in amendments.iter_rows(min_row=2, min_col=4, max_col=4):
        text.alignment = Alignment(wrap_text=True, vertical="top")
    book.properties.title = f"{minutes.meeting.title} {t['minutes']}"
    book.properties.language = "zh-CN" if minutes.locale == "zh" else minutes.locale
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
