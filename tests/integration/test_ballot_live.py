"""The ballot over real websockets: a phone that fires its ballot many times at once, who
may cast, recusal seen on the phone, and the demo's bots running every household."""

from __future__ import annotations

import threading
from collections import Counter

from meeting.domain.roles import Role
from meeting.extensions import db
from meeting.store.models import BallotReceipt, Meeting, SecretBallot

from .ballot_helpers import tracker
from .live import Phone, Screen, close_all, staff_cookies


def seat_quorum(host: Screen, meeting: Meeting) -> None:
    for member in meeting.members:
        if member.role in (Role.REPRESENTATIVE, Role.CADRE):
            assert host.send("presence", {"member_id": member.id, "present": True})["ok"]


def to_ballot(host: Screen, position: int) -> None:
    for step in ("start_briefing", "start_statement", "start_questioning", "open_ballot"):
        assert host.send("step", {"position": position, "step": step})["ok"], step


def test_a_phone_sending_its_ballot_many_times_at_once_is_counted_once(
    live_server, demo, host
) -> None:
    seat_quorum(host, demo)
    member = next(m for m in demo.members if m.role is Role.REPRESENTATIVE)
    phone = Phone(live_server)
    phone.scan(member)
    screens = [phone.screen(demo.id) for _ in range(3)]  # the page open in three tabs
    to_ballot(host, 1)
    answers: list[dict] = []
    start = threading.Barrier(9)

    def send(i: int) -> None:
        start.wait()
        choice = ("eligible", "not_eligible", "abstain")[i % 3]
        payload = {
            "position": 1,
            "choice": choice,
            "tier": "A" if choice == "eligible" else None,
            "tracker": "RETRY234" if i < 3 else tracker(),
        }
        answers.append(screens[i % 3].send("cast_ballot", payload))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(a["status"] for a in answers) == {"recorded": 1, "already_recorded": 8}
    db.session.expire_all()
    assert db.session.query(BallotReceipt).count() == 1
    assert db.session.query(SecretBallot).count() == 1
    state = host.wait_for(lambda s: s["current"]["turnout"]["cast"] == 1, "one ballot")
    assert state["current"]["turnout"]["entitled"] == 23
    assert state["current"]["voted_ids"] == [member.id]
    close_all(screens)


def test_a_recused_member_sees_why_and_cannot_vote(live_server, demo, host) -> None:
    seat_quorum(host, demo)
    member = next(m for m in demo.members if m.role is Role.CADRE)
    phone = Phone(live_server)
    phone.scan(member)
    screen = phone.screen(demo.id)
    assert host.send("step", {"position": 1, "step": "start_briefing"})["ok"]
    declared = host.send("recuse", {"position": 1, "member_id": member.id, "reason": "申请人之子"})
    assert declared == {"ok": True}
    state = screen.wait_for(lambda s: s["current"]["recused"], "the recusal")
    assert state["current"]["recused"] == [
        {"member_id": member.id, "name": member.name, "reason": "申请人之子"}
    ]
    for step in ("start_statement", "start_questioning", "open_ballot"):
        assert host.send("step", {"position": 1, "step": step})["ok"]
    answer = screen.send(
        "cast_ballot", {"position": 1, "choice": "abstain", "tier": None, "tracker": tracker()}
    )
    assert answer == {
        "ok": False,
        "error": "您需回避此户，不参加此户的表决。",
        "code": "not_entitled_to_vote",
    }
    opened = screen.wait_for(lambda s: s["current"]["turnout"], "the open ballot")
    assert opened["current"]["turnout"]["entitled"] == 22
    screen.close()


def test_staff_cannot_cast_and_phones_cannot_run_the_ballot(live_server, demo, host) -> None:
    seat_quorum(host, demo)
    member = next(m for m in demo.members if m.role is Role.REPRESENTATIVE)
    phone = Phone(live_server)
    phone.scan(member)
    screen = phone.screen(demo.id)
    to_ballot(host, 1)
    ballot = {"position": 1, "choice": "abstain", "tier": None, "tracker": tracker()}
    assert host.send("cast_ballot", ballot)["ok"] is False
    for event, payload in [
        ("step", {"position": 1, "step": "close_ballot", "confirm": True}),
        ("paper_ballot", ballot),
        ("bot_votes", {"position": 1}),
        ("show_trackers", {"position": 1, "shown": True}),
    ]:
        assert screen.send(event, payload)["ok"] is False
    db.session.expire_all()
    assert db.session.query(SecretBallot).count() == 0
    screen.close()


def test_the_demo_runs_all_31_households_with_bots_to_a_summary(live_server, demo, host) -> None:
    seat_quorum(host, demo)
    projector = Screen(live_server, demo.id, "staff", staff_cookies(live_server)).connect()
    for household in demo.households:
        to_ballot(host, household.position)
        answer = host.send("bot_votes", {"position": household.position})
        assert answer == {"ok": True, "count": 23}
        counted = host.wait_for(
            lambda s, p=household.position: (
                s["current"]
                and s["current"]["position"] == p
                and s["current"]["phase"] == "counted"
            ),
            f"household {household.position} counted",
        )
        result = counted["current"]["result"]
        assert result["cast"] == result["entitled"] == 23
        assert host.send("step", {"position": household.position, "step": "announce"})["ok"]
    assert host.send("show", {"position": None}) == {"ok": True}
    summary = projector.wait_for(
        lambda s: s["current"] is None and all(h["outcome"] for h in s["households"]),
        "the summary",
    )
    assert len(summary["households"]) == 31
    assert sum(h["persons"] for h in summary["households"]) == 59
    assert {h["outcome"] for h in summary["households"]} <= {"eligible", "not_eligible", "deferred"}
    projector.close()
