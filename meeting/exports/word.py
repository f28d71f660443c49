"""The minutes and the notice as Word documents (python-docx), set up for Chinese: A4, 宋体 and
黑体 on every style, language zh-CN, table headers repeated, "第 N 页 共 M 页" in the footer."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from .content import HouseholdRecord, Minutes

#: the faces Chinese official documents are set in; Word, WPS and LibreOffice map them to what
#: is installed (LibreOffice on Debian: Noto Serif/Sans CJK SC), helped by the font table below
BODY_FONT = ("宋体", "SimSun")
HEADING_FONT = ("黑体", "SimHei")
LATIN_BODY, LATIN_HEADING = "Times New Roman", "Arial"
LANGUAGE = "zh-CN"
#: styles this module uses; each gets its fonts and language set explicitly
STYLES = ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Footer", "Table Grid")
TRACKERS_PER_ROW = 4
#: a household's findings: the group (四看…), the heading, and the text, which gets the room
FINDING_WIDTHS = (26, 30, 114)
#: the amendments' columns in mm: number, time, author, text (166 mm between the margins)
AMENDMENT_WIDTHS = (12, 32, 26, 96)
FIELD = re.compile(r"%\((page|pages)\)s")


# --- the document's set-up -----------------------------------------------------------------


def _new_document() -> DocxDocument:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(22)
    _set_defaults(document)
    for name in STYLES:
        heading = name.startswith(("Heading", "Title"))
        _set_fonts(document.styles[name].element, heading)
    sizes = {"Normal": 11, "Title": 20, "Subtitle": 13, "Heading 1": 15, "Heading 2": 12.5}
    for name, size in sizes.items():
        style = document.styles[name]
        style.font.size = Pt(size)
        style.font.color.rgb = None
        if name != "Normal":
            style.font.bold = name != "Subtitle"
            style.font.italic = False
    for name in ("Title", "Subtitle"):
        document.styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _drop_border(document.styles[name].element)
    document.styles["Normal"].paragraph_format.space_after = Pt(3)
    _declare_fonts(document)
    return document


def _set_fonts(style_element, heading: bool) -> None:
    """Name the fonts outright (no theme fonts: the default theme maps East Asian text to a
    Japanese face) and mark the language zh-CN, on one style."""
    rpr = style_element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in list(fonts.attrib):
        if attribute.endswith("Theme}") or "Theme" in attribute:
            del fonts.attrib[attribute]
    east_asian = HEADING_FONT[0] if heading else BODY_FONT[0]
    latin = LATIN_HEADING if heading else LATIN_BODY
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:hint"), "eastAsia")
    _set_language(rpr)


def _set_language(rpr) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)


def _set_defaults(document: DocxDocument) -> None:
    """The document defaults and the settings' theme language: zh-CN, 宋体."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is not None:
        rpr.remove(fonts)
    rpr.insert(
        0,
        parse_xml(
            f'<w:rFonts {nsdecls("w")} w:ascii="{LATIN_BODY}" w:hAnsi="{LATIN_BODY}" '
            f'w:eastAsia="{BODY_FONT[0]}" w:cs="{LATIN_BODY}"/>'
        ),
    )
    _set_language(rpr)
    settings = document.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is None:
        theme_lang = OxmlElement("w:themeFontLang")
        settings.append(theme_lang)
    theme_lang.set(qn("w:val"), LANGUAGE)
    theme_lang.set(qn("w:eastAsia"), LANGUAGE)


def _drop_border(style_element) -> None:
    ppr = style_element.find(qn("w:pPr"))
    if ppr is not None and (border := ppr.find(qn("w:pBdr"))) is not None:
        ppr.remove(border)


def _declare_fonts(document: DocxDocument) -> None:
    """List 宋体 and 黑体 in the font table with their Latin names and the GB2312 charset, so
    an application without them substitutes a Simplified Chinese face."""
    part = next(
        rel.target_part for rel in document.part.rels.values() if rel.reltype == RT.FONT_TABLE
    )
    table = parse_xml(part.blob)
    for name, alt in (BODY_FONT, HEADING_FONT):
        table.append(
            parse_xml(
                f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alt}"/>'
                '<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/>'
                "</w:font>"
            )
        )
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_footer(document: DocxDocument, template: str) -> None:
    """ "第 N 页 共 M 页": the translated text with PAGE and NUMPAGES fields in its places."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for index, part in enumerate(FIELD.split(template)):
        if index % 2:
            _field(paragraph, "PAGE" if part == "page" else "NUMPAGES")
        elif part:
            paragraph.add_run(part)


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that the application fills in when it lays out pages."""
    run = paragraph.add_run()
    begin, separate, end = (OxmlElement("w:fldChar") for _ in range(3))
    begin.set(qn("w:fldCharType"), "begin")
    separate.set(qn("w:fldCharType"), "separate")
    end.set(qn("w:fldCharType"), "end")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    shown = OxmlElement("w:t")
    shown.text = "1"  # until the application updates the field
    for element in (begin, code, separate, shown, end):
        run._r.append(element)


# --- building blocks -----------------------------------------------------------------------


def _table(
    document: DocxDocument, header: Sequence[str], rows: Sequence[Sequence[object]]
) -> Table:
    """A bordered table whose first row repeats at the top of every page it runs onto."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    first = table.rows[0]
    _repeat_as_header(first)
    for cell, text in zip(first.cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(str(text)).bold = True
    for values in rows:
        row = table.add_row()
        _keep_whole(row)  # a row is never cut across two pages
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = "" if value is None else str(value)
    return table


def _keep_whole(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _heading(document: DocxDocument, text: str, level: int) -> Paragraph:
    """A heading that stays on the page of what follows it."""
    heading = document.add_heading(text, level=level)
    heading.paragraph_format.keep_with_next = True
    return heading


def _column_widths(table: Table, widths: Sequence[float]) -> None:
    """Fixed column widths in mm (Word reads the cells', LibreOffice the grid's)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def _repeat_as_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)
    trpr.append(OxmlElement("w:cantSplit"))


def _field_line(document: DocxDocument, label: str, text: str) -> Paragraph:
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{label}：").bold = True
    paragraph.add_run(text)
    return paragraph


def _block(document: DocxDocument, label: str, text: str, empty: str) -> None:
    """A labelled passage of the secretary's notes, each typed line an indented paragraph."""
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{label}：").bold = True
    if not text:
        paragraph.add_run(empty)
    for line in text.splitlines():
        document.add_paragraph(line).paragraph_format.left_indent = Pt(21)


def _titled_document(kind: str, meeting_title: str, page_footer: str) -> DocxDocument:
    """A new document: the kind of document as its title, the meeting's as the subtitle, the
    page numbers in the footer."""
    document = _new_document()
    _page_footer(document, page_footer)
    document.core_properties.title = f"{meeting_title} {kind}"
    document.core_properties.language = LANGUAGE
    document.add_paragraph(kind, style="Title")
    document.add_paragraph(meeting_title, style="Subtitle")
    return document


def _save(document: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- the minutes ---------------------------------------------------------------------------


def minutes_docx(minutes: Minutes) -> bytes:
    """The minutes as a .docx file."""
    t = minutes.texts
    document = _titled_document(t["minutes"], minutes.meeting.title, t["page"])

    m = minutes.meeting
    for label, value in (
        (t["place"], m.place),
        (t["date"], m.held_on_text),
        (t["kind"], m.kind),
        *minutes.people,
    ):
        _field_line(document, label, value)

    _heading(document, t["attendance"], level=1)
    _table(
        document,
        [t["no"], t["name"], t["role"], t["presence"], t["votes_by"]],
        [
            (i, a.name, a.role, a.presence, a.votes_by_label)
            for i, a in enumerate(minutes.attendance, 1)
        ],
    )

    _heading(document, t["quorum"], level=1)
    document.add_paragraph(t["quorum_key"])
    counted = [h for h in minutes.households if h.count is not None]
    if minutes.quorum_summary:  # the same at every ballot: said once
        document.add_paragraph(minutes.quorum_summary)
    else:
        _table(
            document,
            [t["no"], t["head"], t["at_open"], t["at_close"]],
            [
                (h.position, h.head_name, h.count.quorum_at_open.cell, h.count.quorum_at_close.cell)
                for h in counted
            ],
        )

    _heading(document, t["households"], level=1)
    for household in minutes.households:
        _household(document, household, t)

    _heading(document, t["trackers"], level=1)
    for household in counted:
        _trackers(document, household, t)

    _heading(document, t["totals"], level=1)
    totals = minutes.totals
    _table(
        document,
        ["", t["household_count"], t["persons"]],
        [
            (t[key], tally.households, tally.persons)
            for key, tally in (
                ("reviewed", totals.reviewed),
                ("eligible", totals.eligible),
                ("not_eligible", totals.not_eligible),
                ("deferred", totals.deferred),
                ("pending", totals.pending),
            )
        ],
    )

    _heading(document, t["audit"], level=1)
    _field_line(document, t["event_count"], str(minutes.event_count))
    _field_line(document, t["head_hash"], minutes.head_hash or "—")
    document.add_paragraph(t["hash_scope"])
    document.add_paragraph(minutes.produced)
    _field_line(document, t["sign_off"], minutes.sign_off)
    document.add_paragraph(t["times_note"])

    _heading(document, t["amendments"], level=1)
    if minutes.amendments:
        amendments = _table(
            document,
            [t["no"], t["amended_at"], t["amended_by"], t["amendment_text"]],
            [(i, a.moment, a.author, a.text) for i, a in enumerate(minutes.amendments, 1)],
        )
        _column_widths(amendments, AMENDMENT_WIDTHS)
    else:
        document.add_paragraph(t["no_amendments"])

    _heading(document, t["signatures"], level=1)
    signatures = _table(
        document,
        [t["role"], t["name"], t["signature"]],
        [(s.role, s.name, "") for s in minutes.signatures],
    )
    for row in signatures.rows[1:]:
        row.height = Mm(11)
    return _save(document)


def _household(document: DocxDocument, h: HouseholdRecord, t: dict[str, str]) -> None:
    _heading(document, f"{h.position}. {h.head_name}（{t['persons']} {h.persons}）", level=2)
    kind = f"{h.category}；{t['application']}：{h.application_type}"
    if h.address:  # no "住址：" with nothing after it
        kind += f"；{t['address']}：{h.address}"
    # the household's first lines stay with its heading and the start of its findings
    _field_line(document, t["category"], kind).paragraph_format.keep_with_next = True
    investigator = _field_line(document, t["investigator"], h.investigator or "—")
    investigator.paragraph_format.keep_with_next = True
    if h.findings:
        findings = _table(
            document,
            [t["findings"], "", ""],
            [(f.group, f.heading, f.text) for f in h.findings],
        )
        _column_widths(findings, FINDING_WIDTHS)
    _field_line(
        document,
        t["recommendation"],
        f"{h.recommendation or '—'}；{t['proposed_tier']}：{h.proposed_tier or '—'}",
    )
    _block(document, t["statement"], h.statement, "—")
    _block(document, t["questioning"], h.questioning, "—")
    recusals = "；".join(f"{r.member}（{r.reason}）" for r in h.recusals) or t["none"]
    _field_line(document, t["recusals"], recusals)
    if h.corrections:
        _block(
            document,
            t["corrections"],
            "\n".join(f"{line.moment} {line.text}" for line in h.corrections),
            "",
        )
    count = h.count
    if count is None:
        _field_line(document, t["ballot"], f"{t['not_counted']}（{h.phase_label}）")
        return
    _table(
        document,
        [
            t["entitled"],
            t["cast"],
            t["on_phone"],
            t["on_paper"],
            t["eligible"],
            t["not_eligible"],
            t["abstain"],
        ],
        [
            (
                count.entitled,
                count.cast,
                count.on_phone,
                count.on_paper,
                count.eligible,
                count.not_eligible,
                count.abstain,
            )
        ],
    )
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{t['outcome']}：").bold = True
    paragraph.add_run(count.outcome_label).bold = True
    if count.tier is not None:
        paragraph.add_run(f"；{t['tier']}：{count.tier.label}，{count.tier_sum}")
    document.add_paragraph(count.reason)
    document.add_paragraph(count.confirmation)


def _trackers(document: DocxDocument, h: HouseholdRecord, t: dict[str, str]) -> None:
    assert h.count is not None
    _heading(document, f"{h.position}. {h.head_name}", level=2)
    if not h.count.trackers_published:
        document.add_paragraph(t["trackers_unpublished"])
        return
    # the code on its line, the choice and tier under it: no "符合 二/档" broken mid-word
    cells = [f"{x.tracker}\n{' '.join(filter(None, (x.choice, x.tier)))}" for x in h.count.trackers]
    rows = [cells[i : i + TRACKERS_PER_ROW] for i in range(0, len(cells), TRACKERS_PER_ROW)]
    if rows:
        rows[-1] += [""] * (TRACKERS_PER_ROW - len(rows[-1]))
    header = [f"{t['tracker']} · {t['choice']}"] + [""] * (TRACKERS_PER_ROW - 1)
    _table(document, header, rows)
