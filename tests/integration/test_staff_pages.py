"""The staff pages: sign-in, meetings, members and households by form."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from meeting.domain.findings import FindingHeading
from meeting.domain.roles import Role
from meeting.extensions import db
from meeting.services import setup
from meeting.store.models import Event, Household, Meeting

from ..conftest import STAFF_PASSWORD, StaffClient, make_meeting

# slow: walks every setup page, imports included; left to the whole suite
pytestmark = pytest.mark.slow


def test_staff_pages_need_a_sign_in(client) -> None:
    response = client.get("/staff/meetings")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert client.get(response.location).status_code == 200


def test_a_wrong_password_is_refused_in_chinese(app, client) -> None:
    from meeting.services.staff import create_staff

    create_staff("clerk", STAFF_PASSWORD)
    browser = StaffClient(client)
    response = browser.post("/login", {"username": "clerk", "password": "wrong password"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/staff/meetings").status_code == 302


def test_sign_in_never_redirects_to_another_site(app, client) -> None:
    from meeting.services.staff import create_staff

    create_staff("clerk", STAFF_PASSWORD)
    browser = StaffClient(client)
    for target in (
        "//evil.example/steal",
        "/\t/evil.example",
        "/%09/evil.example",
        "/%0A/evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
    ):
        response = browser.post(
            "/login?next=" + target, {"username": "clerk", "password": STAFF_PASSWORD}
        )
        assert response.location == "/staff/meetings", target
    response = browser.post(
        "/login?next=/staff/meetings/7", {"username": "clerk", "password": STAFF_PASSWORD}
    )
    assert response.location == "/staff/meetings/7"


def test_a_meeting_is_created_by_form(staff) -> None:
    response = staff.post(
        "/staff/meetings/new",
        {
            "title": "西岭村农村低保评议会",
            "place": "西岭村村委会",
            "held_on": "2026-04-28",
            "kind": "rural_dibao",
        },
    )
    assert response.status_code == 302
    meeting = db.session.scalar(select(Meeting))
    assert meeting.title == "西岭村农村低保评议会" and meeting.held_on.isoformat() == "2026-04-28"
    page = staff.get(response.location).get_data(as_text=True)
    assert "西岭村农村低保评议会" in page and "农村低保" in page


def test_a_post_without_the_csrf_token_changes_nothing(staff) -> None:
    response = staff.client.post(
        "/staff/meetings/new",
        data={"title": "x", "place": "y", "held_on": "2026-04-28", "kind": "rural_dibao"},
    )
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_members_are_added_and_a_duplicate_name_is_refused(staff) -> None:
    meeting = make_meeting()
    url = f"/staff/meetings/{meeting.id}/members/new"
    assert staff.post(url, {"name": "张秀英", "role": "representative"}).status_code == 302
    response = staff.post(url, {"name": "张秀英", "role": "cadre"})
    assert "“张秀英”已在评议小组名单中" in response.get_data(as_text=True)
    assert [(m.name, m.role) for m in meeting.members] == [("张秀英", Role.REPRESENTATIVE)]


def test_a_household_with_findings_is_added_and_edited(staff) -> None:
    meeting = make_meeting(investigators=("冯建军",))
    investigator = meeting.members[0]
    form = {
        "head_name": "李桂兰",
        "persons": "3",
        "address": "东街二组",
        "category": "rural_dibao",
        "application_type": "new",
        "investigator": str(investigator.id),
        "recommendation": "eligible",
        "proposed_tier": "B",
        "finding_look_housing": "两间旧平房",
        "finding_check_hidden_income": "未发现隐性收入",
    }
    response = staff.post(f"/staff/meetings/{meeting.id}/households/new", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    household = db.session.scalar(select(Household))
    assert household.investigator_id == investigator.id
    assert household.finding(FindingHeading.HOUSING) == "两间旧平房"

    page = staff.get(f"/staff/meetings/{meeting.id}/households/{household.id}").get_data(
        as_text=True
    )
    assert "两间旧平房" in page and "看房产" not in page and "房产" in page and "四看" in page

    form.update(persons="4", finding_look_housing="")
    response = staff.post(f"/staff/meetings/{meeting.id}/households/{household.id}", form)
    assert response.status_code == 302
    db.session.refresh(household)
    assert household.persons == 4 and household.finding(FindingHeading.HOUSING) == ""


def test_a_household_with_zero_persons_is_refused_by_the_form(staff) -> None:
    meeting = make_meeting()
    response = staff.post(
        f"/staff/meetings/{meeting.id}/households/new",
        {
            "head_name": "李桂兰",
            "persons": "0",
            "category": "rural_dibao",
            "application_type": "new",
        },
    )
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Household)) == 0


def test_another_meetings_member_cannot_be_edited_through_this_meeting(staff) -> None:
    first = make_meeting(representatives=1)
    second = make_meeting(title="另一个会议")
    url = f"/staff/meetings/{second.id}/members/{first.members[0].id}"
    assert staff.get(url).status_code == 404


def test_every_change_is_logged_and_bumps_the_meeting_version(staff) -> None:
    meeting = make_meeting()
    version = meeting.version
    setup.add_member(meeting.id, "张秀英", Role.REPRESENTATIVE, "clerk")
    assert meeting.version == version + 1
    kinds = db.session.scalars(
        select(Event.kind).where(Event.meeting_id == meeting.id).order_by(Event.seq)
    ).all()
    assert kinds == ["meeting.created", "member.added"]


def test_the_interface_switches_to_english_and_remembers_it(staff) -> None:
    meeting = make_meeting()
    url = f"/staff/meetings/{meeting.id}"
    page = staff.get(url).get_data(as_text=True)
    assert "评议小组成员" in page and f'href="/lang/en?next={url}"' in page.replace("%2F", "/")
    switched = staff.get(f"/lang/en?next={url}")
    assert switched.status_code == 302 and switched.location == url
    page = staff.get(url).get_data(as_text=True)
    assert "Panel members" in page and "评议小组成员" not in page
    staff.get(f"/lang/zh?next={url}")
    assert "评议小组成员" in staff.get(url).get_data(as_text=True)
    # a single page can still be asked for in a language (the projector, a phone)
    assert "Panel members" in staff.get(url + "?lang=en").get_data(as_text=True)


def test_switching_language_after_a_post_returns_to_a_page_that_exists(staff) -> None:
    meeting = make_meeting()
    response = staff.post(
        f"/staff/meetings/{meeting.id}/import",
        {"what": "members", "file": (io.BytesIO(b"x,y\n"), "panel.csv")},
        content_type="multipart/form-data",
    )
    link = re.search(r'href="(/lang/en[^"]*)"', response.get_data(as_text=True)).group(1)
    assert staff.get(link.replace("&amp;", "&")).location == "/staff/meetings"


def test_a_member_removed_before_the_meeting_loses_their_card(staff) -> None:
    from meeting.services.cards import join_token, member_for_token

    meeting = make_meeting(representatives=2, investigators=("冯建军",))
    member, investigator = meeting.members[0], meeting.members[2]
    token = join_token(member)
    household_id = setup.add_household(
        meeting.id,
        setup.HouseholdDetails(head_name="李桂兰", persons=2, investigator_id=investigator.id),
        "t",
    )
    page = staff.get(f"/staff/meetings/{meeting.id}/members/{member.id}").get_data(as_text=True)
    assert "移除" in page
    url = f"/staff/meetings/{meeting.id}/members/{member.id}/delete"
    assert staff.post(url).status_code == 302
    assert member_for_token(token) is None
    assert [m.name for m in meeting.members] == ["代表02", "冯建军"]
    # removing the investigator keeps the household, without an investigator
    staff.post(f"/staff/meetings/{meeting.id}/members/{investigator.id}/delete")
    db.session.expire_all()
    assert db.session.get(Household, household_id).investigator_id is None


def test_removing_a_household_moves_the_later_ones_up(staff) -> None:
    meeting = make_meeting()
    for head in ("甲", "乙", "丙", "丁"):
        setup.add_household(meeting.id, setup.HouseholdDetails(head_name=head, persons=1), "t")
    second = meeting.households[1]
    response = staff.post(f"/staff/meetings/{meeting.id}/households/{second.id}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert [(h.position, h.head_name) for h in meeting.households] == [
        (1, "甲"),
        (2, "丙"),
        (3, "丁"),
    ]


def test_nothing_is_removed_once_the_meeting_has_started(staff) -> None:
    from meeting.store.models import MeetingStatus

    meeting = make_meeting(representatives=1)
    meeting.status = MeetingStatus.IN_SESSION
    db.session.commit()
    member = meeting.members[0]
    response = staff.post(
        f"/staff/meetings/{meeting.id}/members/{member.id}/delete", follow_redirects=True
    )
    assert "会议开始后不能再移除成员或申请户" in response.get_data(as_text=True)
    assert meeting.members == [member]


def test_an_investigator_named_on_households_keeps_their_role(staff) -> None:
    meeting = make_meeting(investigators=("冯建军",))
    investigator = meeting.members[0]
    setup.add_household(
        meeting.id,
        setup.HouseholdDetails(head_name="李桂兰", persons=2, investigator_id=investigator.id),
        "t",
    )
    response = staff.post(
        f"/staff/meetings/{meeting.id}/members/{investigator.id}",
        {"name": "冯建军", "role": "representative"},
    )
    assert "是 1 户的调查人员" in response.get_data(as_text=True)
    db.session.refresh(investigator)
    assert investigator.role is Role.INVESTIGATOR


def test_the_same_household_cannot_be_entered_twice_by_form(staff) -> None:
    meeting = make_meeting()
    form = {
        "head_name": "李桂兰",
        "persons": "2",
        "address": "东街",
        "category": "rural_dibao",
        "application_type": "new",
    }
    url = f"/staff/meetings/{meeting.id}/households/new"
    assert staff.post(url, form).status_code == 302
    response = staff.post(url, form)
    assert "“李桂兰”已在本次会议中" in response.get_data(as_text=True)
    assert len(meeting.households) == 1


def test_a_confirmation_shows_names_with_quotes_as_typed(staff) -> None:
    meeting = make_meeting()
    member_id = setup.add_member(meeting.id, "O'Neil & 张", Role.REPRESENTATIVE, "t")
    page = staff.get(f"/staff/meetings/{meeting.id}/members/{member_id}").get_data(as_text=True)
    # escaped once for the HTML attribute; the browser hands confirm() the name as typed
    assert 'data-confirm="确定把“O&#39;Neil &amp; 张”移出评议小组吗？其入会卡将失效。"' in page


def test_concurrent_changes_to_one_meeting_each_get_their_own_event_number(app) -> None:
    import threading

    meeting = make_meeting()
    meeting_id = meeting.id
    errors: list[Exception] = []

    def add(i: int) -> None:
        with app.app_context():
            try:
                target = db.session.get(Meeting, meeting_id)
                setup.add_member(target.id, f"成员{i}", Role.REPRESENTATIVE, "t")
            except Exception as exc:
                errors.append(exc)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seqs = db.session.scalars(select(Event.seq).where(Event.meeting_id == meeting_id)).all()
    assert sorted(seqs) == list(range(1, 10))
    db.session.expire_all()
    # a new meeting starts at version 1; each of the eight changes moved it by one
    assert db.session.get(Meeting, meeting_id).version == 1 + 8


def test_the_tracker_list_can_be_turned_off_for_a_meeting(staff) -> None:
    meeting = make_meeting()
    assert meeting.publish_trackers
    form = staff.get(f"/staff/meetings/{meeting.id}/edit").get_data(as_text=True)
    assert 'name="publish_trackers"' in form and "checked" in form
    response = staff.post(
        f"/staff/meetings/{meeting.id}/edit",
        {
            "title": meeting.title,
            "place": meeting.place,
            "held_on": "2026-04-28",
            "kind": "rural_dibao",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(Meeting, meeting.id).publish_trackers


def test_a_recusal_is_declared_with_its_reason_on_the_household_page(staff) -> None:
    meeting = make_meeting(representatives=2)
    household_id = setup.add_household(meeting.id, setup.HouseholdDetails("王五", 3), "test")
    member = meeting.members[1]
    page = f"/staff/meetings/{meeting.id}/households/{household_id}"
    missing = staff.post(f"{page}/recusals", {"member": member.id, "reason": ""})
    assert missing.status_code == 302
    assert "请选择成员并填写回避原因" in staff.get(page).get_data(as_text=True)
    assert (
        staff.post(f"{page}/recusals", {"member": member.id, "reason": "申请人的侄子"}).status_code
        == 302
    )
    shown = staff.get(page).get_data(as_text=True)
    assert f"{member.name}: 申请人的侄子" in shown
    db.session.expire_all()
    assert [(r.member_id, r.reason) for r in db.session.get(Household, household_id).recusals] == [
        (member.id, "申请人的侄子")
    ]
    assert staff.post(f"{page}/recusals/{member.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Household, household_id).recusals == []
