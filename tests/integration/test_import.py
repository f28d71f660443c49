"""Importing the panel and the households: all rows or nothing, every problem listed."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from flask_migrate import upgrade
from openpyxl import load_workbook
from sqlalchemy import func, select

from meeting import create_app
from meeting.domain.categories import ApplicationType, AssistanceKind, Recommendation
from meeting.domain.findings import FindingHeading
from meeting.domain.phases import Phase
from meeting.domain.roles import Role
from meeting.extensions import db
from meeting.imports.blank_files import spreadsheet
from meeting.imports.tables import ImportRejected, read_table
from meeting.services import audit, setup
from meeting.services.cards import join_token, member_for_token
from meeting.settings import current_settings
from meeting.store.models import Event, Hearing, Household, HouseholdFinding, PanelMember

from ..conftest import REPO, make_meeting
from .test_migrations import postgres_url  # noqa: F401  (a fixture)

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
    return spreadsheet(rows, "xlsx")


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
            "家庭收入",
        ],  # no 家庭人口; 家庭收入 unknown
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
    assert (1, "家庭收入", "Unknown column: 家庭收入.") in found
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
def test_the_blank_files_import_back_once_their_example_is_replaced(staff, app, what) -> None:
    meeting = make_meeting(investigators=("王建国",))
    for fmt in ("csv", "xlsx"):
        response = staff.get(f"/staff/import-templates/{what}.{fmt}")
        assert response.status_code == 200
        if fmt == "csv":  # one charset, said once
            assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        name = "评议小组成员" if what == "members" else "申请户"
        assert quote(f"{name}.{fmt}") in response.headers["Content-Disposition"]
        if fmt == "xlsx":
            headers = [c.value for c in next(load_workbook(io.BytesIO(response.data)).active.rows)]
            assert headers[0] in ("姓名", "户主姓名")
    importer = setup.import_members if what == "members" else setup.import_households
    for fmt in ("csv", "xlsx"):
        blank = staff.get(f"/staff/import-templates/{what}.{fmt}").data
        before = counts()
        # the example person left in is refused, by its row, never imported as a real one
        with pytest.raises(ImportRejected) as rejected:
            importer(meeting.id, f"{what}.{fmt}", blank, "t")
        db.session.rollback()
        [problem] = rejected.value.problems
        assert problem.row == 2 and "blank file's example" in str(problem.message)
        assert counts() == before
        # filled in with a real person, the same file imports
        example = "张秀英（示例）" if what == "members" else "李桂兰（示例）"
        table = read_table(f"{what}.{fmt}", blank)
        real = [table.headers, [c.replace(example, "周玉梅") for c in table.rows[0][1]]]
        assert importer(meeting.id, f"{what}.csv", csv_bytes(real), "t") == 1
        if what == "households":
            setup.remove_household(meeting.id, meeting.households[0].id, "t")
        else:
            setup.remove_member(meeting.id, meeting.members[-1].id, "t")


def test_a_clerks_own_columns_and_words_are_understood(app) -> None:
    meeting = make_meeting()
    rows = [
        ["序号", "姓名", "角色", "联系电话", "备注"],
        ["1", "王桂兰", "村民代表", "13800000000", ""],
        ["2", "赵德明", "村支书", "13900000000", "兼任"],
        ["3", "钱秀英", "村委委员", "", ""],
    ]
    assert setup.import_members(meeting.id, "p.csv", csv_bytes(rows), "t") == 3
    db.session.expire_all()
    roles = {m.name: m.role for m in meeting.members}
    assert roles == {"王桂兰": Role.REPRESENTATIVE, "赵德明": Role.CADRE, "钱秀英": Role.CADRE}
    # a column the import does not know is still refused (a misspelt needed column)
    with pytest.raises(ImportRejected) as rejected:
        setup.import_members(
            meeting.id, "p.csv", csv_bytes([["姓名", "角 色x"], ["孙", "代表"]]), "t"
        )
    db.session.rollback()
    assert any("Unknown column" in str(p.message) for p in rejected.value.problems)


def test_an_xls_workbook_as_older_office_software_saves_it_is_imported(app) -> None:
    """tests/fixtures/panel.xls: the old binary Excel format (BIFF8, as Excel 97-2003 and WPS
    save it), written once with the xlwt library. Its rows: 序号, 姓名, 角色;
    1, 王桂兰, 村民代表; 2, 赵德明, 村支书."""
    meeting = make_meeting()
    data = (REPO / "tests" / "fixtures" / "panel.xls").read_bytes()
    assert data[:4] == bytes.fromhex("d0cf11e0")  # not an .xlsx (a zip) in disguise
    assert setup.import_members(meeting.id, "成员.XLS", data, "t") == 2
    db.session.expire_all()
    assert [(m.name, m.role) for m in meeting.members] == [
        ("王桂兰", Role.REPRESENTATIVE),
        ("赵德明", Role.CADRE),
    ]
    with pytest.raises(ImportRejected) as rejected:
        setup.import_members(meeting.id, "broken.xls", b"not a workbook", "t")
    db.session.rollback()
    assert "not a readable .xls" in str(rejected.value.problems[0].message)


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


def row_limit() -> int:
    return current_settings().server.import_row_limit


def many_members(count: int) -> list[list[str]]:
    return [["姓名", "角色"]] + [[f"代表{i:05d}", "村民代表"] for i in range(count)]


def many_households(count: int) -> list[list[str]]:
    return [["户主姓名", "家庭人口", "住址或村民小组", "调查人员", "看房产"]] + [
        [f"户主{i:05d}", str(1 + i % 5), f"{i % 9 + 1}组", "冯建军", f"平房{i}间"]
        for i in range(count)
    ]


@pytest.mark.parametrize("what", ["members", "households"])
def test_a_file_over_the_row_limit_is_refused_whole_with_both_numbers(app, what) -> None:
    meeting = make_meeting(investigators=("冯建军",))
    limit = row_limit()
    rows = many_members(limit + 1) if what == "members" else many_households(limit + 1)
    importer = setup.import_members if what == "members" else setup.import_households
    before = counts()
    with pytest.raises(ImportRejected) as rejected:
        importer(meeting.id, f"{what}.xlsx", xlsx_bytes(rows), "t")
    db.session.rollback()
    assert [(p.row, p.column, str(p.message)) for p in rejected.value.problems] == [
        (None, None, f"The file has {limit + 1} rows; at most {limit} can be imported at once.")
    ]
    assert counts() == before


def test_a_file_of_exactly_the_row_limit_is_imported(app) -> None:
    meeting = make_meeting()
    limit = row_limit()
    assert setup.import_members(meeting.id, "p.csv", csv_bytes(many_members(limit)), "t") == limit
    assert len(meeting.members) == limit


def test_the_import_page_says_how_many_rows_the_file_has_and_how_many_fit(staff, app) -> None:
    meeting = make_meeting()
    limit = row_limit()
    before = counts()
    response = staff.post(
        f"/staff/meetings/{meeting.id}/import?lang=en",
        {"what": "members", "file": (io.BytesIO(csv_bytes(many_members(limit + 5))), "p.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"The file has {limit + 5} rows; at most {limit} can be imported at once." in page
    assert counts() == before


def test_one_malformed_row_among_many_stores_nothing_and_is_named(app) -> None:
    meeting = make_meeting(investigators=("冯建军",))
    limit = row_limit()
    members = many_members(limit)
    members[limit - 300][1] = "村长"  # spreadsheet row limit - 299: an unknown role
    households = many_households(limit)
    households[17][1] = "十"  # row 18: persons not a number
    households[limit][0] = households[5][0]  # the last row repeats row 6's household
    households[limit][2] = households[5][2]
    before = counts()
    with pytest.raises(ImportRejected) as members_rejected:
        setup.import_members(meeting.id, "p.csv", csv_bytes(members), "t")
    db.session.rollback()
    with pytest.raises(ImportRejected) as households_rejected:
        setup.import_households(meeting.id, "h.xlsx", xlsx_bytes(households), "t")
    db.session.rollback()
    assert [(p.row, p.column) for p in members_rejected.value.problems] == [(limit - 299, "角色")]
    assert {(p.row, p.column, str(p.message)) for p in households_rejected.value.problems} == {
        (18, "家庭人口", "十 is not a whole number from 1 to 99."),
        (limit + 1, "户主姓名", f"{households[5][0]} appears twice (also row 6)."),
    }
    assert counts() == before


def test_many_rows_are_stored_after_the_existing_ones_with_cards_hearings_and_one_event(
    app,
) -> None:
    import_many_and_check()


@pytest.mark.postgres
@pytest.mark.slow
def test_many_rows_are_stored_in_order_on_postgresql(postgres_url, tmp_path) -> None:  # noqa: F811
    app = create_app({"server": {"database_url": postgres_url}}, instance_path=str(tmp_path))
    with app.app_context():
        try:
            upgrade()
            import_many_and_check()
        finally:
            db.session.remove()
            db.engine.dispose()


def import_many_and_check(rows: int = 1200) -> None:
    """Import ``rows`` members and households (more than one batch of a multi-row INSERT,
    1,000 rows) into a meeting that has some already, and check that every row landed in
    the file's order, whole."""
    meeting = make_meeting(representatives=2, investigators=("冯建军",))
    setup.add_household(meeting.id, setup.HouseholdDetails("李桂兰", 3), "t")
    count = min(rows, row_limit())
    member_file, household_file = many_members(count), many_households(count)
    first_members, first_households = len(meeting.members), len(meeting.households)
    version, layout = meeting.version, meeting.layout_version
    events = len(audit.events_of(meeting.id))

    assert setup.import_members(meeting.id, "p.csv", csv_bytes(member_file), "t") == count
    assert setup.import_households(meeting.id, "h.csv", csv_bytes(household_file), "t") == count

    db.session.expire_all()
    members, households = meeting.members, meeting.households
    assert [m.position for m in members] == list(range(1, first_members + count + 1))
    assert [h.position for h in households] == list(range(1, first_households + count + 1))
    imported = members[first_members:]
    assert [(m.name, m.role) for m in imported] == [
        (name, Role.REPRESENTATIVE) for name, _ in member_file[1:]
    ]
    # every imported card opens its own seat, as a card of a member added by hand does
    assert all(member_for_token(join_token(m)) == m for m in (imported[0], imported[-1]))
    assert len({m.join_token_hash for m in members}) == len(members)
    investigator = next(m for m in members if m.role is Role.INVESTIGATOR)
    assert [
        (h.head_name, h.persons, h.address, h.investigator_id, h.category)
        for h in households[first_households:]
    ] == [
        (head, int(persons), address, investigator.id, meeting.kind)
        for head, persons, address, _, _ in household_file[1:]
    ]
    housing = db.session.execute(
        select(Household.head_name, HouseholdFinding.heading, HouseholdFinding.text)
        .join(HouseholdFinding)
        .where(Household.meeting_id == meeting.id)
    )
    assert sorted(housing) == sorted(
        (head, FindingHeading.HOUSING, text) for head, _, _, _, text in household_file[1:]
    )
    pending = select(func.count()).select_from(Hearing).join(Household)
    assert db.session.scalar(
        pending.where(Household.meeting_id == meeting.id, Hearing.phase == Phase.PENDING)
    ) == len(households)
    # one event per import, as before; screens rebuild the agenda once per import
    logged = audit.events_of(meeting.id)[events:]
    assert [(e.kind, e.data["count"]) for e in logged] == [
        ("members.imported", count),
        ("households.imported", count),
    ]
    assert (meeting.version, meeting.layout_version) == (version + 2, layout + 2)


def test_a_nul_character_in_a_cell_is_named_and_nothing_is_stored(app) -> None:
    meeting = make_meeting()  # (an .xlsx cannot hold one: the format forbids it)
    rows = [["姓名", "角色"], ["王桂兰", "村民代表"], ["李\x00四", "村民代表"]]
    before = counts()
    with pytest.raises(ImportRejected) as rejected:
        setup.import_members(meeting.id, "p.csv", csv_bytes(rows), "t")
    db.session.rollback()
    assert [(p.row, str(p.message)) for p in rejected.value.problems] == [
        (3, "This row contains a NUL character, which cannot be stored.")
    ]
    assert counts() == before
