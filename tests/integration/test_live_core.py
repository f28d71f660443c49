"""The live core: one transaction per action, a coalesced push, cached states, every event
answered even when the database is busy, and screens that are right again after missing
states (docs/protocol.md v3, docs/architecture.md)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest

from meeting.domain.roles import Role
from meeting.extensions import db
from meeting.realtime import push
from meeting.realtime.state import build_states, forget_layouts
from meeting.services import (
    casting,
    corrections,
    counting,
    hearings,
    notes,
    presence,
    recusals,
    setup,
    speaking,
)
from meeting.services.demo import bot_votes
from meeting.store import live_reads
from meeting.store.models import Meeting, SecretBallot

from .ballot_helpers import ballot, seat_of, tracker
from .live import Phone, Screen, close_all, staff_cookies

ALL_VIEWS = {("zh", "staff"), ("zh", "member"), ("en", "staff"), ("en", "member")}


def voters(meeting: Meeting, role: Role | None = None) -> list:
    return [m for m in meeting.members if m.votes and (role is None or m.role is role)]


def fresh_states(meeting_id: int) -> dict:
    """Every view's state as the push builds it, and built again with no cache at all."""
    session = db.session()
    with live_reads.snapshot(session):
        cached = build_states(session, meeting_id, ALL_VIEWS)
    forget_layouts()
    with live_reads.snapshot(session):
        fresh = build_states(session, meeting_id, ALL_VIEWS)
    for states in (cached, fresh):
        for state in states.values():
            state.pop("server_time")
    return cached, fresh


def test_the_cached_layout_gives_the_state_a_fresh_build_gives_after_every_verb(app, demo):
    mid = demo.id
    reps, cadres = voters(demo, Role.REPRESENTATIVE), voters(demo, Role.CADRE)
    actions = [
        lambda: fresh_states(mid),  # fill the cache first
        *[lambda m=m: presence.set_presence(mid, m.id, True, "host") for m in reps[:16]],
        lambda: presence.set_presence(mid, cadres[0].id, True, "host"),
        lambda: seat_of(reps[0]),  # the first member scans their card
        lambda: casting.mark_paper_voter(mid, reps[1].id, True, "host"),
        lambda: hearings.show_household(mid, 1, "host"),  # the card on every screen
        lambda: recusals.recuse(mid, 1, reps[3].id, "申请人的侄子", "host"),
        lambda: recusals.withdraw_recusal(mid, 1, reps[3].id, "host"),
        lambda: recusals.recuse(mid, 1, reps[2].id, "申请人的女婿", "host"),
        lambda: setup.update_member(mid, reps[2].id, "改名代表", Role.REPRESENTATIVE, "clerk"),
        lambda: hearings.start_briefing(mid, 1, "host"),
        lambda: hearings.extend_phase(mid, 1, 60, "host"),
        lambda: hearings.start_statement(mid, 1, "host"),
        lambda: notes.save_notes(mid, 1, "statement_notes", "家中无固定收入", "secretary"),
        lambda: hearings.start_questioning(mid, 1, "host"),
        lambda: speaking.raise_hand(seat_of(reps[0])),
        lambda: hearings.open_ballot(mid, 1, "host", confirmed=True),
        lambda: casting.cast_ballot(seat_of(reps[0]), 1, ballot("not_eligible"), tracker()),
        lambda: presence.set_everyone_present(mid, False, "host"),  # suspends it
        *[lambda m=m: presence.set_presence(mid, m.id, True, "host") for m in reps[:16]],
        lambda: corrections.resume_ballot(mid, 1, "host"),
        lambda: corrections.void_ballot(mid, 1, "开票过早", "host"),
        lambda: corrections.step_back(mid, 1, "补充陈述", "host"),
        lambda: hearings.start_questioning(mid, 1, "host"),
        lambda: hearings.open_ballot(mid, 1, "host"),
        lambda: casting.cast_ballot(seat_of(reps[0]), 1, ballot("eligible", "B"), tracker()),
        lambda: casting.receive_paper_slip(mid, 1, reps[1].id, "scrutineer"),
        lambda: casting.enter_paper_ballot(mid, 1, ballot("abstain"), tracker(), "scrutineer"),
        lambda: presence.set_presence(mid, reps[15].id, False, "host"),
        lambda: bot_votes(mid, 1, "host"),  # the last bot's ballot closes it
        lambda: counting.show_trackers(mid, 1, True, "host"),
        lambda: hearings.announce(mid, 1, "host"),
        lambda: hearings.show_household(mid, None, "host"),
        lambda: corrections.defer_household(mid, 3, "申请人未到", "host"),
        lambda: corrections.move_household(mid, 3, 2, "提前评议", "host"),
        lambda: hearings.show_household(mid, 2, "host"),
    ]
    for number, action in enumerate(actions):
        action()
        db.session.expire_all()
        cached, fresh = fresh_states(mid)
        assert cached == fresh, f"action {number}"
    # the walk really went through the states that matter
    staff = fresh[("zh", "staff")]
    assert staff["households"][0]["outcome"] is not None
    assert staff["current"]["position"] == 2 and staff["current"]["phase"] == "postponed"
    assert {"position": 2, "correction": "skip"} in staff["corrections"]


def test_a_ballot_moves_the_version_but_not_the_layout(app, demo):
    mid = demo.id
    for member in voters(demo)[:20]:
        presence.set_presence(mid, member.id, True, "host")
    for step in (
        hearings.start_briefing,
        hearings.start_statement,
        hearings.start_questioning,
        hearings.open_ballot,
    ):
        step(mid, 1, "host")
    seat = seat_of(voters(demo)[0])
    db.session.expire_all()
    before = db.session.get(Meeting, mid)
    version, layout = before.version, before.layout_version
    casting.cast_ballot(seat, 1, ballot("abstain"), tracker())
    db.session.expire_all()
    after = db.session.get(Meeting, mid)
    assert (after.version, after.layout_version) == (version + 1, layout)
    hearings.close_ballot(mid, 1, "host", confirmed=True)
    db.session.expire_all()
    assert db.session.get(Meeting, mid).layout_version == layout + 1


def test_a_refused_action_changes_nothing_and_moves_no_version(app, demo):
    mid = demo.id
    version = db.session.get(Meeting, mid).version
    with pytest.raises(Exception, match=r"[Cc]annot"):
        hearings.open_ballot(mid, 1, "host")  # not after questioning
    db.session.expire_all()
    assert db.session.get(Meeting, mid).version == version
    hearings.show_household(mid, None, "host")  # already the overview: nothing to do
    db.session.expire_all()
    assert db.session.get(Meeting, mid).version == version


class SlowBuild:
    """A build that waits for the test to let it go, counting how often it is asked."""

    def __init__(self) -> None:
        self.calls = 0
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self, session: Any, meeting_id: int, wanted: set) -> dict:
        self.calls += 1
        self.started.set()
        assert self.release.wait(10)
        return {}


def test_changes_during_a_build_go_out_together_in_one_more_build(app, demo, monkeypatch):
    pusher = app.extensions["meeting.pusher"]
    slow = SlowBuild()
    monkeypatch.setattr(push, "build_states", slow)
    monkeypatch.setattr(push.audience, "watching", lambda *_: {("zh", "staff")})
    pusher.mark(demo.id)
    assert slow.started.wait(10)
    for _ in range(20):  # twenty changes commit while the first state is being built
        pusher.mark(demo.id)
    slow.started.clear()
    slow.release.set()
    assert slow.started.wait(10)  # the second build, for all twenty
    assert pusher.settled(demo.id)
    assert slow.calls == 2
    slow.started.clear()
    pusher.mark(demo.id)  # a quiet meeting's next change is built at once
    assert slow.started.wait(10) and pusher.settled(demo.id)
    assert slow.calls == 3


def test_a_burst_of_ballots_over_websockets_is_answered_and_counted_once_each(
    live_server, demo, host
):
    phones, screens = [], []
    for member in voters(demo):
        phone = Phone(live_server)
        assert phone.scan(member).status_code == 302
        phones.append(phone)
        screens.append(phone.screen(demo.id))
    try:
        for verb in ("start_briefing", "start_statement", "start_questioning", "open_ballot"):
            assert host.send(verb, {"position": 1}) == {"ok": True}
        start = threading.Barrier(len(screens) * 2)
        answers: list[dict] = []

        def vote(screen: Screen, code: str) -> None:
            start.wait()
            payload = {"position": 1, "choice": "abstain", "tier": None, "tracker": code}
            answers.append(screen.send("cast_ballot", payload))

        codes = {id(s): tracker() for s in screens}
        threads = [threading.Thread(target=vote, args=(s, codes[id(s)])) for s in screens + screens]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        statuses = Counter(a.get("status") for a in answers)
        assert statuses == {"recorded": len(screens), "already_recorded": len(screens)}, answers
        counted = host.wait_for(lambda s: s["current"]["phase"] == "counted", "the count")
        assert counted["current"]["result"]["abstain"] == len(screens)
        db.session.expire_all()
        assert db.session.query(SecretBallot).count() == len(screens)
    finally:
        close_all(screens)


def test_a_screen_that_missed_states_is_right_at_its_next_state_or_its_reconnect(
    live_server, demo, host
):
    member = voters(demo)[0]
    phone = Phone(live_server)
    phone.scan(member)
    screen = phone.screen(demo.id)
    seen = screen.version
    screen.close()  # the phone's screen goes dark: it misses what follows
    for other in voters(demo)[1:16]:
        assert host.send("presence", {"member_id": other.id, "present": True})["ok"]
    assert host.send("start_briefing", {"position": 1}) == {"ok": True}
    latest = host.wait_for(lambda s: s["current"] and s["current"]["phase"] == "briefing")
    again = phone.screen(demo.id)  # it comes back: the whole state at once
    state = again.wait_for(lambda s: s["version"] >= latest["version"], "the state now")
    assert state["version"] > seen + 15
    assert state["current"]["phase"] == "briefing" and state["quorum"]["holds"]
    assert sorted(state["present_ids"]) == sorted(latest["present_ids"])
    # a screen that ignores states (a slow phone) needs only the next one to be right
    assert host.send("start_statement", {"position": 1}) == {"ok": True}
    following = again.wait_for(lambda s: s["current"]["phase"] == "statement", "the next")
    session = db.session()
    with live_reads.snapshot(session):
        truth = build_states(session, demo.id, {("zh", "member")})[("zh", "member")]
    following.pop("server_time"), truth.pop("server_time")
    assert following == truth
    close_all([again])


def test_every_event_is_answered_when_no_database_connection_is_free(tmp_path, monkeypatch) -> None:
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from meeting import create_app
    from meeting.services.demo import ensure_demo
    from meeting.services.staff import create_staff

    app = create_app(
        {
            "TESTING": True,
            "server": {"db_pool_size": 2, "db_pool_overflow": 0, "db_pool_timeout_s": 0.3},
        },
        instance_path=str(tmp_path / "instance"),
    )
    with app.app_context():
        upgrade()
        create_staff("clerk", "correct horse")
        demo, _ = ensure_demo()
        mid, member = demo.id, voters(demo)[0]
        server = make_server("127.0.0.1", 0, app, threaded=True)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        phone = Phone(base)
        phone.scan(member)
        screen = phone.screen(mid)
        host = Screen(base, mid, "staff", staff_cookies(base)).connect()
        db.session.remove()
        # every connection of the pool is taken (a stuck report, a slow disk)
        held = [db.engine.connect() for _ in range(2)]
        try:
            for event, client, payload in [
                ("raise_hand", screen, {}),
                ("cast_ballot", screen, {"position": 1, "choice": "abstain", "tracker": tracker()}),
                ("presence", host, {"member_id": member.id, "present": False}),
                ("start_briefing", host, {"position": 1}),
                ("sync", host, {}),
            ]:
                answer = client.send(event, payload)
                assert answer["ok"] is False and answer.get("busy") is True, (event, answer)
                assert answer["error"] == "服务器繁忙，正在重试…"
        finally:
            for connection in held:
                connection.close()
        # the same request again, once a connection is free, is simply done
        assert host.send("start_briefing", {"position": 1}) == {"ok": True}
        assert host.wait_for(lambda s: s["current"] and s["current"]["phase"] == "briefing")
        close_all([screen, host])
        server.shutdown()
        db.session.remove()
        db.engine.dispose()


def test_the_host_is_sent_its_possible_steps_and_each_verb_has_its_own_event(
    live_server, demo, host
):
    state = host.wait_for(lambda s: True)
    assert {"position": 1, "step": "start_briefing"} in state["steps"]
    assert len(state["steps"]) == len(demo.households)  # any household may begin
    assert host.send("start_briefing", {"position": 1}) == {"ok": True}
    state = host.wait_for(lambda s: s["current"] and s["current"]["phase"] == "briefing")
    assert state["steps"] == [{"position": 1, "step": "start_statement"}]
    refused = host.send("open_ballot", {"position": 1})
    assert refused["ok"] is False and refused["code"] == "step_not_allowed"
    # protocol v2's `step` still works for older consoles: the same verb
    assert host.send("step", {"position": 1, "step": "start_statement"}) == {"ok": True}
    bad = host.send("step", {"position": 1, "step": "drop_tables"})
    assert bad == {"ok": False, "error": "请求格式有误。"}
    pong = host.send("ping")
    assert pong["ok"] is True and pong["server_time"].endswith("+00:00")


def test_a_phone_never_receives_the_staff_only_parts(live_server, demo, host):
    phone = Phone(live_server)
    phone.scan(voters(demo)[0])
    screen = phone.screen(demo.id)
    assert host.send("start_briefing", {"position": 1}) == {"ok": True}
    state = screen.wait_for(lambda s: s["current"], "the household")
    assert not {"members", "seat_requests", "notes", "steps"} & set(state)
    assert "findings" not in state["current"]
    close_all([screen])


def handshake_extensions(base: str) -> str:
    """The extensions the server accepts when a client offers permessage-deflate, as every
    browser does (a raw websocket handshake, read as a browser would)."""
    import websocket

    url = base.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    connection = websocket.create_connection(
        url, header=["Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"]
    )
    try:
        return (connection.getheaders() or {}).get("sec-websocket-extensions", "")
    finally:
        connection.close()


def test_the_server_declines_websocket_compression_unless_configured(
    live_server, tmp_path, migrated_database
) -> None:
    import shutil

    from werkzeug.serving import make_server

    from meeting import create_app

    assert handshake_extensions(live_server) == ""  # the default: states go uncompressed
    instance = tmp_path / "compressing"
    instance.mkdir()
    shutil.copyfile(migrated_database, instance / "meeting.sqlite3")
    app = create_app(
        {"TESTING": True, "server": {"websocket_compression": True}}, instance_path=str(instance)
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        accepted = handshake_extensions(f"http://127.0.0.1:{server.server_port}")
        assert accepted.startswith("permessage-deflate")
    finally:
        server.shutdown()
