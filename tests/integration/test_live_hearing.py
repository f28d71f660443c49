"""The live hearing over real websockets: joining, presence and quorum, the household's
steps, the speaking queue, notes, reconnecting and who may do what."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

import pytest
import requests
import socketio

from meeting.domain.roles import Role
from meeting.extensions import db
from meeting.store.models import Event, Meeting, PanelMember

from ..conftest import make_meeting
from .live import Phone, Screen, staff_cookies, wait_until


def voters(meeting: Meeting, role: Role) -> list[PanelMember]:
    return [m for m in meeting.members if m.role is role]


def test_a_card_claims_the_seat_for_the_first_phone_only(live_server, demo, host) -> None:
    member = demo.members[0]
    first, second = Phone(live_server), Phone(live_server)
    claimed = first.scan(member)
    assert claimed.status_code == 302 and claimed.headers["Location"] == f"/m/{demo.id}"
    device_cookie = first.browser.cookies.get("meeting_device")
    assert device_cookie and "HttpOnly" in claimed.headers["Set-Cookie"]
    assert first.scan(member).status_code == 302  # the same phone again: fine

    refused = second.scan(member)
    assert refused.status_code == 409
    assert "此卡已在另一部手机上使用" in refused.text
    db.session.expire_all()
    assert member.device_hash is not None and member.present
    assert member.device_hash == hashlib.sha256(device_cookie.encode()).hexdigest()

    # the host frees the seat (a broken phone); now the second phone takes it
    assert host.send("release_seat", {"member_id": member.id}) == {"ok": True}
    assert second.scan(member).status_code == 302
    assert first.browser.get(f"{live_server}/m/{demo.id}").status_code == 403


def test_a_new_card_voids_the_old_one(live_server, demo, host) -> None:
    member = demo.members[1]
    phone = Phone(live_server)
    old_card = phone.scan(member).request.url
    assert host.send("new_card", {"member_id": member.id}) == {"ok": True}
    assert phone.browser.get(old_card, allow_redirects=False).status_code == 404


def test_the_phone_receives_its_identity_and_the_versioned_state(live_server, demo, host) -> None:
    member = demo.members[0]
    phone = Phone(live_server)
    phone.scan(member)
    screen = phone.screen(demo.id)
    state = screen.wait_for(lambda s: True)
    assert screen.you == {"id": member.id, "name": member.name, "votes": True}
    assert state["meeting"]["title"] == demo.title
    assert member.id in state["present_ids"]
    assert "members" not in state and "notes" not in state  # staff-only parts
    version = state["version"]
    assert host.send("presence", {"member_id": demo.members[1].id, "present": True})["ok"]
    after = screen.wait_for(lambda s: s["version"] > version, "the next version")
    assert after["version"] == version + 1
    assert demo.members[1].id in after["present_ids"]
    screen.close()


def test_quorum_turns_green_only_at_the_fifteenth_representative(live_server, demo, host) -> None:
    for cadre in voters(demo, Role.CADRE):
        host.send("presence", {"member_id": cadre.id, "present": True})
    representatives = voters(demo, Role.REPRESENTATIVE)
    for count, member in enumerate(representatives[:15], start=1):
        assert host.send("presence", {"member_id": member.id, "present": True})["ok"]
        state = host.wait_for(lambda s, n=count: s["quorum"]["representatives"] == n)
        assert state["quorum"]["holds"] is (count >= 15), count
        if count < 15:
            assert state["quorum"]["reasons"] == [f"村民代表到会 {count} 人，少于 15 人。"]
    # one representative leaves: the quorum fails again
    version = host.version
    assert host.send("presence", {"member_id": representatives[0].id, "present": False})["ok"]
    state = host.wait_for(lambda s: True, "the departure", after=version)
    assert state["quorum"]["representatives"] == 14 and not state["quorum"]["holds"]


def step(host: Screen, position: int, name: str) -> dict:
    return host.send("step", {"position": position, "step": name})


def test_a_household_runs_through_its_phases_and_wrong_steps_are_refused(
    live_server, demo, host
) -> None:
    for member in voters(demo, Role.REPRESENTATIVE)[:15]:
        host.send("presence", {"member_id": member.id, "present": True})
    phone = Phone(live_server)
    phone.scan(demo.members[0])
    screen = phone.screen(demo.id)

    refused = step(host, 1, "open_ballot")
    assert refused["ok"] is False
    assert (
        refused["error"] == "当前为“等待中”阶段，不能进入“无记名投票”；“无记名投票”须在“质询”之后。"
    )
    for name, phase in [
        ("start_briefing", "briefing"),
        ("start_statement", "statement"),
        ("start_questioning", "questioning"),
    ]:
        assert step(host, 1, name) == {"ok": True}
        state = screen.wait_for(
            lambda s, p=phase: s["current"] and s["current"]["phase"] == p, phase
        )
        assert state["current"]["head_name"] == demo.households[0].head_name
        assert state["current"]["deadline"] is not None and state["current"]["timed"]
        assert "findings" not in state["current"]  # the phone gets the light card
    assert "findings" in host.wait_for(lambda s: s["current"]["phase"] == "questioning")["current"]

    # a second household cannot begin while this one is heard
    busy = step(host, 2, "start_briefing")
    assert busy == {
        "ok": False,
        "error": "第 1 户的评议尚未结束，请先完成。",
        "code": "step_not_allowed",
    }

    # the host may extend the clock
    before = host.state["current"]["deadline"]
    version = host.version
    assert host.send("extend", {"position": 1, "seconds": 60}) == {"ok": True}
    extended = host.wait_for(lambda s: True, "the extension", after=version)
    assert dt.datetime.fromisoformat(extended["current"]["deadline"]) - dt.datetime.fromisoformat(
        before
    ) == dt.timedelta(seconds=60)

    assert step(host, 1, "open_ballot") == {"ok": True}
    screen.wait_for(lambda s: s["current"]["phase"] == "voting", "voting")
    screen.close()


def test_the_ballot_cannot_open_without_a_quorum(live_server, demo, host) -> None:
    for name in ("start_briefing", "start_statement", "start_questioning"):
        assert step(host, 1, name)["ok"]
    refused = step(host, 1, "open_ballot")
    assert refused == {
        "ok": False,
        "error": "村民代表到会 0 人，少于 15 人。",
        "code": "quorum_not_met",
    }
    db.session.expire_all()
    assert demo.households[0].hearing.phase.value == "questioning"


def test_a_quorum_lost_while_voting_suspends_the_ballot_and_is_recorded(
    live_server, demo, host
) -> None:
    representatives = voters(demo, Role.REPRESENTATIVE)
    for member in representatives[:15]:
        host.send("presence", {"member_id": member.id, "present": True})
    for name in ("start_briefing", "start_statement", "start_questioning", "open_ballot"):
        assert step(host, 1, name)["ok"]
    host.send("presence", {"member_id": representatives[0].id, "present": False})
    state = host.wait_for(lambda s: s["current"]["phase"] == "suspended", "the suspension")
    assert state["current"]["quorum_broken"] and not state["quorum"]["holds"]
    refused = host.send("resume_ballot", {"position": 1})  # not without the quorum
    assert refused["ok"] is False and refused["code"] == "quorum_not_met"
    events = db.session.scalars(db.select(Event).where(Event.meeting_id == demo.id)).all()
    suspended = [e for e in events if e.data.get("step") == "suspend_ballot"]
    assert len(suspended) == 1 and suspended[0].actor == "server"
    host.send("presence", {"member_id": representatives[0].id, "present": True})
    state = host.wait_for(lambda s: s["quorum"]["holds"], "the quorum back", after=state["version"])
    assert {"position": 1, "step": "resume_ballot"} in state["steps"]


def test_members_ask_to_speak_during_questioning_only(live_server, demo, host) -> None:
    member = demo.members[0]
    phone = Phone(live_server)
    phone.scan(member)
    screen = phone.screen(demo.id)
    refused = screen.send("raise_hand")
    assert refused == {
        "ok": False,
        "error": "只有在质询环节才能举手提问。",
        "code": "step_not_allowed",
    }
    for name in ("start_briefing", "start_statement", "start_questioning"):
        step(host, 1, name)
    assert screen.send("raise_hand") == {"ok": True}
    assert screen.send("raise_hand") == {"ok": True}  # twice: still one place in the queue
    queue = host.wait_for(lambda s: s["queue"], "the queue")["queue"]
    assert [(q["name"], q["status"]) for q in queue] == [(member.name, "waiting")]
    assert host.send("give_floor", {"request_id": queue[0]["id"]}) == {"ok": True}
    speaking = screen.wait_for(
        lambda s: s["queue"] and s["queue"][0]["status"] == "speaking", "the floor"
    )
    assert host.send("finish_speaking", {"request_id": queue[0]["id"]}) == {"ok": True}
    screen.wait_for(lambda s: s["queue"] == [], "an empty queue", after=speaking["version"])
    screen.close()


def test_the_secretarys_notes_survive_a_reconnect(live_server, demo, host) -> None:
    step(host, 1, "start_briefing")
    secretary = Screen(live_server, demo.id, "staff", staff_cookies(live_server)).connect()
    text = "申请人陈述：丈夫去年病故，本人腿脚不便。"
    answer = secretary.send("save_notes", {"position": 1, "field": "statement_notes", "text": text})
    assert answer == {"ok": True}
    secretary.close()
    again = Screen(live_server, demo.id, "staff", staff_cookies(live_server)).connect()
    assert again.wait_for(lambda s: True)["notes"]["statement_notes"] == text
    again.close()


def test_a_phone_that_reconnects_gets_the_latest_state(live_server, demo, host) -> None:
    phone = Phone(live_server)
    phone.scan(demo.members[0])
    screen = phone.screen(demo.id)
    first = screen.wait_for(lambda s: True)["version"]
    screen.close()
    step(host, 1, "start_briefing")
    step(host, 1, "start_statement")
    latest = host.wait_for(lambda s: s["current"] and s["current"]["phase"] == "statement")
    back = phone.screen(demo.id)
    state = back.wait_for(lambda s: True)
    assert state["version"] == latest["version"] > first
    assert state["current"]["phase"] == "statement"
    assert back.send("sync") == {"ok": True, "version": latest["version"]}
    back.close()


def test_connections_are_refused_without_a_seat_or_a_sign_in(live_server, demo) -> None:
    other = make_meeting(representatives=1, title="另一个会议")
    phone = Phone(live_server)
    with pytest.raises(socketio.exceptions.ConnectionError):
        phone.screen(demo.id)  # no seat yet
    phone.scan(demo.members[0])
    with pytest.raises(socketio.exceptions.ConnectionError):
        phone.screen(other.id)  # a seat in one meeting opens no other
    with pytest.raises(socketio.exceptions.ConnectionError):
        Screen(live_server, demo.id, "staff", {}).connect()  # not signed in
    with pytest.raises(socketio.exceptions.ConnectionError):
        Screen(live_server, 999, "staff", staff_cookies(live_server)).connect()


def test_a_phone_cannot_send_the_hosts_events(live_server, demo, host) -> None:
    phone = Phone(live_server)
    phone.scan(demo.members[0])
    screen = phone.screen(demo.id)
    for event, payload in [
        ("step", {"position": 1, "step": "start_briefing"}),
        ("presence", {"member_id": demo.members[1].id, "present": True}),
        ("save_notes", {"position": 1, "field": "statement_notes", "text": "x"}),
    ]:
        assert screen.send(event, payload) == {"ok": False, "error": "此页面不能进行该操作。"}
    db.session.expire_all()
    assert demo.households[0].hearing.phase.value == "pending"
    screen.close()


def test_malformed_host_events_are_refused_and_change_nothing(live_server, demo, host) -> None:
    version = host.wait_for(lambda s: True)["version"]
    for event, payload in [
        ("step", {"position": "x", "step": "start_briefing"}),
        ("step", {"position": 1, "step": "drop_tables"}),
        ("presence", {"member_id": 10_000, "present": True}),
        ("extend", {"position": 1, "seconds": 60}),
    ]:
        assert host.send(event, payload)["ok"] is False, event
    db.session.expire_all()
    assert db.session.get(Meeting, demo.id).version == version


def test_joining_is_rate_limited_per_card(app, demo) -> None:
    from meeting.services.cards import join_token

    app.config["JOIN_RATE_LIMIT"] = "3 per minute"
    client = app.test_client()
    url = f"/j/{join_token(demo.members[0])}"
    answers = [client.get(url).status_code for _ in range(4)]
    assert answers == [302, 302, 302, 429]


def test_a_member_without_a_card_picks_their_name_and_the_host_confirms(
    live_server, demo, host
) -> None:
    from meeting.services.seats import entry_token

    member = demo.members[4]
    phone = Phone(live_server)
    entry = f"{live_server}/e/{demo.id}/{entry_token(demo)}"
    page = phone.browser.get(entry).text
    assert member.name in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    asked = phone.browser.post(entry, data={"csrf_token": token, "member_id": member.id})
    assert "正在等待主持人确认" in asked.text
    waiting_url = asked.url
    asking = host.wait_for(lambda s: s["seat_requests"], "the seat request")
    request = asking["seat_requests"]
    assert [(r["member_id"], r["name"]) for r in request] == [(member.id, member.name)]
    assert phone.browser.get(f"{live_server}/m/{demo.id}").status_code == 403  # not yet
    assert host.send("seat_request", {"request_id": request[0]["id"], "approve": True})["ok"]
    assert host.send("seat_request", {"request_id": request[0]["id"], "approve": True})["ok"]
    landed = phone.browser.get(waiting_url)
    assert landed.url == f"{live_server}/m/{demo.id}" and member.name in landed.text
    state = host.wait_for(
        lambda s: not s["seat_requests"], "the request handled", after=asking["version"]
    )
    assert next(m for m in state["members"] if m["id"] == member.id)["has_phone"]
    assert phone.browser.get(entry, allow_redirects=False).status_code == 302  # seated now
    assert Phone(live_server).browser.get(f"{entry}x").status_code == 404  # wrong token


def test_the_host_prints_one_new_card(live_server, demo, host) -> None:
    member = demo.members[2]
    assert host.send("new_card", {"member_id": member.id})["ok"]
    browser = requests.Session()
    browser.cookies.update(staff_cookies(live_server))
    sheet = browser.get(f"{live_server}/staff/meetings/{demo.id}/cards?member={member.id}").text
    assert sheet.count('<article class="card"') == 1 and member.name in sheet


def test_after_the_ballot_the_count_and_the_announcement_follow(live_server, demo, host) -> None:
    for member in voters(demo, Role.REPRESENTATIVE)[:15]:
        host.send("presence", {"member_id": member.id, "present": True})
    for name in ("start_briefing", "start_statement", "start_questioning", "open_ballot"):
        assert step(host, 1, name)["ok"]
    assert step(host, 1, "announce")["ok"] is False  # not before the count
    # nobody has voted: the host must confirm closing anyway
    refused = step(host, 1, "close_ballot")
    assert refused["ok"] is False and refused["code"] == "needs_confirmation"
    confirmed = host.send("step", {"position": 1, "step": "close_ballot", "confirm": True})
    assert confirmed == {"ok": True}
    assert (
        host.wait_for(lambda s: s["current"]["phase"] == "counted")["current"]["deadline"] is None
    )
    assert step(host, 1, "announce") == {"ok": True}
    announced = host.wait_for(lambda s: s["households"][0]["phase"] == "announced", "announced")
    assert host.send("show", {"position": None}) == {"ok": True}
    overview = host.wait_for(
        lambda s: s["current"] is None, "the overview", after=announced["version"]
    )
    assert overview["households"][0]["outcome"] == "deferred"
    assert step(host, 2, "start_briefing") == {"ok": True}  # the next household may begin
    # while it is heard, its card stays on every screen
    refused = host.send("show", {"position": 3})
    assert refused == {
        "ok": False,
        "error": "第 2 户的评议尚未结束，请先完成。",
        "code": "step_not_allowed",
    }


def test_each_screen_gets_labels_in_its_own_language(live_server, demo, host) -> None:
    chinese, english = Phone(live_server), Phone(live_server)
    chinese.scan(demo.members[0])
    english.scan(demo.members[1])
    zh, en = chinese.screen(demo.id), english.screen(demo.id, lang="en")
    assert step(host, 1, "start_briefing")["ok"]
    assert zh.wait_for(lambda s: s["current"])["current"]["phase_label"] == "通报核查情况"
    assert en.wait_for(lambda s: s["current"])["current"]["phase_label"] == "briefing"
    assert en.state["quorum"]["reasons"] == ["Villager representatives present: 2, fewer than 15."]
    zh.close()
    en.close()


def test_id_numbers_never_reach_any_screen(live_server, demo, host) -> None:
    household = demo.households[0]
    household.id_number = "620921195203150027"
    db.session.commit()
    phone = Phone(live_server)
    phone.scan(demo.members[0])
    screen = phone.screen(demo.id)
    assert step(host, 1, "start_briefing")["ok"]
    staff_state = host.wait_for(lambda s: s["current"], "the household")
    phone_state = screen.wait_for(lambda s: s["current"], "the household")
    assert staff_state["current"]["head_name"] == household.head_name
    assert household.id_number not in json.dumps(staff_state, ensure_ascii=False)
    assert household.id_number not in json.dumps(phone_state, ensure_ascii=False)
    browser = requests.Session()
    browser.cookies.update(staff_cookies(live_server))
    assert household.id_number not in browser.get(f"{live_server}/projector/{demo.id}").text
    screen.close()


def refusal(connect) -> str:
    with pytest.raises(socketio.exceptions.ConnectionError) as refused:
        connect()
    return str(refused.value)


def test_refused_connections_say_why(live_server, demo) -> None:
    phone = Phone(live_server)
    assert "这部手机还没有加入本次会议" in refusal(lambda: phone.screen(demo.id))
    assert "请先登录" in refusal(lambda: Screen(live_server, demo.id, "staff", {}).connect())


def test_signing_out_ends_the_open_connections_of_that_account(live_server, demo) -> None:
    cookies = staff_cookies(live_server)
    console = Screen(live_server, demo.id, "staff", cookies).connect()
    assert console.send("presence", {"member_id": demo.members[0].id, "present": True})["ok"]
    browser = requests.Session()
    browser.cookies.update(cookies)
    page = browser.get(f"{live_server}/staff/meetings").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert browser.post(f"{live_server}/logout", data={"csrf_token": token}).ok
    # the console is disconnected at once, and cannot come back without a sign-in
    wait_until(lambda: not console.client.connected, "the signed-out console disconnected")
    again = Screen(live_server, demo.id, "staff", cookies)
    with pytest.raises(socketio.exceptions.ConnectionError, match="请先登录"):
        again.connect()
    db.session.expire_all()
    assert not demo.members[1].present
    console.close()


def test_a_phone_whose_seat_was_freed_can_no_longer_act(live_server, demo, host) -> None:
    phone = Phone(live_server)
    phone.scan(demo.members[0])
    screen = phone.screen(demo.id)
    for name in ("start_briefing", "start_statement", "start_questioning"):
        step(host, 1, name)
    assert host.send("release_seat", {"member_id": demo.members[0].id})["ok"]
    # the freed phone is disconnected at once, and cannot come back into the meeting
    wait_until(lambda: not screen.client.connected, "the freed phone disconnected")
    with pytest.raises(socketio.exceptions.ConnectionError, match="这部手机还没有加入本次会议"):
        phone.screen(demo.id)
    screen.close()


def test_one_phone_cannot_hold_two_seats(live_server, demo, host) -> None:
    phone = Phone(live_server)
    assert phone.scan(demo.members[0]).status_code == 302
    second = phone.scan(demo.members[1])
    assert second.status_code == 409
    assert f"这部手机已绑定“{demo.members[0].name}”的座位" in second.text
    db.session.expire_all()
    assert not demo.members[1].present and demo.members[1].device_hash is None


def test_a_hand_raised_many_times_at_once_is_queued_once(live_server, demo, host) -> None:
    import threading

    phone = Phone(live_server)
    phone.scan(demo.members[0])
    screens = [phone.screen(demo.id) for _ in range(6)]  # six tabs of one phone
    for name in ("start_briefing", "start_statement", "start_questioning"):
        step(host, 1, name)
    answers: list[dict] = []
    threads = [
        threading.Thread(target=lambda s=s: answers.append(s.send("raise_hand"))) for s in screens
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [{"ok": True}] * 6
    db.session.expire_all()
    hearing = demo.households[0].hearing
    assert len(hearing.speak_requests) == 1
    for screen in screens:
        screen.close()


def test_one_change_moves_the_version_by_exactly_one(live_server, demo, host) -> None:
    representatives = voters(demo, Role.REPRESENTATIVE)
    for member in representatives[:15]:
        host.send("presence", {"member_id": member.id, "present": True})
    for name in ("start_briefing", "start_statement", "start_questioning", "open_ballot"):
        step(host, 1, name)
    # the answer comes before the state: wait for the state of the opened ballot
    version = host.wait_for(lambda s: s["current"]["phase"] == "voting", "the ballot")["version"]
    # this change logs two events (the absence and the broken quorum) in one transaction
    host.send("presence", {"member_id": representatives[0].id, "present": False})
    state = host.wait_for(lambda s: True, "the change", after=version)
    assert state["version"] == version + 1 and state["current"]["quorum_broken"]


def test_a_true_false_field_must_be_a_boolean(live_server, demo, host) -> None:
    member = demo.members[0]
    answer = host.send("presence", {"member_id": member.id, "present": "false"})
    assert answer == {"ok": False, "error": "请求格式有误。"}
    db.session.expire_all()
    assert not member.present


def test_a_card_scanned_in_during_a_ballot_that_breaks_the_quorum_is_recorded(
    live_server, demo, host
) -> None:
    from meeting.store.models import PanelMember as Member

    for member in voters(demo, Role.REPRESENTATIVE)[:15]:
        host.send("presence", {"member_id": member.id, "present": True})
    for member in voters(demo, Role.CADRE):
        host.send("presence", {"member_id": member.id, "present": True})
    for name in ("start_briefing", "start_statement", "start_questioning", "open_ballot"):
        assert step(host, 1, name)["ok"]
    # a sixth cadre arrives and scans their card
    extra = setup_sixth_cadre(demo)
    assert Phone(live_server).scan(extra).status_code == 302
    state = host.wait_for(lambda s: s["current"]["quorum_broken"], "the broken quorum")
    assert state["quorum"]["reasons"] == ["村干部到会 6 人，多于 5 人。"]
    db.session.expire_all()
    assert db.session.get(Member, extra.id).present


def setup_sixth_cadre(meeting: Meeting) -> PanelMember:
    from meeting.services import setup

    return db.session.get(PanelMember, setup.add_member(meeting.id, "临时干部", Role.CADRE, "test"))
