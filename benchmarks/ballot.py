"""The secret ballot under load: 23 phones casting at once, and the close (reseal, count
and scrub of the database) for each household of the demo meeting.

Serves the demo meeting from a temporary SQLite file with `meeting serve` in its own
process (the embedded server: threading + simple-websocket), so that the phones' clients,
real Socket.IO clients over websockets in this process, do not share its interpreter:

    .venv/bin/python benchmarks/ballot.py --households 10

For each household: every phone sends its ballot at the same moment; measured are the time
until the last phone has its answer, and until the host screen has the count (the ballot
closes by itself at the last ballot, so this includes the reseal, the tally, the WAL
checkpoint and VACUUM). Prints medians and the slowest. The machine is shared and noisy:
compare runs made one after the other.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade

from meeting import create_app
from meeting.extensions import db
from meeting.services.demo import ensure_demo
from meeting.services.staff import create_staff
from tests.integration.live import Phone, Screen, close_all, staff_cookies

BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=10)
    args = parser.parse_args()

    instance = tempfile.mkdtemp(prefix="meeting-bench-")
    app = create_app({"TESTING": True}, instance_path=instance)
    with app.app_context():
        upgrade()
        create_staff("bench", "bench-password")
        meeting, _ = ensure_demo()
        db.session.commit()
        server, base = serve(instance)
        voters = [m for m in meeting.members if m.votes]
        screens = []
        for member in voters:
            phone = Phone(base)
            phone.scan(member)
            screens.append(phone.screen(meeting.id))
        host = Screen(base, meeting.id, "staff", staff_cookies(base, "bench", "bench-password"))
        host.connect()

        answered, counted = [], []
        for household in meeting.households[: args.households]:
            position = household.position
            for step in ("start_briefing", "start_statement", "start_questioning", "open_ballot"):
                assert host.send("step", {"position": position, "step": step})["ok"]
            start = threading.Barrier(len(screens) + 1)
            answers: list[dict] = []

            def vote(
                screen: Screen, position: int = position, start=start, answers=answers
            ) -> None:
                code = "".join(secrets.choice(BASE32) for _ in range(8))
                start.wait()
                answers.append(
                    screen.send(
                        "cast_ballot",
                        {"position": position, "choice": "abstain", "tier": None, "tracker": code},
                    )
                )

            threads = [threading.Thread(target=vote, args=(s,)) for s in screens]
            for thread in threads:
                thread.start()
            start.wait()
            began = time.perf_counter()
            for thread in threads:
                thread.join()
            answered.append(time.perf_counter() - began)
            host.wait_for(
                lambda s, p=position: (
                    bool(s["current"])
                    and s["current"]["position"] == p
                    and s["current"]["phase"] == "counted"
                ),
                "the count",
            )
            counted.append(time.perf_counter() - began)
            assert all(a["ok"] and a["status"] == "recorded" for a in answers), answers
            assert host.send("step", {"position": position, "step": "announce"})["ok"]

        def ms(values: list[float]) -> str:
            return (
                f"median {statistics.median(values) * 1000:.0f} ms, "
                f"slowest {max(values) * 1000:.0f} ms"
            )

        print(f"{len(screens)} phones casting at once, {len(answered)} households")
        print(f"  last phone answered:        {ms(answered)}")
        print(f"  host has the count (closed): {ms(counted)}")
        close_all([host, *screens])
        server.terminate()
        server.wait(timeout=10)


def serve(instance: str) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "meeting", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, "MEETING_INSTANCE": instance},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                return server, base
        except OSError:
            time.sleep(0.05)  # the server is starting; nothing else to wait on
    raise SystemExit("the server did not start")


if __name__ == "__main__":
    main()
