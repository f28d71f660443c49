"""One phone cannot stall the hall: a socket firing 3,000 malformed ballots is answered
(refused, or told to wait) without raising the server's thread count, and the honest
phones' ballots are all recorded meanwhile. The latency ratio is measured by the
benchmark (benchmarks/live_core.py flood), not asserted here."""

from __future__ import annotations

import threading
import time
from collections import Counter

from meeting.extensions import db
from meeting.store.models import SecretBallot

from .ballot_helpers import tracker
from .live import WAIT, Phone, Screen, close_all, wait_until

FLOOD = 3000


def test_a_flooding_phone_is_refused_cheaply_and_the_honest_ballots_all_count(
    live_server, demo, host
) -> None:
    members = [m for m in demo.members if m.votes]
    screens: list[Screen] = []
    for member in members:
        phone = Phone(live_server)
        assert phone.scan(member).status_code == 302
        screens.append(phone.screen(demo.id))
    honest, flooder = screens[:-1], screens[-1]
    try:
        for verb in ("start_briefing", "start_statement", "start_questioning", "open_ballot"):
            assert host.send(verb, {"position": 1}) == {"ok": True}
        threads_before = threading.active_count()
        peak = [threads_before]
        answers: Counter[str] = Counter()
        answered = threading.Event()
        guard = threading.Lock()

        def on_answer(answer: dict) -> None:
            with guard:
                answers[answer.get("code") or answer.get("error", "ok")] += 1
                if sum(answers.values()) == FLOOD:
                    answered.set()

        flooding = True

        def watch_threads() -> None:
            while flooding:
                peak[0] = max(peak[0], threading.active_count())
                time.sleep(0.01)  # sampling the thread count, not waiting for anything

        watcher = threading.Thread(target=watch_threads)
        watcher.start()
        bad = {"position": "x", "choice": 7, "tracker": None}
        for _ in range(FLOOD):
            flooder.client.emit("cast_ballot", bad, callback=on_answer)
        results: list[dict] = []

        def vote(screen: Screen) -> None:
            payload = {"position": 1, "choice": "abstain", "tier": None, "tracker": tracker()}
            for _attempt in range(20):  # as the phone's own retry does with a busy answer
                answer = screen.send("cast_ballot", payload)
                if not answer.get("busy"):
                    break
            results.append(answer)

        voters = [threading.Thread(target=vote, args=(s,)) for s in honest]
        for thread in voters:
            thread.start()
        for thread in voters:
            thread.join(timeout=WAIT * 3)
        assert answered.wait(WAIT * 6), f"only {sum(answers.values())} of {FLOOD} answered"
        flooding = False
        watcher.join()
        # every flood event got an answer, none did anything: malformed, or over the budget
        assert set(answers) <= {"rate_limited", "The request was malformed.", "请求格式有误。"}
        assert answers["rate_limited"] > FLOOD / 2
        # no thread per event: beyond this test's own (voters, watcher) the count stays
        # near the number of connections
        grown = peak[0] - threads_before - len(voters) - 1
        assert grown < 20, (peak[0], threads_before)
        assert Counter(r.get("status") for r in results) == {"recorded": len(honest)}, results
        wait_until(lambda: _ballots() == len(honest), f"{len(honest)} ballots stored, once each")
    finally:
        close_all(screens)


def _ballots() -> int:
    db.session.expire_all()
    return db.session.query(SecretBallot).count()
