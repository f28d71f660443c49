"""The demo meeting and the QR join cards."""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from pathlib import Path

import pytest

from meeting.domain.categories import AssistanceKind
from meeting.domain.findings import FindingHeading
from meeting.domain.roles import Role
from meeting.extensions import db
from meeting.services.cards import join_token, member_for_token
from meeting.services.demo import DEMO_PASSWORD, DEMO_USERNAME, ensure_demo
from meeting.store.models import Meeting

from ..conftest import StaffClient


@pytest.fixture
def demo(app) -> Meeting:
    meeting, created = ensure_demo()
    assert created
    return meeting


@pytest.fixture
def demo_staff(client, demo) -> StaffClient:
    browser = StaffClient(client)
    response = browser.post("/login", {"username": DEMO_USERNAME, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return browser


def test_the_demo_has_the_panel_and_the_households_of_the_worked_example(demo) -> None:
    roles = Counter(m.role for m in demo.members)
    assert roles == {
        Role.REPRESENTATIVE: 18,
        Role.CADRE: 5,
        Role.HOST: 1,
        Role.SECRETARY: 1,
        Role.INVESTIGATOR: 2,
    }
    assert sum(1 for m in demo.members if m.votes) == 23
    assert len(demo.households) == 31
    assert sum(h.persons for h in demo.households) == 59
    assert len({h.head_name for h in demo.households}) == 31
    for household in demo.households:
        assert household.category is AssistanceKind.URBAN_MINIMUM_LIVING
        assert household.investigator.role is Role.INVESTIGATOR
        assert household.recommendation is not None
        assert all(household.finding(h) for h in FindingHeading)
    assert demo.is_demo


def test_the_demo_is_made_once(demo) -> None:
    again, created = ensure_demo()
    assert not created and again.id == demo.id
    assert db.session.query(Meeting).count() == 1


def test_the_demo_staff_pages_render(demo_staff, demo) -> None:
    listing = demo_staff.get("/staff/meetings").get_data(as_text=True)
    assert "晋屏社区" in listing
    page = demo_staff.get(f"/staff/meetings/{demo.id}").get_data(as_text=True)
    assert "有表决权的成员 23 人：村民代表 18 人，村干部 5 人。" in page
    assert "共 31 户，59 人。" in page
    assert len(re.findall(rf'href="/staff/meetings/{demo.id}/households/\d+"', page)) == 31
    household = demo.households[0]
    form = demo_staff.get(f"/staff/meetings/{demo.id}/households/{household.id}")
    assert form.status_code == 200
    assert household.finding(FindingHeading.INCOME) in form.get_data(as_text=True)
    for url in (f"/staff/meetings/{demo.id}/edit", f"/staff/meetings/{demo.id}/members/new"):
        assert demo_staff.get(url).status_code == 200


def test_the_card_sheet_has_one_qr_card_per_voting_member(demo_staff, demo) -> None:
    page = demo_staff.get(f"/staff/meetings/{demo.id}/cards").get_data(as_text=True)
    names = re.findall(r'<article class="card" data-member="([^"]+)"', page)
    assert names == [m.name for m in demo.members if m.votes]
    assert page.count("<svg") == 23
    # the configured public address (testing.toml) is what phones are sent to
    assert "手机将打开 http://192.0.2.10:5000。" in page


def test_a_card_token_is_unguessable_stable_and_stored_only_as_a_hash(demo) -> None:
    member = demo.members[0]
    token = join_token(member)
    assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8 >= 128
    assert join_token(member) == token  # reprinting gives the same card
    assert member.join_token_hash == hashlib.sha256(token.encode()).hexdigest()
    # the token itself is stored nowhere: not in any table, not in the database file
    db.session.commit()
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    assert token.encode() not in Path(db.engine.url.database).read_bytes()
    assert member_for_token(token) is member
    assert member_for_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert len({join_token(m) for m in demo.members}) == len(demo.members)


def test_a_card_opens_the_members_page_and_a_wrong_one_is_refused(client, demo) -> None:
    member = demo.members[0]
    joined = client.get(f"/j/{join_token(member)}")
    assert joined.status_code == 302 and joined.location == f"/m/{demo.id}"
    page = client.get(joined.location)
    assert page.status_code == 200 and member.name in page.get_data(as_text=True)
    wrong = client.get("/j/not-a-real-card")
    assert wrong.status_code == 404
    assert "此二维码无效" in wrong.get_data(as_text=True)


def test_a_new_card_voids_the_old_one(demo) -> None:
    from meeting.services.cards import issue_card

    member = demo.members[0]
    old = join_token(member)
    member.card_generation += 1
    issue_card(member)
    db.session.commit()
    assert member_for_token(old) is None
    assert member_for_token(join_token(member)) is member
