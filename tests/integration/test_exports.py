"""The minutes (DOCX, PDF, XLSX) and the public notice list of the demo meeting, opened again
and checked against the database; the PDF's first pages kept as PNG in test-artifacts/."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import zoneinfo
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from meeting.cli import main
from meeting.domain.signoff import Signatories
from meeting.exports import dates, export, pdf
from meeting.exports.content import build_minutes
from meeting.extensions import db
from meeting.services import audit, casting, hearings, notes, recusals, seats, setup, signoff
from meeting.services.audit import head_hash
from meeting.services.demo import bot_votes
from meeting.store import ballot_box
from meeting.store.models import Household, Meeting

from ..conftest import STAFF_PASSWORD, StaffClient
from .ballot_helpers import (
    ballot,
    close_if_open,
    open_ballot,
    present_voters,
    seat_panel,
    tracker,
)
from .ballot_helpers import (
    cast as cast_one,
)

# slow: renders the documents (WeasyPrint, pdftoppm); left to the whole suite
pytestmark = pytest.mark.slow

ID_NUMBER = "110101195003071234"
STATEMENT = "家中两人均无固定收入。\n老伴长期患病，每月药费约六百元。"
QUESTIONS = "问：家中是否有车辆？\n答：没有。\n问：子女是否给生活费？\n答：女儿每月给二百元。"
RECUSAL = "申请人的女婿"
AMENDMENTS = (
    "第 2 户户主姓名中“刘”字原记录有误，已按户口簿更正。",
    "第 5 户申请人陈述中的药费应为每月四百元。",
)
#: China Standard Time: no daylight saving since 1991, so UTC+8 the year round
CST = dt.timezone(dt.timedelta(hours=8))

PEOPLE = Signatories("韩文静", "唐志远", ("王桂兰", "张秀英"))


def cast(meeting: Meeting, position: int, members, choices: list[tuple[str, str | None]]):
    for member, (choice, tier) in zip(members, choices, strict=True):
        cast_one(member, position, choice, tier)


def close_and_announce(meeting: Meeting, position: int) -> None:
    close_if_open(meeting, position)
    hearings.announce(meeting.id, position, "host")


@pytest.fixture
def recorded(demo: Meeting) -> Meeting:
    """The demo meeting with four households heard and counted: eligible (with a recusal, a
    paper slip and the secretary's notes), not eligible, deferred, and one by the demo's bots;
    the other 27 not yet heard."""
    meeting = demo
    seat_panel(meeting)  # 15 representatives and 5 cadres present
    voters = present_voters(meeting)
    paper, recused, phones = voters[0], voters[1], voters[2:]
    meeting.households[0].id_number = ID_NUMBER
    db.session.commit()
    casting.mark_paper_voter(meeting.id, paper.id, True, "host")
    recusals.recuse(meeting.id, 1, recused.id, RECUSAL, "host")
    notes.save_notes(meeting.id, 1, "statement_notes", STATEMENT, "secretary")
    notes.save_notes(meeting.id, 1, "questioning_notes", QUESTIONS, "secretary")

    open_ballot(meeting, 1)  # 19 entitled: 20 present, one recused
    cast(
        meeting,
        1,
        phones,
        [("eligible", "B")] * 13 + [("not_eligible", None)] * 3 + [("abstain", None)] * 2,
    )
    casting.receive_paper_slip(meeting.id, 1, paper.id, "scrutineer")
    casting.enter_paper_ballot(meeting.id, 1, ballot("eligible", "B"), tracker(), "scrutineer")
    close_and_announce(meeting, 1)

    open_ballot(meeting, 2)  # 20 entitled, 19 vote on phones
    cast(meeting, 2, [recused, *phones], [("eligible", "C")] * 5 + [("not_eligible", None)] * 14)
    close_and_announce(meeting, 2)

    open_ballot(meeting, 3)  # 9 of 20 is not more than half either way
    choices = [("eligible", "A")] * 9 + [("not_eligible", None)] * 8 + [("abstain", None)] * 2
    cast(meeting, 3, [recused, *phones], choices)
    close_and_announce(meeting, 3)

    # only the first phone stays: the demo's bots vote for members without one
    for member in [recused, *phones[1:]]:
        seats.release_seat(meeting.id, member.id, "host")
    open_ballot(meeting, 4)
    bot_votes(meeting.id, 4, "host")
    close_and_announce(meeting, 4)
    db.session.expire_all()
    return meeting


def counted(meeting: Meeting) -> list[Household]:
    return [h for h in meeting.households if h.hearing.result is not None]


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_word_minutes_record_the_meeting_and_are_set_up_for_chinese(recorded) -> None:
    data = export(recorded, "docx").data
    text = docx_text(data)
    for member in recorded.members:
        assert member.name in text
    for household in recorded.households:
        assert household.head_name in text
    assert STATEMENT.splitlines()[1] in text and "答：女儿每月给二百元。" in text
    assert RECUSAL in text
    assert ID_NUMBER not in text
    assert head_hash(recorded.id) and head_hash(recorded.id) in text
    assert "签署：尚未签署" in text and "无更正。" in text  # not signed off yet
    first, second, third = (h.hearing.result for h in counted(recorded)[:3])
    assert (first.eligible, first.not_eligible, first.abstain, first.on_paper) == (14, 3, 2, 1)
    assert (first.outcome.value, second.outcome.value, third.outcome.value) == (
        "eligible",
        "not_eligible",
        "deferred",
    )
    document = Document(io.BytesIO(data))
    ballot_rows = [
        [c.text for c in t.rows[1].cells] for t in document.tables if len(t.columns) == 7
    ]
    assert ["19", "19", "18", "1", "14", "3", "2"] in ballot_rows  # entitled … abstain
    outcomes = [p.text for p in document.paragraphs if p.runs and p.runs[0].bold]
    assert any("符合" in line and "二档" in line for line in outcomes)
    assert any("不符合" in line for line in outcomes)
    assert any("暂缓" in line for line in outcomes)
    # tier B: 300 yuan a person × the household's persons, both shown
    tier = build_minutes(recorded).households[0].count.tier
    assert (tier.per_person, tier.household_total) == (300, 300 * recorded.households[0].persons)
    assert build_minutes(recorded).households[0].count.tier_sum in text

    # every style in use names an East Asian font outright, and the language is zh-CN
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid", "Footer"):
        fonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) in ("宋体", "黑体"), name
        assert fonts.get(qn("w:eastAsiaTheme")) is None, name
    defaults = document.styles.element.find(qn("w:docDefaults"))
    lang = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:eastAsia")) == "zh-CN"
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    # each table's first row repeats on every page it runs onto
    assert document.tables
    for table in document.tables:
        header = table.rows[0]._tr.trPr.find(qn("w:tblHeader"))
        assert header is not None and header.get(qn("w:val")) == "true"
    footer = section.footer.paragraphs[0]._p.xml
    assert " PAGE " in footer and " NUMPAGES " in footer


def test_the_workbook_has_a_row_per_household_with_the_figures_of_the_database(
    recorded,
) -> None:
    book = load_workbook(io.BytesIO(export(recorded, "xlsx").data))
    households, attendance, trackers = book.worksheets[:3]
    rows = list(households.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 31
    header = [c.value for c in households[1]]
    column = {title: index for index, title in enumerate(header)}
    by_position = {h.position: h for h in recorded.households}
    texts = recorded_texts()
    for row in rows:
        household = by_position[row[0]]
        assert row[1] == household.head_name and row[2] == household.persons
        result = household.hearing.result
        if result is None:
            assert row[column[texts["cast"]]] is None
            continue
        assert row[column[texts["entitled"]]] == result.entitled
        assert row[column[texts["cast"]]] == result.cast
        assert row[column[texts["on_paper"]]] == result.on_paper
        assert row[column[texts["eligible"]]] == result.eligible
        assert row[column[texts["not_eligible"]]] == result.not_eligible
        assert row[column[texts["abstain"]]] == result.abstain
        assert row[column[texts["outcome"]]] in ("符合", "不符合", "暂缓")
        if result.tier_code:
            amount = {"A": 420, "B": 300, "C": 180}[result.tier_code]
            assert row[column[texts["per_person"]]] == amount
            assert row[column[texts["household_total"]]] == amount * household.persons
    assert attendance.max_row == len(recorded.members) + 1
    published = sum(
        len(ballot_box.published_trackers(db.session, h.hearing.id))
        for h in counted(recorded)
        if h.hearing.result.trackers_published
    )
    assert published >= 19 * 3 and trackers.max_row == published + 1


def recorded_texts() -> dict[str, str]:
    from flask_babel import force_locale

    from meeting.exports.document_texts import all_texts as _texts

    with force_locale("zh"):
        return _texts()


@pytest.mark.slow  # renders PDF pages: left to the full run
def test_the_pdf_minutes_carry_the_chinese_text_and_figures_with_the_font_embedded(
    recorded, tmp_path: Path, artifacts: Path
) -> None:
    document = export(recorded, "pdf")
    path = tmp_path / document.filename
    path.write_bytes(document.data)
    text = pdf_text(path)
    assert recorded.title in text and recorded.households[0].head_name in text
    assert "符合" in text and "不符合" in text and "暂缓" in text
    assert "二百元" in text and RECUSAL in text
    assert head_hash(recorded.id) in text.replace("\n", "").replace(" ", "")
    # a quorum the same at every ballot is said once, not in a row per household
    opened = counted(recorded)[0].hearing.result.quorum_at_open
    cell = f"{opened['representatives']} / {opened['cadres']}："
    assert len(counted(recorded)) > 2 and text.replace(" ", "").count(cell.replace(" ", "")) <= 2
    assert ID_NUMBER not in text
    assert re.search(r"第\s*1\s*页.{0,3}共\s*\d+\s*页", text)  # the page footer
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "CJK" in fonts
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # embedded
    for old in artifacts.glob("exports-minutes-*.png"):
        old.unlink()
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "3",
            "-png",
            str(path),
            str(artifacts / "exports-minutes"),
        ],
        check=True,
    )
    assert len(list(artifacts.glob("exports-minutes-*.png"))) == 3


def test_the_notice_lists_results_and_amounts_and_nothing_private(
    recorded, tmp_path: Path, artifacts: Path
) -> None:
    setup.update_meeting(
        recorded.id,
        setup.MeetingDetails(
            title=recorded.title,
            place=recorded.place,
            held_on=recorded.held_on,
            kind=recorded.kind,
            notice_issuer="城关镇东湖村村民委员会",
            notice_contact="镇民政办监督电话：0931-8123456",
        ),
        "clerk",
    )
    db.session.expire_all()
    text = docx_text(export(recorded, "notice").data)
    document = export(recorded, "notice-pdf")
    path = tmp_path / document.filename
    path.write_bytes(document.data)
    printed = pdf_text(path)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "60",
            "-l",
            "1",
            "-png",
            "-singlefile",
            str(path),
            str(artifacts / "exports-notice"),
        ],
        check=True,
    )
    settings = recorded_settings()
    for shown in (text, printed):
        assert ID_NUMBER not in shown
        assert RECUSAL not in shown and "二百元" not in shown  # no notes or recusals
        for household in counted(recorded):
            assert household.head_name in shown
        assert recorded.households[10].head_name not in shown  # not heard yet
        assert "不符合" in shown and "暂缓" in shown
        assert str(settings.period_days) in shown
        assert settings.object_to[:12] in shown.replace("\n", "")
        # posted by the committee, over its seal, with the meeting's own hotline
        assert "城关镇东湖村村民委员会" in shown and "（盖章）" in shown
        assert "0931-8123456" in shown and "0000-0000000" not in shown
        assert "民主评议小组" not in shown
    first = recorded.households[0]
    assert "300" in text and str(300 * first.persons) in text


def recorded_settings():
    from flask import current_app

    return current_app.extensions["meeting.settings"].notice


def test_without_a_chinese_font_the_pdf_is_refused_naming_the_package(
    recorded, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf, "_installed_chinese_families", lambda: ())
    with pytest.raises(pdf.FontMissing, match="fonts-noto-cjk"):
        export(recorded, "pdf")
    with pytest.raises(pdf.FontMissing, match="fonts-noto-cjk"):
        export(recorded, "notice-pdf")
    assert export(recorded, "docx").data  # Word needs no font here


def test_the_command_line_writes_the_file_and_prints_its_path(
    app, recorded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEETING_INSTANCE", app.instance_path)
    runner = CliRunner()
    target = tmp_path / "会议记录.xlsx"
    result = runner.invoke(
        main, ["export", str(recorded.id), "--format", "xlsx", "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(target.resolve())
    assert load_workbook(target).worksheets[0].max_row == 32
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["export", str(recorded.id), "--format", "notice"])
    assert result.exit_code == 0, result.output
    assert Path(result.output.strip()).name.endswith("-公示名单.docx")
    monkeypatch.setattr(pdf, "_installed_chinese_families", lambda: ())
    result = runner.invoke(main, ["export", str(recorded.id), "--format", "pdf"])
    assert result.exit_code == 1 and "fonts-noto-cjk" in result.output
    result = runner.invoke(main, ["export", "999", "--format", "docx"])
    assert result.exit_code == 1 and "no meeting 999" in result.output


def test_signed_in_staff_download_the_documents_linked_from_the_secretary_screen(
    app, recorded
) -> None:
    anonymous = app.test_client()
    url = f"/staff/meetings/{recorded.id}/export/docx"
    assert anonymous.get(url).status_code == 302  # to the sign-in page
    staff = StaffClient(app.test_client())
    response = staff.post("/login", {"username": "clerk", "password": STAFF_PASSWORD})
    assert response.status_code == 302
    page = staff.get(f"/secretary/{recorded.id}").get_data(as_text=True)
    for fmt in ("docx", "pdf", "xlsx", "notice", "notice-pdf"):
        assert f"/staff/meetings/{recorded.id}/export/{fmt}" in page
    for fmt, mimetype in (("docx", "wordprocessingml"), ("xlsx", "spreadsheetml")):
        response = staff.get(f"/staff/meetings/{recorded.id}/export/{fmt}")
        assert response.status_code == 200 and mimetype in response.mimetype
        disposition = response.headers["Content-Disposition"]
        assert "attachment" in disposition
        # saved under the meeting's title, date and what it is, in Chinese
        name = f"{recorded.title}-{recorded.held_on.isoformat()}-会议记录.{fmt}"
        assert f"filename*=UTF-8''{quote(name)}" in disposition, disposition
        assert response.headers["Cache-Control"] == "no-store"
    assert staff.get(f"/staff/meetings/{recorded.id}/export/odt").status_code == 404


# --- sign-off and amendments ---------------------------------------------------------------


@pytest.fixture
def signed(recorded) -> Meeting:
    """The demo meeting heard to the end, signed off by the secretary and amended twice."""
    meeting = recorded
    for household in meeting.households:
        if household.hearing.result is None:
            open_ballot(meeting, household.position)
            bot_votes(meeting.id, household.position, "host")
            close_and_announce(meeting, household.position)
    signoff.finalise(meeting.id, "secretary", PEOPLE)
    for text in AMENDMENTS:
        signoff.amend(meeting.id, text, "secretary")
    db.session.expire_all()
    return meeting


def in_cst(moment: dt.datetime) -> str:
    """How the documents must print a stored moment (naive ones are UTC): CST, to the minute."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(CST).strftime("%Y-%m-%d %H:%M")


def squeezed(text: str) -> str:
    """Without whitespace: pdftotext's layout spaces and a table cell's line breaks."""
    return re.sub(r"\s+", "", text)


def check_signed_minutes(meeting: Meeting, text: str) -> None:
    """The sign-off line, the amendments in order with their CST times, the head hash at
    export time and its caption, in the text of one of the documents."""
    text = squeezed(text)
    signed_at = in_cst(meeting.finalised_at)
    names = "、".join([PEOPLE.host, PEOPLE.secretary, *PEOPLE.scrutineers])
    assert squeezed(f"会议记录已于 {signed_at} 由 {names} 签署") in text
    assert "尚未签署" not in text and "无更正" not in text
    assert "更正记录" in text and "更正人" in text
    events = signoff.amendments(meeting.id)
    assert [e.data["text"] for e in events] == list(AMENDMENTS)
    positions = []
    for event, wording in zip(events, AMENDMENTS, strict=True):
        line = squeezed(f"{in_cst(event.at)}secretary{wording}")
        assert line in text
        positions.append(text.index(line))
    assert positions == sorted(positions)  # in the order they were made
    # the chain's head when the file was made: the last amendment, not the signed hash
    assert head_hash(meeting.id) == audit.events_of(meeting.id)[-1].hash in text
    assert "该哈希值涵盖截至本次导出时会议事件日志中的全部记录。" in text
    assert "北京时间" in text
    produced = re.search(r"生成于(\d{4}-\d\d-\d\d)(\d\d:\d\d)", text)
    assert produced, "the export time"
    moment = dt.datetime.fromisoformat(f"{produced[1]} {produced[2]}").replace(tzinfo=CST)
    assert abs(moment - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)


@pytest.mark.slow  # renders PDF pages: left to the full run
def test_the_signed_minutes_show_the_sign_off_and_every_amendment_in_china_time(
    signed, tmp_path: Path
) -> None:
    assert signed.finalised_at is not None
    # Word: the sign-off in the audit section, the amendments after it, before the signatures
    data = export(signed, "docx").data
    check_signed_minutes(signed, docx_text(data))
    document = Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[-4:] == ["合计", "操作记录", "更正记录", "签名"]
    table = next(
        t
        for t in document.tables
        if t.rows[0].cells[0].text == "序号" and t.rows[0].cells[-1].text == "更正内容"
    )
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [row[3] for row in rows] == list(AMENDMENTS)
    assert [row[1] for row in rows] == [in_cst(e.at) for e in signoff.amendments(signed.id)]

    # the workbook: the sign-off on a sheet of its own, the amendments on the next
    book = load_workbook(io.BytesIO(export(signed, "xlsx").data))
    cells = []
    for sheet in book.worksheets[3:]:
        cells.append(sheet.title)
        cells += [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v]
    check_signed_minutes(signed, "\n".join(cells))
    amendments = book["更正记录"]
    rows = list(amendments.iter_rows(min_row=2, values_only=True))
    assert [row[3] for row in rows] == list(AMENDMENTS)
    assert [row[1] for row in rows] == [in_cst(e.at) for e in signoff.amendments(signed.id)]

    # the PDF, through pdftotext
    document = export(signed, "pdf")
    path = tmp_path / document.filename
    path.write_bytes(document.data)
    printed = pdf_text(path)
    check_signed_minutes(signed, printed)
    flat = squeezed(printed)
    assert flat.index("更正记录") < flat.rindex("签名")


def test_times_are_written_in_china_standard_time_with_or_without_the_tz_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    moment = dt.datetime(2026, 11, 23, 6, 5, tzinfo=dt.UTC)
    assert dates.china_time(moment) == "2026-11-23 14:05"
    assert dates.china_time(moment.replace(tzinfo=None)) == "2026-11-23 14:05"  # SQLite
    assert dates.china_time(dt.datetime(2026, 11, 23, 20, 30, tzinfo=dt.UTC)) == (
        "2026-11-24 04:30"
    )

    def missing(key: str) -> zoneinfo.ZoneInfo:
        raise zoneinfo.ZoneInfoNotFoundError(key)

    monkeypatch.setattr(dates, "ZoneInfo", missing)
    zone = dates._china_zone()
    assert zone.utcoffset(None) == dt.timedelta(hours=8)
    monkeypatch.setattr(dates, "CHINA_TIME", zone)
    assert dates.china_time(moment) == "2026-11-23 14:05"
