"""A hearing that goes wrong the way real ones do, in real Chromium: an applicant who did not
come is deferred and heard at the end, a household is moved in the agenda, a ballot opened
too early is voided and taken again, the quorum breaks mid-vote and comes back. Each step
is checked on the projector, a phone and the audit trail; the chain verifies afterwards."""

from __future__ import annotations

import io

import pytest
from docx import Document
from playwright.sync_api import expect
from sqlalchemy import func, select

from meeting.domain.roles import Role
from meeting.extensions import db
from meeting.services import audit
from meeting.services.demo import ensure_demo
from meeting.store.models import Event, Meeting, SecretBallot

from .conftest import sign_in
from .test_ballot import open_phone

pytestmark = pytest.mark.browser


def confirm(host, reason: str | None = None) -> None:
    """Answer the console's question: type the reason when it asks for one, then confirm."""
    box = host.locator("#confirm-box")
    expect(box).to_be_visible()
    if reason is not None:
        host.locator("#confirm-reason").fill(reason)
    host.locator("#confirm-yes").click()
    expect(box).to_be_hidden()


def correct(host, selector: str, reason: str) -> None:
    host.locator(selector).click()
    # a correction without a reason is not sent
    host.locator("#confirm-yes").click()
    expect(host.locator("#confirm-reason-hint")).to_be_visible()
    confirm(host, reason)


def steps_logged(meeting_id: int) -> list[tuple[str, str | None]]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(Event).where(Event.meeting_id == meeting_id).order_by(Event.seq)
    )
    return [
        (e.data.get("step") or e.kind, e.data.get("reason"))
        for e in rows
        if e.kind in ("hearing.step", "agenda.moved")
    ]


def test_a_hearing_recovers_from_a_deferral_a_move_a_void_and_a_lost_quorum(
    app, live_server, browser, artifacts
) -> None:
    meeting, _ = ensure_demo()
    meeting_id = meeting.id
    names = {h.position: h.head_name for h in meeting.households}
    representatives = [m for m in meeting.members if m.role is Role.REPRESENTATIVE]
    host, projector = (
        browser.new_context(viewport={"width": 1600, "height": 900}).new_page() for _ in range(2)
    )
    for page, screen in ((host, "host"), (projector, "projector")):
        sign_in(page, live_server)
        page.goto(f"{live_server}/{screen}/{meeting_id}")
    expect(host.locator("#link")).to_have_text("已连接")
    phone = open_phone(browser, live_server, representatives[0])
    other = open_phone(browser, live_server, representatives[1])

    # everyone present at once, after a question
    host.locator("#everyone-present").click()
    confirm(host)
    expect(projector.locator("#quorum")).to_contain_text("村民代表到会 18 人")

    # the applicant of household 2 did not come: deferred, with the reason
    correct(host, 'tr[data-position="2"] button[data-correction="defer"]', "申请人未到场")
    expect(host.locator('tr[data-position="2"]')).to_contain_text("暂缓评议")
    summary = projector.locator("#summary tbody tr")
    expect(summary.nth(1)).to_contain_text("暂缓评议")  # the hall's overview says so too
    # household 5 is heard before household 4
    correct(host, 'button[data-move="5>4"]', "申请人需提前离开")
    expect(host.locator('tr[data-position="4"]')).to_contain_text(names[5])
    expect(host.locator('tr[data-position="5"]')).to_contain_text(names[4])
    expect(summary.nth(3)).to_contain_text(names[5])
    # the member of the first phone witnesses the counts as a scrutineer
    host.locator(f'input[data-scrutineer="{representatives[0].id}"]').check()

    # household 1: the ballot is opened too early and voided
    host.locator('tr[data-position="1"] button', has_text="开始：通报核查情况").click()
    expect(projector.locator("#phase")).to_have_text("通报核查情况")
    for phase in ("申请人陈述", "质询"):
        host.locator("#step").click()
        expect(projector.locator("#phase")).to_have_text(phase)
    host.locator("#step").click()
    expect(projector.locator("#phase")).to_have_text("无记名投票")
    phone.locator('#vote-choose button[data-choice="not_eligible"]').click()
    phone.locator("#confirm").click()
    expect(phone.locator("#vote-done")).to_be_visible()
    expect(projector.locator("#turnout")).to_contain_text("已投 1 /")

    correct(host, '#corrections button[data-correction="void_ballot"]', "开票前未宣读投票规则")
    expect(projector.locator("#phase")).to_have_text("质询")
    expect(phone.locator("#message")).to_contain_text("本轮投票已作废")
    host.locator("#step").click()  # the ballot opens again: round 2
    expect(projector.locator("#turnout")).to_contain_text("已投 0 /")
    expect(phone.locator("#vote-choose")).to_be_visible()  # the member votes again
    phone.locator('#vote-choose button[data-choice="eligible"]').click()
    phone.locator("#tier-next").click()
    phone.locator("#confirm").click()
    expect(phone.locator("#vote-done")).to_be_visible()

    # the quorum breaks mid-vote: the ballot is suspended, the other phone keeps its choice
    other.locator('#vote-choose button[data-choice="abstain"]').click()
    expect(other.locator("#vote-confirm")).to_be_visible()
    host.locator("#everyone-absent").click()
    confirm(host)
    expect(projector.locator("#suspended-note")).to_be_visible()
    expect(projector.locator("#phase")).to_have_text("投票暂停")
    expect(other.locator("#vote-note")).to_contain_text("投票已暂停")
    projector.screenshot(path=str(artifacts / "projector-suspended.png"))
    other.screenshot(path=str(artifacts / "phone-suspended.png"), full_page=True)
    host.locator("#everyone-present").click()
    confirm(host)
    expect(host.locator("#step")).to_have_text("恢复投票")
    host.locator("#step").click()
    expect(projector.locator("#phase")).to_have_text("无记名投票")
    expect(other.locator("#confirm-choice")).to_contain_text("弃权")  # the choice was kept
    other.locator("#confirm").click()
    expect(other.locator("#vote-done")).to_be_visible()
    host.locator("#bots").click()  # the demo's members without phones vote; the last closes it
    expect(projector.locator("#result-box")).to_be_visible()
    expect(host.locator("#confirmed-by")).to_have_text("尚无监票人确认本次计票结果。")
    phone.locator("#confirm-count").click()  # the scrutineer confirms the count on the phone
    expect(phone.locator("#count-confirmed")).to_be_visible()
    expect(host.locator("#confirmed-by")).to_contain_text(representatives[0].name)
    expect(other.locator("#scrutiny")).to_be_hidden()  # not a scrutineer
    host.locator("#step").click()
    expect(projector.locator("#phase")).to_have_text("已公布")

    # the deferred household is heard at the end, from its briefing
    host.locator('tr[data-position="2"] button', has_text="开始：通报核查情况").click()
    expect(projector.locator("#head")).to_contain_text(names[2])
    for phase in ("申请人陈述", "质询", "无记名投票"):
        host.locator("#step").click()
        expect(projector.locator("#phase")).to_have_text(phase)
    host.locator("#bots").click()
    host.locator("#step").click()  # close early: the two phones did not vote; asked first
    confirm(host)
    expect(projector.locator("#result-box")).to_be_visible()
    host.screenshot(path=str(artifacts / "host-after-corrections.png"), full_page=True)

    # the trail: every correction is an event with its reason, and the chain holds
    logged = steps_logged(meeting_id)
    assert ("defer", "申请人未到场") in logged
    assert ("agenda.moved", "申请人需提前离开") in logged
    assert ("void_ballot", "开票前未宣读投票规则") in logged
    assert ("suspend_ballot", None) in logged and ("resume_ballot", None) in logged
    assert audit.verify_meeting(meeting_id).ok
    host.goto(f"{live_server}/staff/meetings/{meeting_id}/audit")
    expect(host.locator("body")).to_contain_text("开票前未宣读投票规则")

    # the ballot table holds only the second round's ballots; the minutes tell the story
    meeting = db.session.get(Meeting, meeting_id)
    first = next(h.hearing for h in meeting.households if h.position == 1)
    stored = db.session.scalar(
        select(func.count()).select_from(SecretBallot).where(SecretBallot.hearing_id == first.id)
    )
    assert stored == first.result.cast and first.ballot_round == 2
    docx = host.request.get(f"{live_server}/staff/meetings/{meeting_id}/export/docx").body()
    minutes = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    assert "第 1 轮投票作废" in minutes and "开票前未宣读投票规则" in minutes
    assert "暂缓评议，稍后再议。原因：申请人未到场" in minutes
    assert "投票暂停" in minutes and "到会人数恢复，继续投票" in minutes
    assert f"监票人确认计票结果：{representatives[0].name}" in minutes  # household 1
    assert "本次计票结果无监票人确认" in minutes  # household 2: nobody confirmed
