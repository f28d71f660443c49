"""A hearing in real Chromium: a host console, a projector and twenty phones, from
check-in to the opening of the ballot."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from meeting.domain.roles import Role
from meeting.extensions import db
from meeting.services.cards import join_token, join_url
from meeting.services.demo import ensure_demo

from .conftest import sign_in

pytestmark = pytest.mark.browser
SEEN_BALLOT = """() => {
  const card = document.getElementById("ballot-card");
  window.seenBallotAt = null;
  new MutationObserver(() => {
    if (!card.hidden && window.seenBallotAt === null) { window.seenBallotAt = Date.now(); }
  }).observe(card, { attributes: true });
}"""
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def open_phone(browser, base: str, member):
    """A phone of its own (a browser context) that scans the member's card."""
    phone = browser.new_context(**PHONE).new_page()
    path = urlsplit(join_url("http://hall", join_token(member))).path
    phone.goto(base + path)
    expect(phone.locator("#me-name")).to_have_text(member.name)
    expect(phone.locator("#link")).to_have_attribute("data-state", "up")
    return phone


def test_twenty_phones_a_projector_and_a_host_run_a_household_to_the_ballot(
    app, live_server, browser, artifacts
) -> None:
    meeting, _ = ensure_demo()
    representatives = [m for m in meeting.members if m.role is Role.REPRESENTATIVE]
    cadre = next(m for m in meeting.members if m.role is Role.CADRE)
    household = meeting.households[0]
    household.id_number = "620921195203150027"  # in the case file, never on a screen
    db.session.commit()

    staff = browser.new_context(viewport={"width": 1600, "height": 900})
    host = staff.new_page()
    sign_in(host, live_server)
    host.goto(f"{live_server}/host/{meeting.id}")
    projector = staff.new_page()
    projector.set_viewport_size({"width": 1600, "height": 900})
    projector.goto(f"{live_server}/projector/{meeting.id}")
    quorum = projector.locator("#quorum")
    expect(quorum).to_contain_text("到会人数不符合规定")

    phones = []
    for member in [cadre, *representatives[:15]]:
        phones.append(open_phone(browser, live_server, member))
        joined_representatives = len(phones) - 1
        expect(quorum).to_contain_text(f"村民代表到会 {joined_representatives} 人 / 至少 15 人")
        if joined_representatives < 15:
            expect(quorum).to_have_class(re.compile(r"\bbad\b"))
            expect(quorum).to_contain_text("到会人数不符合规定")
    expect(quorum).to_have_class(re.compile(r"\bok\b"))
    expect(quorum).to_contain_text("到会人数符合规定")
    expect(host.locator("#quorum")).to_contain_text("到会人数符合规定")
    # four more phones join: twenty in all, as in a full hall
    cadres = [m for m in meeting.members if m.role is Role.CADRE]
    for member in [*representatives[15:], cadres[1]]:
        phones.append(open_phone(browser, live_server, member))
    expect(quorum).to_contain_text("村民代表到会 18 人 / 至少 15 人")

    # the host takes household 1 through briefing, statement and questioning
    host.locator('tr[data-position="1"] button', has_text="开始：通报核查情况").click()
    expect(projector.locator("#head")).to_have_text(f"第 1 户 · {household.head_name}")
    expect(projector.locator("#phase")).to_have_text("通报核查情况")
    expect(projector.locator("#findings")).to_contain_text("四看")
    expect(projector.locator("#countdown")).to_have_text(re.compile(r"^[45]:\d\d$"))
    for phone in phones:
        expect(phone.locator("#household-head")).to_have_text(household.head_name)
        expect(phone.locator("#phase")).to_have_text("当前环节：通报核查情况")
    host.locator("#step").click()
    expect(projector.locator("#phase")).to_have_text("申请人陈述")
    host.locator("#step").click()
    expect(projector.locator("#phase")).to_have_text("质询")

    # a member asks to speak; the projector shows the queue
    asking = phones[3]
    asking.locator("#raise").click()
    expect(asking.locator("#speak-state")).to_have_text("您已举手，请等待主持人安排。")
    expect(projector.locator("#queue")).to_contain_text(representatives[2].name)
    host.locator("#queue button", has_text="请发言").click()
    expect(asking.locator("#speak-state")).to_have_text("请您发言。")

    # measured, not asserted: from the host's click to the last phone showing the ballot
    for phone in phones:
        phone.evaluate(SEEN_BALLOT)
    host.evaluate(
        """() => document.getElementById("confirm-yes").addEventListener(
            "click", () => { window.clickedAt = Date.now(); }, { once: true, capture: true })"""
    )
    host.locator("#step").click()  # open the secret ballot: a member has the floor, so it asks
    expect(host.locator("#confirm-text")).to_contain_text("正在发言")
    host.locator("#confirm-yes").click()
    expect(projector.locator("#phase")).to_have_text("无记名投票")
    for phone in phones:
        expect(phone.locator("#ballot-card")).to_be_visible()
        expect(phone.locator("#speak-card")).to_be_hidden()
    seen = [phone.evaluate("window.seenBallotAt") for phone in phones]
    clicked_at = host.evaluate("window.clickedAt")
    delays = sorted(s - clicked_at for s in seen)
    print(
        f"host click -> phones show the ballot ({len(phones)} phones): "
        f"first {delays[0]} ms, median {delays[len(delays) // 2]} ms, last {delays[-1]} ms"
    )

    projector.screenshot(path=str(artifacts / "projector-voting.png"))
    phones[3].screenshot(path=str(artifacts / "phone-voting.png"))
    host.screenshot(path=str(artifacts / "host-voting.png"), full_page=True)

    # personal data that the hearing does not need never reaches the projector
    assert household.id_number not in projector.content()
    assert household.id_number not in phones[0].content()
    staff.close()
    for phone in phones:
        phone.context.close()
