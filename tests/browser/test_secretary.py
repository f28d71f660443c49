"""The secretary corrects an earlier household's notes after the host has moved on, and
sees where the hearing stands."""

from __future__ import annotations

import pytest

from meeting.extensions import db
from meeting.services import corrections, hearings
from meeting.services.demo import ensure_demo
from meeting.store.models import Household

from ..integration.live import wait_until
from .conftest import signed_in_staff

pytestmark = pytest.mark.browser


def test_the_secretary_corrects_the_notes_of_a_household_heard_earlier(
    app, live_server, browser
) -> None:
    from playwright.sync_api import expect

    meeting, _ = ensure_demo()
    staff, page = signed_in_staff(browser, live_server)
    try:
        page.goto(f"{live_server}/secretary/{meeting.id}")
        # nothing heard yet: the page says so, and offers every household
        expect(page.locator("#nothing-current")).to_be_visible()
        expect(page.locator("#pick option")).to_have_count(1 + len(meeting.households))
        hearings.start_briefing(meeting.id, 1, "host")
        expect(page.locator("#phase-line")).to_have_text("通报核查情况")
        expect(page.locator("#notes")).to_be_visible()
        page.fill("#statement_notes", "申请人称丈夫常年患病。")
        expect(page.locator("#save-state")).to_have_text("已保存")
        corrections.skip_household(meeting.id, 1, "申请人临时离场", "host")
        hearings.show_household(meeting.id, None, "host")
        expect(page.locator("#nothing-current")).to_be_visible()
        # the host has moved on; the secretary picks household 1 and completes its notes
        page.select_option("#pick", "1")
        expect(page.locator("#statement_notes")).to_have_value("申请人称丈夫常年患病。")
        page.fill("#statement_notes", "申请人称丈夫常年患病，需长期服药。")
        wait_until(
            lambda: stored_notes(meeting.id, 1) == "申请人称丈夫常年患病，需长期服药。",
            "the corrected notes stored for household 1",
        )
    finally:
        staff.close()


def stored_notes(meeting_id: int, position: int) -> str:
    db.session.expire_all()
    household = db.session.scalars(
        db.select(Household).where(
            Household.meeting_id == meeting_id, Household.position == position
        )
    ).one()
    return household.hearing.statement_notes


def test_a_slow_pdf_says_it_is_being_made(app, live_server, browser) -> None:
    from playwright.sync_api import expect

    meeting, _ = ensure_demo()
    staff, page = signed_in_staff(browser, live_server, accept_downloads=True)
    try:
        page.goto(f"{live_server}/secretary/{meeting.id}")
        note = page.locator(".wait-note")
        expect(note).to_be_hidden()
        with page.expect_download(timeout=120_000) as download:
            page.locator('a[href$="/export/sign-in-pdf"]').click()
            expect(note).to_contain_text("正在生成 PDF")  # while the server makes it
        assert download.value.suggested_filename.endswith("签到表.pdf")
    finally:
        staff.close()
