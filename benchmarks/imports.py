"""Import times of the panel and the household list at 1k, 8k and 20k rows, next to their floor.

Imports generated files through the app's own service (as the upload page does) into fresh
meetings of one SQLite database in a temporary folder, with the row limit raised to the
largest size, and prints the medians of a few runs:

    .venv/bin/python benchmarks/imports.py members [--sizes 1000 8000 20000] [--runs 3]
    .venv/bin/python benchmarks/imports.py households [--format xlsx]
    .venv/bin/python benchmarks/imports.py during [--rows 8000] [--runs 3]

For each size: the whole import, its time per row, and how long it held SQLite's one writer
(from its first write to its commit: what every other meeting's ballots wait for). The
floor, measured in the same run on the same file and database: the bare parse (the csv
module or openpyxl alone) plus the bare write (one sqlite3 executemany per table of the
same rows, with the app's pragmas). Linear means the same time per row at every size: the
last line prints the largest size's time per row over the smallest's.

``during``: `meeting serve` (gevent) in its own process, as in benchmarks/live_core.py; 25
phones of one meeting cast over 10 s while a clerk imports panels of ``--rows`` members
into new meetings one after another, by the upload page; its floor is the same round of
ballots with no import, just before. Ballot times count from the first send to the
recorded answer, resends after "busy" included.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import io
import os
import random
import re
import secrets
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests
from flask_migrate import upgrade
from openpyxl import load_workbook
from sqlalchemy import event

from benchmarks.live_core import (
    PASSWORD,
    STAFF,
    Bench,
    Room,
    close_rooms,
    host_call,
    host_steps,
    pct,
    tracker,
    with_rooms,
)
from meeting import create_app
from meeting.domain.categories import ApplicationType, AssistanceKind
from meeting.domain.findings import FindingHeading
from meeting.domain.phases import Phase
from meeting.domain.roles import Role
from meeting.extensions import db
from meeting.imports.blank_files import spreadsheet
from meeting.services import setup
from meeting.store.sqlite import apply_pragmas

INVESTIGATOR = "冯建军"
HOUSEHOLD_HEADERS = ["户主姓名", "家庭人口", "住址或村民小组", "调查人员", "建议档次", "看房产"]


def member_rows(n: int) -> list[list[str]]:
    roles = ("村民代表", "村民代表", "村民代表", "村干部", "调查人员")
    return [["姓名", "角色"]] + [[f"代表{i:05d}", roles[i % len(roles)]] for i in range(n)]


def household_rows(n: int) -> list[list[str]]:
    return [HOUSEHOLD_HEADERS] + [
        [f"户主{i:05d}", str(1 + i % 6), f"{i % 12 + 1}组", INVESTIGATOR, "二档", "两间旧平房"]
        for i in range(n)
    ]


def encode(rows: list[list[str]], fmt: str) -> bytes:
    return spreadsheet(rows, fmt)


def bare_parse(data: bytes, fmt: str) -> list[list[Any]]:
    """The format's library alone: what any reading of the file costs."""
    if fmt == "csv":
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


# --- the bare write: the same rows, one sqlite3 executemany per table ----------------------


def bare_write_members(path: Path, meeting_id: int, n: int) -> float:
    rows = [
        (meeting_id, name, Role.REPRESENTATIVE.value, i + 1, 0, 1, secrets.token_hex(32), 0, 0)
        for i, (name, _) in enumerate(member_rows(n)[1:])
    ]

    def write(connection: sqlite3.Connection) -> None:
        connection.executemany(
            "INSERT INTO panel_member (meeting_id, name, role, position, present,"
            " card_generation, join_token_hash, votes_on_paper, scrutineer)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    return _timed_write(path, write)


def bare_write_households(path: Path, meeting_id: int, n: int) -> float:
    kind, new = AssistanceKind.RURAL_MINIMUM_LIVING.value, ApplicationType.NEW.value
    rows = [
        (meeting_id, i + 1, head, int(persons), place, kind, new, "B")
        for i, (head, persons, place, *_) in enumerate(household_rows(n)[1:])
    ]

    def write(connection: sqlite3.Connection) -> None:
        connection.executemany(
            "INSERT INTO household (meeting_id, position, head_name, persons, address,"
            " category, application_type, proposed_tier) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        ids = [
            row[0]
            for row in connection.execute(
                "SELECT id FROM household WHERE meeting_id = ? ORDER BY position", (meeting_id,)
            )
        ]
        connection.executemany(
            "INSERT INTO hearing (household_id, phase, statement_notes, questioning_notes,"
            " trackers_on_projector, ballot_round) VALUES (?, ?, '', '', 0, 1)",
            [(i, Phase.PENDING.value) for i in ids],
        )
        connection.executemany(
            "INSERT INTO household_finding (household_id, heading, text) VALUES (?, ?, ?)",
            [(i, FindingHeading.HOUSING.value, "两间旧平房") for i in ids],
        )

    return _timed_write(path, write)


def _timed_write(path: Path, write: Callable[[sqlite3.Connection], None]) -> float:
    connection = sqlite3.connect(path, isolation_level=None)
    apply_pragmas(connection)
    try:
        start = time.perf_counter()
        connection.execute("BEGIN")
        write(connection)
        connection.execute("COMMIT")
        return time.perf_counter() - start
    finally:
        connection.close()


# --- the import ----------------------------------------------------------------------------


class WriterClock:
    """How long each transaction held SQLite's writer: from its first write to its end."""

    def __init__(self, engine: Any) -> None:
        self.started: float | None = None
        self.held: list[float] = []
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if self.started is None and statement.lstrip()[:6].upper() in ("INSERT", "UPDATE"):
            self.started = time.perf_counter()

    def _end(self, _conn: Any) -> None:
        if self.started is not None:
            self.held.append(time.perf_counter() - self.started)
            self.started = None


def new_meeting() -> int:
    meeting_id = setup.create_meeting(
        setup.MeetingDetails(
            "导入测速", "村委会", dt.date(2026, 12, 1), AssistanceKind.RURAL_MINIMUM_LIVING
        ),
        "bench",
    )
    setup.add_member(meeting_id, INVESTIGATOR, Role.INVESTIGATOR, "bench")
    return meeting_id


def measure(what: str, fmt: str, n: int, runs: int, path: Path, clock: WriterClock) -> dict:
    rows = member_rows(n) if what == "members" else household_rows(n)
    data = encode(rows, fmt)
    importer = setup.import_members if what == "members" else setup.import_households
    bare_write = bare_write_members if what == "members" else bare_write_households
    times: dict[str, list[float]] = {"import": [], "held": [], "parse": [], "write": []}
    for _ in range(runs):
        meeting_id = new_meeting()
        db.session.remove()
        start = time.perf_counter()
        parsed = bare_parse(data, fmt)
        times["parse"].append(time.perf_counter() - start)
        assert len(parsed) == n + 1
        times["write"].append(bare_write(path, new_meeting(), n))
        db.session.remove()
        clock.held.clear()
        start = time.perf_counter()
        assert importer(meeting_id, f"{what}.{fmt}", data, "bench") == n
        times["import"].append(time.perf_counter() - start)
        times["held"].append(max(clock.held))
        db.session.remove()
    return {key: statistics.median(values) for key, values in times.items()} | {
        "kb": len(data) / 1024
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def run(what: str, args: argparse.Namespace) -> None:
    app = create_app(
        {
            "TESTING": True,
            "server": {"async_mode": "threading", "import_row_limit": max(args.sizes)},
        },
        instance_path=tempfile.mkdtemp(prefix="meeting-bench-"),
    )
    with app.app_context():
        upgrade()
        path = Path(app.instance_path) / "meeting.sqlite3"
        clock = WriterClock(db.engine)
        measure(what, args.format, 100, 1, path, clock)  # catalogues and statements warm
        print(f"{what}, {args.format}, medians of {args.runs} runs")
        print(
            f"{'rows':>7} {'file':>8} {'import':>9} {'per row':>9} {'writer held':>12}"
            f" {'floor: parse':>13} {'+ write':>9} {'import/floor':>13}"
        )
        per_row = {}
        for n in args.sizes:
            m = measure(what, args.format, n, args.runs, path, clock)
            per_row[n] = m["import"] / n
            floor = m["parse"] + m["write"]
            print(
                f"{n:>7,} {m['kb']:>6.0f}KB {ms(m['import']):>9} {per_row[n] * 1e6:>6.0f} µs"
                f" {ms(m['held']):>12} {ms(m['parse']):>13} {ms(m['write']):>9}"
                f" {m['import'] / floor:>12.1f}x"
            )
        smallest, largest = min(args.sizes), max(args.sizes)
        print(
            f"time per row at {largest:,} rows / at {smallest:,} rows:"
            f" {per_row[largest] / per_row[smallest]:.2f} (1.00 is linear)"
        )
        db.session.remove()
        db.engine.dispose()


# --- ballots during imports ------------------------------------------------------------------


class Clerk:
    """A signed-in staff browser that makes meetings and imports panels into them."""

    def __init__(self, base: str, username: str, password: str) -> None:
        self.base, self.browser = base, requests.Session()
        self.token = self._token("/login")
        self.browser.post(
            base + "/login",
            data={"csrf_token": self.token, "username": username, "password": password},
        )
        self.token = self._token("/staff/meetings/new")

    def _token(self, path: str) -> str:
        page = self.browser.get(self.base + path).text
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def new_meeting(self) -> int:
        answer = self.browser.post(
            self.base + "/staff/meetings/new",
            data={
                "csrf_token": self.token,
                "title": "导入测速",
                "place": "村委会",
                "held_on": "2026-12-01",
                "kind": AssistanceKind.RURAL_MINIMUM_LIVING.value,
            },
            allow_redirects=False,
        )
        return int(answer.headers["Location"].rstrip("/").rsplit("/", 1)[1])

    def import_panel(self, meeting_id: int, filename: str, data: bytes) -> float:
        started = time.perf_counter()
        answer = self.browser.post(
            f"{self.base}/staff/meetings/{meeting_id}/import",
            data={"csrf_token": self.token, "what": "members"},
            files={"file": (filename, data)},
            allow_redirects=False,
        )
        if answer.status_code != 302:
            raise SystemExit(f"the import was refused: {answer.status_code}")
        return time.perf_counter() - started

    def import_until(self, stop: threading.Event, filename: str, data: bytes) -> list[float]:
        """Import the file into one new meeting after another until ``stop``; their times."""
        times = []
        while not stop.is_set():
            times.append(self.import_panel(self.new_meeting(), filename, data))
        return times


async def vote_round(room: Room, position: int, window: float) -> tuple[list[float], int, list]:
    """Every phone casts on household ``position`` at a random moment within ``window``:
    (each ballot's time to its recorded answer, "busy" answers, refusals)."""
    await room.quiet()
    await host_steps(room, position)
    await room.until(lambda e: e[3] == position and e[2] == "voting")
    times: list[float] = []
    refused: list[dict] = []
    busy = 0

    async def cast(phone: Any, delay: float) -> None:
        nonlocal busy
        await asyncio.sleep(delay)
        payload = {"position": position, "choice": "abstain", "tier": None, "tracker": tracker()}
        started = time.perf_counter()
        for _attempt in range(20):
            answer, at = await phone.call("cast_ballot", payload)
            if answer.get("ok"):
                times.append(at - started)
                return
            if answer.get("busy"):
                busy += 1
                continue
            refused.append(answer)
            return

    await asyncio.gather(*(cast(p, random.uniform(0, window)) for p in room.phones))
    await room.until(lambda e: e[3] == position and e[2] == "counted")
    await host_call(room, "announce", {"position": position})
    await room.until(lambda e: e[3] == position and e[2] == "announced")
    return times, busy, refused


async def during(args: argparse.Namespace) -> None:
    os.environ["BENCH_SERVER_TOML"] = f"import_row_limit = {args.rows}\n"
    args.profile, args.deflate = None, False  # what live_core's server and clients read
    data = encode(member_rows(args.rows), args.format)
    bench = Bench(args, 1, 25)
    servers = bench.start()
    results = []
    try:
        rooms = await with_rooms(bench, servers, bench.database.plans)
        clerk = Clerk(servers[0].base, STAFF, PASSWORD)
        for run in range(args.runs):
            quiet = await vote_round(rooms[0], 2 * run + 1, args.window)
            stop = threading.Event()
            imports = asyncio.create_task(
                asyncio.to_thread(clerk.import_until, stop, f"panel.{args.format}", data)
            )
            loaded = await vote_round(rooms[0], 2 * run + 2, args.window)
            stop.set()
            results.append((quiet, loaded, await imports))
        close_rooms(rooms)
    finally:
        for server in servers:
            server.stop()
        bench.finish()

    def median(pick: Callable[[tuple], float]) -> float:
        return statistics.median(pick(r) for r in results)

    print(
        f"25 phones casting over {args.window:.0f} s while panels of {args.rows:,} members"
        f" ({args.format}, {len(data) / 1024:.0f} KB) are imported one after another;"
        f" medians of {args.runs} runs, async {args.async_mode}"
    )
    print(
        f"  imports during the round: {median(lambda r: len(r[2])):.0f},"
        f" each {ms(median(lambda r: statistics.median(r[2])))}"
    )
    for name, k in (("with imports", 1), ("floor: no import", 0)):
        print(
            f"  {name:<17} ballot p99 {ms(median(lambda r, k=k: pct(r[k][0], 0.99))):>8},"
            f" max {ms(median(lambda r, k=k: max(r[k][0]))):>8},"
            f" recorded {median(lambda r, k=k: len(r[k][0])):.0f}/25,"
            f" busy answers {median(lambda r, k=k: r[k][1]):.0f},"
            f" refused {median(lambda r, k=k: len(r[k][2])):.0f}"
        )


COMMANDS = ("members", "households", "both", "during")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=COMMANDS)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 8000, 20000])
    parser.add_argument("--rows", type=int, default=8000, help="during: rows per import")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--window", type=float, default=10.0, help="during: casting window, s")
    parser.add_argument(
        "--async", dest="async_mode", default="gevent", choices=["threading", "gevent"]
    )
    args = parser.parse_args()
    if args.command == "during":
        asyncio.run(during(args))
        return
    for what in ("members", "households") if args.command == "both" else (args.command,):
        run(what, args)


if __name__ == "__main__":
    main()
