"""The strict Content-Security-Policy in real Chromium: every page of the app, signed in or
not, the live screens and a phone, loads and works without a single violation; the
confirmation questions and the print button work from the static script; and the listener
does catch a violation made on purpose, so its silence means something."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from meeting.domain.roles import Role
from meeting.extensions import db
from meeting.services.cards import join_token, join_url
from meeting.services.demo import ensure_demo
from meeting.services.seats import entry_token
from meeting.store.models import Meeting, PanelMember, StaffUser
from meeting.web.access import display_token

from .conftest import sign_in

pytestmark = pytest.mark.browser

#: runs before any script of every page: keeps each violation the page reports, and stands
#: in for the print dialog, which a test cannot close. The counts go on <html> too, for
#: expect() to wait on: Playwright's wait_for_function evaluates strings, which the policy
#: forbids.
WATCH = """
window.cspViolations = [];
function mark(name, value) { document.documentElement.setAttribute(name, String(value)); }
document.addEventListener("securitypolicyviolation", function (event) {
  window.cspViolations.push(event.violatedDirective + " blocked " + event.blockedURI +
    " at " + event.sourceFile + ":" + event.lineNumber);
  mark("data-csp-violations", window.cspViolations.length);
}, true);
window.print = function () {
  window.printed = (window.printed || 0) + 1;
  mark("data-printed", window.printed);
};
"""
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def connected(page) -> None:
    """A console or the secretary's page: its Socket.IO connection is up."""
    expect(page.locator("#link")).to_have_text("已连接")


def phone_connected(page) -> None:
    expect(page.locator("#link")).to_have_attribute("data-state", "up")


def projector_shows_state(page) -> None:
    expect(page.locator("#quorum")).not_to_be_empty()


class Screens:
    """Browser contexts whose pages report every CSP violation, by event and by console."""

    def __init__(self, browser, base: str) -> None:
        self.browser, self.base = browser, base
        self.violations: list[str] = []
        self.websockets: list[str] = []
        self.pages_checked: list[str] = []

    def open(self, beside=None, **options):
        """A page in a browser of its own (``options``), or in the browser of ``beside``."""
        if beside is None:
            context = self.browser.new_context(**options)
            context.add_init_script(WATCH)
        else:
            context = beside.context
        page = context.new_page()
        page.on("console", self._console)
        page.on("websocket", lambda socket: self.websockets.append(socket.url))
        return page

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(f"console: {message.text}")

    def visit(self, page, path: str, ready=None, status: int = 200) -> None:
        """Open ``path``, wait until it is ``ready`` (if given), keep its violations."""
        response = page.goto(self.base + path)
        assert response is not None and response.status == status, (path, response)
        if ready:
            ready(page)
        self.check(page)

    def check(self, page) -> None:
        """Keep the violations this page has reported so far."""
        path = urlsplit(page.url).path
        self.violations += [f"{path}: {v}" for v in page.evaluate("window.cspViolations")]
        self.pages_checked.append(path)


def test_every_page_works_under_the_strict_policy_without_a_violation(
    app, live_server, browser
) -> None:
    meeting, _ = ensure_demo()
    meeting_id = meeting.id
    household = meeting.households[0]
    voters = [m for m in meeting.members if m.role is Role.REPRESENTATIVE]
    leaving, phone_member, asking = voters[-1], voters[0], voters[1]
    account_id = db.session.scalar(select(StaffUser.id))
    screens = Screens(browser, live_server)
    staff = screens.open(viewport={"width": 1400, "height": 900})

    # signed out: the sign-in page, a page that sends there, a card nobody issued
    screens.visit(staff, "/login")
    screens.visit(staff, "/staff/meetings")
    assert urlsplit(staff.url).path == "/login"
    policy = staff.request.get(live_server + "/login").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    screens.visit(staff, "/j/not-a-card", status=404)
    sign_in(staff, live_server)
    screens.check(staff)

    # every staff page
    for path in (
        "/staff/meetings",
        "/staff/meetings/new",
        f"/staff/meetings/{meeting_id}",
        f"/staff/meetings/{meeting_id}/edit",
        f"/staff/meetings/{meeting_id}/members/new",
        f"/staff/meetings/{meeting_id}/members/{phone_member.id}",
        f"/staff/meetings/{meeting_id}/households/new",
        f"/staff/meetings/{meeting_id}/households/{household.id}",
        f"/staff/meetings/{meeting_id}/audit",
        "/staff/accounts",
        "/staff/accounts/new",
        f"/staff/accounts/{account_id}",
    ):
        screens.visit(staff, path)
    screens.visit(staff, "/staff/meetings/999999", status=404)  # the error page

    # the cards print from the static script, not from an onclick attribute
    screens.visit(staff, f"/staff/meetings/{meeting_id}/cards")
    expect(staff.locator(".card .qr svg").first).to_be_visible()
    staff.locator("[data-print]").click()
    expect(staff.locator("html")).to_have_attribute("data-printed", "1")

    # an import with problems shows them on a page of its own
    screens.visit(staff, f"/staff/meetings/{meeting_id}")
    staff.locator("#import input[type=file]").set_input_files(
        files=[{"name": "members.csv", "mimeType": "text/csv", "buffer": b"no,such,columns\n"}]
    )
    staff.locator("#import button[type=submit]").click()
    expect(staff.locator("table.problems")).to_be_visible()
    screens.check(staff)

    # a form with data-confirm asks first: "no" sends nothing, "yes" sends it
    screens.visit(staff, f"/staff/meetings/{meeting_id}/members/{leaving.id}")
    asked: list[str] = []

    def answer(dialog, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    staff.once("dialog", lambda dialog: answer(dialog, accept=False))
    staff.locator("form.danger-zone button[type=submit]").click()
    assert asked and leaving.name in asked[-1]
    assert staff.url.endswith(f"/members/{leaving.id}")  # still here: nothing was sent
    assert member_exists(leaving.id)
    staff.once("dialog", lambda dialog: answer(dialog, accept=True))
    staff.locator("form.danger-zone button[type=submit]").click()
    staff.wait_for_url(f"{live_server}/staff/meetings/{meeting_id}#members")
    assert len(asked) == 2 and not member_exists(leaving.id)
    screens.check(staff)

    # the projector link: a new one only after "yes"
    generation = display_generation(meeting_id)
    staff.once("dialog", lambda dialog: answer(dialog, accept=False))
    staff.locator("#display button[type=submit]").click()
    assert len(asked) == 3 and display_generation(meeting_id) == generation
    staff.once("dialog", lambda dialog: answer(dialog, accept=True))
    staff.locator("#display button[type=submit]").click()
    staff.wait_for_load_state()
    assert len(asked) == 4 and display_generation(meeting_id) == generation + 1
    screens.check(staff)

    # signing off the minutes asks too; "no" keeps the meeting open
    screens.visit(staff, f"/staff/meetings/{meeting_id}/audit")
    staff.once("dialog", lambda dialog: answer(dialog, accept=False))
    staff.locator("form[data-confirm] button[type=submit]").click()
    assert len(asked) == 5 and not finalised(meeting_id)
    screens.check(staff)

    # the live screens: each connects over a websocket and takes its state
    host = staff
    screens.visit(host, f"/host/{meeting_id}", ready=connected)
    projector = screens.open(viewport={"width": 1600, "height": 900})
    screens.visit(
        projector, f"/d/{meeting_id}/{current_display_token(meeting_id)}", projector_shows_state
    )
    assert urlsplit(projector.url).path == f"/projector/{meeting_id}"
    secretary = screens.open(beside=host)
    screens.visit(secretary, f"/secretary/{meeting_id}", ready=connected)

    # a phone joins by its card; another asks for a seat by the meeting's QR
    phone = screens.open(**PHONE)
    card = urlsplit(join_url("http://hall", join_token(phone_member))).path
    screens.visit(phone, card, ready=phone_connected)
    expect(phone.locator("#me-name")).to_have_text(phone_member.name)
    other_phone = screens.open(**PHONE)
    screens.visit(other_phone, f"/m/{meeting_id}", status=403)  # no seat yet
    screens.visit(
        other_phone, f"/e/{meeting_id}/{entry_token(db.session.get(Meeting, meeting_id))}"
    )
    other_phone.locator(f'button[name=member_id][value="{asking.id}"]').click()
    other_phone.wait_for_url(f"**/e/{meeting_id}/*/wait/*")
    screens.check(other_phone)

    # the console works: a question in its own box, then everyone on the projector and phone
    host.locator("#everyone-present").click()
    host.locator("#confirm-yes").click()
    expect(projector.locator("#quorum")).to_contain_text("村民代表到会")
    expect(host.locator(".seat-request")).to_contain_text(asking.name)
    for page in (host, projector, secretary, phone):
        screens.check(page)

    # the interface in English, by its link
    host.locator('a[hreflang="en"]').click()
    expect(host.locator("#link")).to_have_text("Connected")
    screens.check(host)

    assert screens.violations == []
    assert len(screens.pages_checked) >= 30
    # 'self' in connect-src lets Chromium open this host's websocket: Socket.IO upgrades
    websockets = [url for url in screens.websockets if "transport=websocket" in url]
    assert len(websockets) >= 4, screens.websockets

    # the listener is not deaf: an inline script and an inline style made on purpose are
    # blocked and reported, by the event and in the console
    with host.expect_console_message(lambda line: "Content Security Policy" in line.text):
        host.evaluate(
            """() => {
              const script = document.createElement("script");
              script.textContent = "window.inlineRan = true;";
              document.body.appendChild(script);
              document.body.setAttribute("style", "background: red");
            }"""
        )
    expect(host.locator("html")).to_have_attribute("data-csp-violations", "2")
    caught = host.evaluate("window.cspViolations")
    assert any(v.startswith("script-src") for v in caught), caught
    assert any(v.startswith("style-src") for v in caught), caught
    assert host.evaluate("window.inlineRan") is None
    assert any(v.startswith("console: ") for v in screens.violations)


def member_exists(member_id: int) -> bool:
    db.session.expire_all()
    return db.session.get(PanelMember, member_id) is not None


def display_generation(meeting_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Meeting, meeting_id).display_generation


def current_display_token(meeting_id: int) -> str:
    db.session.expire_all()
    return display_token(db.session.get(Meeting, meeting_id))


def finalised(meeting_id: int) -> bool:
    db.session.expire_all()
    return db.session.get(Meeting, meeting_id).finalised_at is not None
