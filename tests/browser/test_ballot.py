"""A secret ballot in real Chromium: twenty phones and three paper slips, a host console and
a projector, from the opening of the ballot to the count, the result and the tracker list."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from meeting.domain.roles import Role
from meeting.extensions import db
from meeting.services import hearings, presence
from meeting.services.cards import join_token, join_url
from meeting.services.demo import ensure_demo
from meeting.store.models import SecretBallot

from .conftest import sign_in

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
TRACKER = re.compile(r"^[A-Z2-7]{8}$")
LABELS = {"eligible": "符合", "not_eligible": "不符合", "abstain": "弃权"}
TIERS = {"A": "一档", "B": "二档", "C": "三档"}
# What the twenty phones vote, then the three paper slips: 14 eligible, 5 not eligible and
# 4 abstentions of 23 entitled; the tiers on eligible ballots are 3 x A, 7 x B, 4 x C, so the
# median tier is B (二档, 300 yuan). Household 1 of the demo is proposed for B.
PHONE_VOTES = (
    [("eligible", "B")] * 7
    + [("eligible", "A")] * 3
    + [("eligible", "C")] * 3
    + [("not_eligible", None)] * 4
    + [("abstain", None)] * 3
)
CONSOLE: list[str] = []  # what the phones wrote to their consoles
PAPER_VOTES = [("eligible", "C"), ("not_eligible", None), ("abstain", None)]


def open_phone(browser, base: str, member):
    """A phone of its own (a browser context) that scans the member's card."""
    phone = browser.new_context(**PHONE).new_page()
    phone.on("console", lambda line: CONSOLE.append(line.text))
    path = urlsplit(join_url("http://hall", join_token(member))).path
    phone.goto(base + path)
    expect(phone.locator("#me-name")).to_have_text(member.name)
    expect(phone.locator("#link")).to_have_attribute("data-state", "up")
    return phone


def vote_on_phone(phone, choice: str, tier: str | None) -> str:
    """Tap through the ballot as a member would; the tracker code the phone shows after."""
    phone.locator(f'#vote-choose button[data-choice="{choice}"]').click()
    if choice == "eligible":
        proposed = phone.locator('#tiers button[data-tier="B"]')
        expect(proposed).to_have_attribute("aria-pressed", "true")  # the proposal preselected
        if tier != "B":
            phone.locator(f'#tiers button[data-tier="{tier}"]').click()
        phone.locator("#tier-next").click()
    summary = LABELS[choice] + (f" · {TIERS[tier]}" if tier else "")
    expect(phone.locator("#confirm-choice")).to_contain_text(summary)
    phone.locator("#confirm").click()
    expect(phone.locator("#vote-done")).to_be_visible()
    shown = phone.locator("#my-tracker").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4} [A-Z2-7]{4}", shown), shown  # in two groups of four
    tracker = shown.replace(" ", "")
    assert TRACKER.match(tracker)
    return tracker


def test_twenty_phones_and_three_paper_slips_vote_and_the_projector_shows_the_count(
    app, live_server, browser, artifacts
) -> None:
    meeting, _ = ensure_demo()
    representatives = [m for m in meeting.members if m.role is Role.REPRESENTATIVE]
    cadres = [m for m in meeting.members if m.role is Role.CADRE]
    on_phones = representatives[:15] + cadres
    on_paper = representatives[15:]
    household = meeting.households[0]
    assert (len(on_phones), len(on_paper)) == (20, 3)

    # a window each: Chromium slows a page in a background tab, and the host acts all along
    host, projector = (
        browser.new_context(viewport={"width": 1600, "height": 900}).new_page() for _ in range(2)
    )
    for page, screen in ((host, "host"), (projector, "projector")):
        sign_in(page, live_server)
        page.goto(f"{live_server}/{screen}/{meeting.id}")
    expect(host.locator("#link")).to_have_text("已连接")

    # three members without a smartphone: present, and registered to vote on paper
    for member in on_paper:
        presence = host.locator(f'tr[data-member="{member.id}"] td:nth-child(3) input')
        presence.check()
        expect(presence).to_be_checked()
        paper = host.locator(f'input[data-paper="{member.id}"]')
        paper.check()
        expect(paper).to_be_checked()
    phones = [open_phone(browser, live_server, member) for member in on_phones]
    expect(projector.locator("#quorum")).to_contain_text("村民代表到会 18 人 / 至少 15 人")

    host.locator('tr[data-position="1"] button', has_text="开始：通报核查情况").click()
    expect(projector.locator("#phase")).to_have_text("通报核查情况")

    # a recusal declared by mistake reaches the member's phone, and is withdrawn
    recused, recused_phone = on_phones[-1], phones[-1]
    host.once("dialog", lambda dialog: dialog.accept("申请人的女婿"))
    host.locator(f'button[data-recuse="{recused.id}"]').click()
    expect(host.locator(f'tr[data-member="{recused.id}"]')).to_contain_text("回避：申请人的女婿")
    expect(recused_phone.locator("#vote-note")).to_have_text("您需回避此户：申请人的女婿")
    host.locator(f'tr[data-member="{recused.id}"] button', has_text="撤销回避").click()
    expect(recused_phone.locator("#ballot-card")).to_be_hidden()

    host.locator("#step").click()
    expect(projector.locator("#phase")).to_have_text("申请人陈述")
    host.locator("#step").click()
    expect(projector.locator("#phase")).to_have_text("质询")
    host.locator("#step").click()  # open the secret ballot
    expect(projector.locator("#phase")).to_have_text("无记名投票")
    turnout = projector.locator("#turnout")
    expect(turnout).to_have_text("已投 0 / 应投 23")
    expect(projector.locator("#result-box")).to_be_hidden()
    for phone in phones:
        expect(phone.locator("#vote-choose")).to_be_visible()
    expect(phones[0].locator("#turnout")).to_have_text("已投 0 / 应投 23")
    phones[0].screenshot(path=str(artifacts / "phone-ballot.png"), full_page=True)

    # one member changes their mind on the confirmation screen before casting
    first = phones[0]
    first.locator('#vote-choose button[data-choice="abstain"]').click()
    expect(first.locator("#confirm-choice")).to_have_text("弃权")
    first.locator("#confirm-back").click()
    expect(first.locator("#vote-choose")).to_be_visible()

    cast: list[tuple[str, str, str | None]] = []  # (tracker, choice, tier) as the test voted
    for count, (phone, (choice, tier)) in enumerate(zip(phones, PHONE_VOTES, strict=True), 1):
        tracker = vote_on_phone(phone, choice, tier)
        cast.append((tracker, choice, tier))
        expect(turnout).to_have_text(f"已投 {count} / 应投 23")
        # while the ballot is open, the projector says how many voted and nothing more
        assert projector.locator("#count-eligible").inner_text() == ""
        if count == 10:
            projector.screenshot(path=str(artifacts / "projector-ballot-open.png"))
            # the host tries to close early: the console asks first, and the host thinks again
            host.locator("#step").click()
            expect(host.locator("#confirm-box")).to_contain_text(
                "应投 23 人中还有 13 人未投票。仍要结束投票吗？"
            )
            host.locator("#confirm-no").click()
            expect(host.locator("#confirm-box")).to_be_hidden()
    expect(projector.locator("#phase")).to_have_text("无记名投票")

    # the phone kept the tracker code and forgot the choice once the server had the ballot
    kept = json.loads(
        phones[0].evaluate(f'localStorage.getItem("ballot:{meeting.id}:{household.position}")')
    )
    assert kept == {"position": household.position, "round": 1, "tracker": cast[0][0]}

    # the paper slips: handed in (a receipt), then entered one by one with a tracker code
    expect(host.locator("#not-voted li")).to_have_count(3)
    for member in on_paper:
        host.locator(f'#not-voted li[data-member="{member.id}"] button').click()
    expect(turnout).to_have_text("已投 23 / 应投 23")
    expect(host.locator("#slips-waiting")).to_have_text("已收到、待录入的纸质选票：3 张")
    host.screenshot(path=str(artifacts / "host-paper-slips.png"), full_page=True)
    for entered, (choice, tier) in enumerate(PAPER_VOTES, 1):
        code = host.locator("#slip-tracker").inner_text()
        assert TRACKER.match(code)
        host.locator(f'input[name=slip-choice][value="{choice}"]').check()
        if tier:
            host.locator("#slip-tier").select_option(tier)
        host.locator("#slip-enter").click()
        cast.append((code, choice, tier))
        if entered < len(PAPER_VOTES):
            expect(host.locator("#slip-tracker")).not_to_have_text(code)
            expect(host.locator("#slips-waiting")).to_have_text(
                f"已收到、待录入的纸质选票：{3 - entered} 张"
            )

    # the last slip entered closes the ballot by itself: the count, on the spot
    expect(projector.locator("#phase")).to_have_text("已计票")
    expect(projector.locator("#turnout-box")).to_be_hidden()
    chosen = [choice for _, choice, _ in cast]
    for choice in LABELS:
        expect(projector.locator(f"#count-{choice}")).to_have_text(str(chosen.count(choice)))
    assert (chosen.count("eligible"), chosen.count("not_eligible"), chosen.count("abstain")) == (
        14,
        5,
        4,
    )
    expect(projector.locator("#outcome")).to_have_text("符合")
    expect(projector.locator("#result-tier")).to_have_text("补差档次：二档，每人每月 300 元")
    expect(projector.locator("#cast-of")).to_have_text("共投 23 票，应投 23 人 · 其中纸质选票 3 张")
    expect(projector.locator("#quorum-open")).to_contain_text(
        "开始投票时：村民代表 18 人，村干部 5 人"
    )
    expect(projector.locator("#quorum-close")).to_contain_text("到会人数符合规定")
    expect(projector.locator("#trackers-box")).to_be_hidden()
    expect(host.locator("#result")).to_contain_text("评议结果：符合")
    host.screenshot(path=str(artifacts / "host-ballot-result.png"))

    # the host puts the tracker list up: every ballot, as cast, sorted by its code
    host.locator("#show-trackers").click()
    rows = projector.locator("#trackers li")
    expect(rows).to_have_count(23)
    listed = rows.all_inner_texts()
    assert [re.sub(r"\s+", " ", row).strip() for row in listed] == [
        f"{code} {LABELS[choice]}" + (f" {TIERS[tier]}" if tier else "")
        for code, choice, tier in sorted(cast)
    ]
    projector.screenshot(path=str(artifacts / "projector-ballot-result.png"))

    # a member finds their own ballot in the list on their phone
    mine = phones[1]
    expect(mine.locator("#result-card")).to_be_visible()
    expect(mine.locator("#outcome")).to_have_text("评议结果：符合")
    expect(mine.locator("#check-verdict")).to_have_text("您的选票已按所投计入")
    expect(mine.locator("#tracker-list li.mine")).to_have_text(f"{cast[1][0]} 符合 二档")
    mine.locator("#tracker-list li.mine").scroll_into_view_if_needed()
    mine.screenshot(path=str(artifacts / "phone-ballot-result.png"), full_page=True)

    # announced, then the overview: the household's outcome and the meeting's totals
    host.locator("#hide-trackers").click()
    expect(projector.locator("#trackers-box")).to_be_hidden()
    host.locator("#step").click()
    expect(projector.locator("#phase")).to_have_text("已公布")
    host.locator("#overview").click()
    expect(projector.locator("#summary tr").first.locator(".result")).to_have_text("符合")
    expect(projector.locator("#totals")).to_contain_text(f"符合：1 户 {household.persons} 人")
    projector.screenshot(path=str(artifacts / "projector-overview.png"))

    # no ballot's choice in any phone's console
    assert not [line for line in CONSOLE if re.search(r"eligible|abstain", line)]
    host.context.close()
    projector.context.close()
    for phone in phones:
        phone.context.close()


def test_a_ballot_cast_offline_waits_on_the_phone_and_is_sent_when_the_page_comes_back(
    app, live_server, browser
) -> None:
    meeting, _ = ensure_demo()
    for member in meeting.members:
        if member.votes:
            presence.set_presence(meeting.id, member.id, True, "test")
    for step in (
        hearings.start_briefing,
        hearings.start_statement,
        hearings.start_questioning,
        hearings.open_ballot,
    ):
        step(meeting.id, 1, "test")
    hearing_id = meeting.households[0].hearing.id
    phone = open_phone(browser, live_server, meeting.members[0])
    phone.locator('#vote-choose button[data-choice="not_eligible"]').click()

    # the Wi-Fi drops as the member confirms: the ballot waits on the phone, choice and all
    phone.context.set_offline(True)
    expect(phone.locator("#link")).to_have_attribute("data-state", "down")
    phone.locator("#confirm").click()
    expect(phone.locator("#vote-sending")).to_be_visible()
    waiting = json.loads(phone.evaluate(f'localStorage.getItem("ballot:{meeting.id}:1")'))
    assert waiting["choice"] == "not_eligible" and TRACKER.match(waiting["tracker"])
    # the member closes the page; the next time it opens, it sends the same ballot
    context = phone.context
    phone.close()
    context.set_offline(False)
    phone = context.new_page()
    phone.goto(f"{live_server}/m/{meeting.id}")
    expect(phone.locator("#vote-done")).to_be_visible()
    code = waiting["tracker"]
    expect(phone.locator("#my-tracker")).to_have_text(f"{code[:4]} {code[4:]}")
    kept = json.loads(phone.evaluate(f'localStorage.getItem("ballot:{meeting.id}:1")'))
    assert kept == {"position": 1, "round": 1, "tracker": waiting["tracker"]}
    db.session.expire_all()
    stored = db.session.scalars(select(SecretBallot).where(SecretBallot.hearing_id == hearing_id))
    assert [(b.choice.value, b.tracker) for b in stored] == [("not_eligible", waiting["tracker"])]
    context.close()
