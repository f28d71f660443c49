"""How long from a host's action to the last phone showing it, with N phones connected.

Runs the app in this process on a temporary SQLite file, served by the embedded server
(threading + simple-websocket) on loopback, with real Socket.IO clients over websockets:

    .venv/bin/python benchmarks/broadcast_latency.py --phones 20 --actions 40

Prints the median and the 95th percentile in milliseconds. The machine is shared and noisy:
compare runs made one after the other, not figures from different days.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from werkzeug.serving import make_server

from meeting import create_app
from meeting.domain.roles import Role
from meeting.services.demo import ensure_demo
from meeting.services.staff import create_staff
from tests.integration.live import Phone, Screen, staff_cookies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=20)
    parser.add_argument("--actions", type=int, default=40)
    args = parser.parse_args()

    instance = tempfile.mkdtemp(prefix="meeting-bench-")
    app = create_app(
        {"TESTING": True, "JOIN_RATE_LIMIT": "1000 per minute"}, instance_path=instance
    )
    with app.app_context():
        upgrade()
        create_staff("bench", "bench-password")
        meeting, _ = ensure_demo()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        voters = [m for m in meeting.members if m.votes][: args.phones]
        screens = []
        for member in voters:
            phone = Phone(base)
            phone.scan(member)
            screens.append(phone.screen(meeting.id))
        host = Screen(base, meeting.id, "staff", staff_cookies(base, "bench", "bench-password"))
        host.connect()
        target = next(m for m in meeting.members if m.role is Role.HOST)
        latencies = []
        for i in range(args.actions):
            version = host.wait_for(lambda s: True)["version"]
            started = time.perf_counter()
            answer = host.send("presence", {"member_id": target.id, "present": i % 2 == 0})
            assert answer["ok"], answer
            for screen in screens:
                screen.wait_for(lambda s, v=version: s["version"] > v, "the change")
            latencies.append((time.perf_counter() - started) * 1000)
        for screen in [*screens, host]:
            screen.close()
        server.shutdown()
    latencies.sort()
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    print(
        f"{args.phones} phones, {args.actions} host actions: host action -> last phone shows it: "
        f"median {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms, "
        f"min {latencies[0]:.1f} ms, max {latencies[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
