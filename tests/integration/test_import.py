"""Importing the panel and the households: all rows or nothing, every problem listed."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from meeting.domain.categories import ApplicationType, AssistanceKind, Recommendation
from meeting.domain.findings import FindingHeading
from meeting.domain.roles import Role
from meeting.extensions import db
from meeting.imports.tables import ImportRejected
from meeting.services import setup
from meeting.store.models import Event, Household, HouseholdFinding, PanelMember

from ..conftest import make_meeting

MEMBERS = [
    ["姓名", "角色"],
    ["张秀英", "村民代表"],
    ["王桂兰", "居民代表"],
    ["林卫东", "村干部"],
    ["冯建军", "调查人员"],
    ["韩文静", "主持人"],
    ["曹丽萍", "investigator"],
]
HOUSEHOLDS = [
    [
        "户主姓名",
        "家庭人口",
        "住址或村民小组",
        "救助类别",
        "申请类型",
        "调查人员",
        "调查建议",
        "建议档次",
        "看房产",
        "查隐性收入",
    ],
    [
        "李桂兰",
        "3",
        "东街二组",
        "城镇低保",
        "新申请",
        "冯建军",
        "符合",
        "二档",
        "两间旧平房",
        "未发现",
    ],
    ["赵满仓", "1", "西街一组", "", "续保", "曹丽萍", "不符合", "", "新购商品房", "经营小卖部"],
]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    return "\n".join(",".join(row) for row in rows).encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def counts() -> tuple[int, int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (PanelMember, Household, HouseholdFinding, Event)
    )


def test_a_valid_csv_panel_and_household_list_are_imported(app) -> None:
    meeting = make_meeting()
    assert setup.import_members(meeting.id, "panel.csv", csv_bytes(MEMBERS), "test") == 6
    assert setup.import_households(meeting.id, "households.csv", csv_bytes(HOUSEHOLDS), "test") == 2

    roles = {m.name: m.role for m in meeting.members}
    assert roles == {
        "张秀英": Role.REPRESENTATIVE,
        "王桂兰": Role.REPRESENTATIVE,
        "林卫东": Role.CADRE,
        "冯建军": Role.INVESTIGATOR,
        "韩文静": Role.HOST,
        "曹丽萍": Role.INVESTIGATOR,
    }
    first, second = meeting.households
    assert (first.position, first.head_name, first.persons, first.address) == (
        1,
        "李桂兰",
        3,
        "东街二组",
    )
    assert first.category is AssistanceKind.URBAN_MINIMUM_LIVING
    assert first.investigator.name == "冯建军"
    assert first.recommendation is Recommendation.ELIGIBLE and first.proposed_tier == "B"
    assert first.finding(FindingHeading.HOUSING) == "两间旧平房"
    # a blank category takes the meeting's own
    assert second.category is AssistanceKind.RURAL_MINIMUM_LIVING
    assert second.application_type is ApplicationType.RENEWAL
    assert second.proposed_tier is None
    assert second.finding(FindingHeading.HIDDEN_INCOME) == "经营小卖部"
    # every imported member got a card
    assert all(m.join_token_hash for m in meeting.members)


def test_a_valid_xlsx_with_english_headers_and_numbers_is_imported(app) -> None:
    meeting = make_meeting()
    setup.import_members(
        meeting.id, "panel.xlsx", xlsx_bytes([["Name", "Role"], ["冯建军", "investigator"]]), "t"
    )
    rows = [
        ["Head of household", "Persons", "Investigator", "Proposed tier", "Recommendation"],
        ["周玉梅", 4, "冯建军", "A", "eligible"],  # Excel gives 4, not "4"
    ]
    assert setup.import_households(meeting.id, "h.xlsx", xlsx_bytes(rows), "t") == 1
    household = meeting.households[0]
    assert household.persons == 4 and household.proposed_tier == "A"


def test_a_gbk_csv_as_chinese_excel_saves_it_is_read(app) -> None:
    meeting = make_meeting()
    assert setup.import_members(meeting.id, "panel.csv", csv_bytes(MEMBERS, "gb18030"), "t") == 6
    assert meeting.members[0].name == "张秀英"


BROKEN_MEMBERS = [
    ["姓名", "角色"],
    ["张秀英", "村民代表"],
    ["王桂兰", "村长"],  # row 3: unknown role
    ["张秀英", "村干部"],  # row 4: duplicate name
    ["", "村民代表"],  # row 5: empty name
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_broken_panel_file_is_rejected_whole_with_every_problem(app, fmt) -> None:
    meeting = make_meeting(representatives=1)
    before = counts()
    data = csv_bytes(BROKEN_MEMBERS) if fmt == "csv" else xlsx_bytes(BROKEN_MEMBERS)
    with pytest.raises(ImportRejected) as rejected:
        setup.import_members(meeting.id, f"panel.{fmt}", data, "t")
    db.session.rollback()
    problems = [(p.row, p.column, str(p.message)) for p in rejected.value.problems]
    assert (
        3,
        "角色",
        "Unknown value 村长; use one of: 主持人、村干部、村民代表、监票人、记录员、调查人员.",
    ) in problems
    assert (4, "姓名", "张秀英 appears twice (also row 2).") in problems
    assert (5, "姓名", "This cell must not be empty.") in problems
    assert len(problems) == 3
    assert counts() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_broken_household_file_is_rejected_whole_with_every_problem(app, fmt) -> None:
    meeting = make_meeting(investigators=("冯建军",))
    setup.add_member(meeting.id, "张秀英", Role.REPRESENTATIVE, "t")
    rows = [
        [
            "户主姓名",
            "住址或村民小组",
            "调查人员",
            "建议档次",
            "救助类别",
            "备注",
        ],  # no 家庭人口; 备注 unknown
        ["李桂兰", "东街", "冯建军", "二档", "低保户"],  # row 2: unknown category
        ["李桂兰", "东街", "张秀英", "五档", ""],  # row 3: duplicate, not an investigator, bad tier
    ]
    persons_rows = [
        ["户主姓名", "家庭人口"],
        ["周玉梅", "三"],  # row 2: not a number
        ["吴长林", "0"],  # row 3: not at least 1
        ["钱凤英", ""],  # row 4: required cell empty
    ]
    encode = csv_bytes if fmt == "csv" else xlsx_bytes
    before = counts()
    with pytest.raises(ImportRejected) as first:
        setup.import_households(meeting.id, f"h.{fmt}", encode(rows), "t")
    db.session.rollback()
    with pytest.raises(ImportRejected) as second:
        setup.import_households(meeting.id, f"h.{fmt}", encode(persons_rows), "t")
    db.session.rollback()

    found = {(p.row, p.column, str(p.message)) for p in first.value.problems}
    assert (1, "备注", "Unknown column: 备注.") in found
    assert (1, "家庭人口", "Required column is missing: Persons.") in found
    assert any(p[:2] == (2, "救助类别") and "低保户" in p[2] for p in found)
    assert (3, "户主姓名", "李桂兰 appears twice (also row 2).") in found
    assert (3, "调查人员", "张秀英 is not an investigator on this panel.") in found
    assert any(p[:2] == (3, "建议档次") and "五档" in p[2] for p in found)
    assert len(found) == 6

    found = {(p.row, p.column, str(p.message)) for p in second.value.problems}
    assert found == {
        (2, "家庭人口", "三 is not a whole number from 1 to 99."),
        (3, "家庭人口", "0 is not a whole number from 1 to 99."),
        (4, "家庭人口", "This cell must not be empty."),
    }
    assert counts() == before


def test_a_file_that_is_not_a_spreadsheet_is_rejected(app) -> None:
    meeting = make_meeting()
    for name, data in [("panel.xlsx", b"not a zip"), ("panel.pdf", b"%PDF"), ("panel.csv", b"")]:
        with pytest.raises(ImportRejected) as rejected:
            setup.import_members(meeting.id, name, data, "t")
        assert len(rejected.value.problems) == 1
    assert meeting.members == []


def test_importing_the_same_panel_twice_adds_nobody_the_second_time(app) -> None:
    meeting = make_meeting()
    setup.import_members(meeting.id, "panel.csv", csv_bytes(MEMBERS), "t")
    before = counts()
    with pytest.raises(ImportRejected) as rejected:
        setup.import_members(meeting.id, "panel.csv", csv_bytes(MEMBERS), "t")
    db.session.rollback()
    assert len(rejected.value.problems) == 6
    assert counts() == before


def test_the_import_page_lists_every_problem_in_chinese_and_stores_nothing(staff, app) -> None:
    meeting = make_meeting()
    before = counts()
    response = staff.post(
        f"/staff/meetings/{meeting.id}/import",
        {"what": "members", "file": (io.BytesIO(csv_bytes(BROKEN_MEMBERS)), "panel.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "导入被拒绝：未导入任何数据" in page
    assert "无法识别的内容“村长”" in page
    assert "“张秀英”重复出现（另见第 2 行）" in page
    assert page.count("<tr>") == 1 + 3  # header + three problems
    assert counts() == before


def test_the_import_page_imports_a_valid_file(staff, app) -> None:
    meeting = make_meeting()
    response = staff.post(
        f"/staff/meetings/{meeting.id}/import",
        {"what": "members", "file": (io.BytesIO(xlsx_bytes(MEMBERS)), "panel.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "已导入 6 行" in response.get_data(as_text=True)
    assert len(meeting.members) == 6


@pytest.mark.parametrize("what", ["members", "households"])
def test_the_blank_files_import_back_cleanly(staff, app, what) -> None:
    meeting = make_meeting(investigators=("王建国",))
    for fmt in ("csv", "xlsx"):
        response = staff.get(f"/staff/import-templates/{what}.{fmt}")
        assert response.status_code == 200
        if fmt == "xlsx":
            headers = [c.value for c in next(load_workbook(io.BytesIO(response.data)).active.rows)]
            assert headers[0] in ("姓名", "户主姓名")
    importer = setup.import_members if what == "members" else setup.import_households
    for fmt in ("csv", "xlsx"):
        blank = staff.get(f"/staff/import-templates/{what}.{fmt}").data
        assert importer(meeting.id, f"{what}.{fmt}", blank, "t") == 1  # the example row
        if what == "households":
            setup.remove_household(meeting.id, meeting.households[0].id, "t")
        else:
            setup.remove_member(meeting.id, meeting.members[-1].id, "t")


def test_values_beyond_what_the_form_and_database_hold_are_rejected(app) -> None:
    meeting = make_meeting()
    rows = [
        ["户主姓名", "家庭人口", "身份证号"],
        ["李" * 65, "3", ""],  # name too long
        ["周玉梅", "500", ""],  # more persons than a household has
        ["吴长林", "99999999999999999999", ""],  # would overflow the database integer
        ["钱凤英", "2", "1" * 40],  # ID number too long
    ]
    with pytest.raises(ImportRejected) as rejected:
        setup.import_households(meeting.id, "h.csv", csv_bytes(rows), "t")
    db.session.rollback()
    found = {(p.row, p.column) for p in rejected.value.problems}
    assert found == {(2, "户主姓名"), (3, "家庭人口"), (4, "家庭人口"), (5, "身份证号")}
    assert meeting.households == []


def test_a_damaged_workbook_is_rejected_not_crashed_on(app) -> None:
    import zipfile

    good = xlsx_bytes(MEMBERS)
    damaged = {}
    for target in ("xl/workbook.xml", "xl/worksheets/sheet1.xml"):
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(out, "w") as copy:
            for item in source.infolist():
                data = source.read(item)
                copy.writestr(item, data[: len(data) // 2] if item.filename == target else data)
        damaged[target] = out.getvalue()
    meeting = make_meeting()
    for target, data in damaged.items():
        with pytest.raises(ImportRejected) as rejected:
            setup.import_members(meeting.id, "panel.xlsx", data, "t")
        assert [str(p.message) for p in rejected.value.problems] == [
            "The file is not a readable .xlsx workbook."
        ], target
    assert meeting.members == []


def test_a_utf16_text_file_is_rejected_with_the_encoding_named(app) -> None:
    meeting = make_meeting()
    with pytest.raises(ImportRejected) as rejected:
        setup.import_members(
            meeting.id, "panel.csv", "姓名,角色\n张三,村民代表\n".encode("utf-16"), "t"
        )
    assert "encoding" in str(rejected.value.problems[0].message)
