"""What people see, in Chromium: nothing marked hidden is shown, and the main action of a
page stands out from the others."""

from __future__ import annotations

import pytest

from meeting.services.demo import ensure_demo

from .conftest import sign_in

pytestmark = pytest.mark.browser

#: every element carrying the hidden attribute that is laid out anyway (a CSS rule setting
#: display beat the attribute), as "tag#id.class"
SHOWN_THOUGH_HIDDEN = """() => [...document.querySelectorAll('[hidden]')]
  .filter(e => getComputedStyle(e).display !== 'none')
  .map(e => e.tagName + '#' + e.id + '.' + e.className)"""


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
