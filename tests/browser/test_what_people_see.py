"""What people see, in Chromium: nothing marked hidden is shown, and the main action of a
page stands out from the others."""

from __future__ import annotations

import re

import pytest

from meeting.services.demo import ensure_demo

from .conftest import sign_in, signed_in_staff

pytestmark = pytest.mark.browser

#: every element carrying the hidden attribute that is laid out anyway (a CSS rule setting
#: display beat the attribute), as "tag#id.class"
SHOWN_THOUGH_HIDDEN = """() => [...document.querySelectorAll('[hidden]')]
  .filter(e => getComputedStyle(e).display !== 'none')
  .map(e => e.tagName + '#' + e.id + '.' + e.className)"""


def small_phone(browser, live_server: str, member):
    """A 360x740 phone that has scanned the member's card and is connected: (context, page)."""
    from playwright.sync_api import expect

    from meeting.services.cards import join_token

    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = phone.new_page()
    page.goto(f"{live_server}/j/{join_token(member)}")
    expect(page.locator("#link")).to_have_attribute("data-state", "up")
    return phone, page


def test_no_hidden_element_shows_and_the_main_buttons_stand_out(app, live_server, browser):
    meeting, _ = ensure_demo()
    staff = browser.new_context(viewport={"width": 1366, "height": 768})
    page = staff.new_page()
    try:
        page.goto(live_server + "/login")
        sign_in_button = page.locator("button[type=submit].primary")
        plain = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        colour = sign_in_button.evaluate("b => getComputedStyle(b).backgroundColor")
        assert colour not in ("rgb(255, 255, 255)", plain), colour  # the accent, not white
        sign_in(page, live_server)
        for path in (
            "/staff/meetings",
            f"/staff/meetings/{meeting.id}",
            f"/host/{meeting.id}",
            f"/secretary/{meeting.id}",
        ):
            page.goto(live_server + path)
            page.wait_for_load_state("networkidle")
            if path.startswith("/host"):  # the console has its first state
                page.locator("#households tr").first.wait_for()
            assert page.evaluate(SHOWN_THOUGH_HIDDEN) == [], path
    finally:
        staff.close()


def test_a_phone_that_loses_the_wifi_says_it_is_reconnecting_in_chinese(
    app, live_server, browser
) -> None:
    from playwright.sync_api import expect

    meeting, _ = ensure_demo()
    member = next(m for m in meeting.members if m.votes)

    phone, page = small_phone(browser, live_server, member)
    try:
        phone.set_offline(True)
        # the hall's Wi-Fi drops: the reconnection attempts fail at the transport
        expect(page.locator("html")).to_have_attribute(
            "data-link-failures", re.compile("[1-9]"), timeout=20_000
        )
        link = page.locator("#link").inner_text()
        assert link == "正在重新连接…", link  # not "xhr poll error"
        phone.set_offline(False)
        expect(page.locator("#link")).to_have_attribute("data-state", "up", timeout=20_000)
    finally:
        phone.close()


#: the elements of the current ballot step a thumb must reach, with their bottom edge
REACHABLE = """(ids) => ids.map(id => {
  const e = document.querySelector(id);
  const box = e.getBoundingClientRect();
  return [id, Math.round(box.top), Math.round(box.bottom), window.innerHeight];
})"""


@pytest.mark.parametrize("font_px", [20, 26], ids=["default font", "130% font"])
def test_every_ballot_button_is_on_a_small_phone_screen_without_scrolling_by_hand(
    app, live_server, browser, font_px
) -> None:
    from playwright.sync_api import expect

    from meeting.services import hearings, presence

    meeting, _ = ensure_demo()
    voters = [m for m in meeting.members if m.votes]
    for member in voters:
        presence.set_presence(meeting.id, member.id, True, "host")
    phone, page = small_phone(browser, live_server, voters[0])
    try:
        # large system fonts (the page's root size; CSSOM, as the strict CSP allows)
        page.evaluate(f"document.documentElement.style.fontSize = '{font_px}px'")
        for step in (hearings.start_briefing, hearings.start_statement, hearings.start_questioning):
            step(meeting.id, 1, "host")
        hearings.open_ballot(meeting.id, 1, "host", confirmed=True)

        def reachable(*ids: str) -> None:
            for element, top, bottom, height in page.evaluate(REACHABLE, list(ids)):
                assert top >= 0 and bottom <= height, (font_px, element, top, bottom, height)

        expect(page.locator("#vote-choose")).to_be_visible()
        reachable(".choice.eligible", ".choice.not_eligible", ".choice.abstain")
        page.click(".choice.eligible")
        expect(page.locator("#vote-tier")).to_be_visible()
        reachable("#tiers button:first-child", "#tiers button:last-child", "#tier-next")
        chosen = page.locator(".tier.chosen")
        if chosen.count():  # the proposal is marked, not dressed as the button to press
            colour = chosen.evaluate("b => getComputedStyle(b).backgroundColor")
            next_colour = page.locator("#tier-next").evaluate(
                "b => getComputedStyle(b).backgroundColor"
            )
            assert colour != next_colour
        page.locator("#tiers button").first.click()
        page.click("#tier-next")
        expect(page.locator("#vote-confirm")).to_be_visible()
        reachable("#confirm-choice", "#confirm", "#confirm-back")
        page.click("#confirm")
        expect(page.locator("#vote-done")).to_be_visible()
        reachable("#my-tracker")
    finally:
        phone.close()


def test_a_phone_says_plainly_where_the_meeting_stands(app, live_server, browser) -> None:
    from playwright.sync_api import expect

    from meeting.services import corrections, hearings

    meeting, _ = ensure_demo()
    member = next(m for m in meeting.members if m.votes)
    phone, page = small_phone(browser, live_server, member)
    try:
        # people are still arriving: the short quorum is said plainly, not as an alarm
        expect(page.locator("#quorum")).to_contain_text("成员正在陆续签到")
        expect(page.locator("#quorum")).to_have_class("quorum")
        expect(page.locator("#phase")).to_have_text("等待会议开始")
        hearings.start_briefing(meeting.id, 1, "host")
        expect(page.locator("#phase")).to_have_text("当前环节：通报核查情况")
        expect(page.locator("#quorum")).to_have_class("quorum bad")  # now it matters
        corrections.skip_household(meeting.id, 1, "申请人未到场", "host")
        hearings.show_household(meeting.id, None, "host")  # the overview, between households
        expect(page.locator("#phase")).to_have_text("请稍候，下一户即将开始")
    finally:
        phone.close()


def test_the_host_console_fits_a_1366_laptop(app, live_server, browser) -> None:
    from playwright.sync_api import expect

    meeting, _ = ensure_demo()
    staff, page = signed_in_staff(browser, live_server)
    try:
        page.goto(f"{live_server}/host/{meeting.id}")
        expect(page.locator("#members tr")).to_have_count(len(meeting.members))
        # every name and role on one line (it used to wrap a character a line)
        # the lines each name and role takes (a cell's own height is the whole row's)
        heights = page.evaluate(
            """() => [...document.querySelectorAll('#members tr')].map(r => {
                const lines = cell => {
                    const range = document.createRange();
                    range.selectNodeContents(cell.firstChild || cell);
                    return new Set([...range.getClientRects()].map(b => Math.round(b.top))).size;
                };
                const [name, role] = r.cells;
                return [name.textContent, name.getBoundingClientRect().width,
                        lines(name) <= 1, lines(role) <= 1];
            })"""
        )
        wrapped = [(n, w) for n, w, one_name, one_role in heights if not (one_name and one_role)]
        assert wrapped == [], wrapped
        # the next household to hear is the console's obvious next step
        first_step = page.locator('#households tr[data-position="1"] button.primary')
        expect(first_step).to_have_text("开始：通报核查情况")
        # scrolled to the bottom of the panel list, the quorum is still in sight
        page.locator("#members tr").last.scroll_into_view_if_needed()
        box = page.locator("#quorum").bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 768, box
    finally:
        staff.close()


def test_the_projector_says_the_meeting_will_begin_once_and_on_one_line(
    app, live_server, browser
) -> None:
    from playwright.sync_api import expect

    meeting, _ = ensure_demo()
    staff, page = signed_in_staff(browser, live_server, 1280, 720)
    try:
        page.goto(f"{live_server}/projector/{meeting.id}")
        expect(page.locator("#quorum")).not_to_be_empty()  # its first state is in
        shown = page.locator("body").inner_text()
        assert shown.count("评议会即将开始") == 1, shown[:300]
        heading = page.locator(".opening")
        lines = heading.evaluate(
            """h => { const r = document.createRange(); r.selectNodeContents(h);
                      return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }"""
        )
        assert lines == 1
    finally:
        staff.close()
