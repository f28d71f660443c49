"""The live core under load: ballots, pushes and many meetings, each next to its floor.

The server runs in its own process(es) (`meeting serve`), on a copy of a prepared
database; the phones, hosts and projectors are raw Socket.IO clients on one asyncio loop
in this process (benchmarks/wire.py), light enough to leave the machine to the server.
Every figure is printed next to its floor, measured in the same run:

    .venv/bin/python benchmarks/live_core.py floor       # echo round trip, durable insert
    .venv/bin/python benchmarks/live_core.py burst       # 25 ballots at the same instant
    .venv/bin/python benchmarks/live_core.py spread      # 25 ballots over 10 s
    .venv/bin/python benchmarks/live_core.py broadcast   # host action -> last of 40 phones
    .venv/bin/python benchmarks/live_core.py scale --meetings 1 5 10 20 40 80
    .venv/bin/python benchmarks/live_core.py scale-out   # 1 vs 2 processes, PostgreSQL + Redis

Options: --async threading|gevent, --deflate (clients offer permessage-deflate, as
browsers do), --runs 3 (medians of that many runs). Each command prints its figure last.
The machine is shared and noisy: compare figures from one run, not from different days.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import re
import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.wire import WireClient, event_payload

BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_VERSION = re.compile(rb'"version":\s?(\d+)')
STAFF, PASSWORD = "bench", "bench-password"
SECRET_KEY = "bench-" + "0" * 58
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"
STEPS = ("start_briefing", "start_statement", "start_questioning", "open_ballot")
TICKS = os.sysconf("SC_CLK_TCK")


# --- the prepared database ------------------------------------------------------------------


@dataclass
class Plan:
    """One meeting as the load generator knows it: its id and its phones' secrets."""

    meeting_id: int
    phones: list[str]


def prepare(url: str | None, instance: Path, meetings: int, voters: int) -> list[Plan]:
    """Create ``meetings`` demo meetings of ``voters`` seated voting members (and the staff
    account) in a fresh database, through the app's own setup code."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select, update

    from meeting import create_app
    from meeting.domain.roles import Role
    from meeting.extensions import db
    from meeting.services.demo import build_demo_meeting
    from meeting.services.staff import create_staff
    from meeting.store.models import PanelMember

    # built in this process only to prepare the database: no gevent patching here
    config: dict[str, Any] = {"TESTING": True, "server": {"async_mode": "threading"}}
    if url:
        config["server"]["database_url"] = url
    app = create_app(config, instance_path=str(instance))
    plans = []
    with app.app_context():
        upgrade()
        create_staff(STAFF, PASSWORD)
        for _ in range(meetings):
            meeting = build_demo_meeting()
            members = list(
                db.session.scalars(select(PanelMember).where(PanelMember.meeting_id == meeting.id))
            )
            extra = voters - sum(1 for m in members if m.role.votes)
            last = max(m.position for m in members)
            for i in range(extra):
                db.session.execute(
                    insert(PanelMember).values(
                        meeting_id=meeting.id,
                        name=f"加派代表{i + 1:02d}",
                        role=Role.REPRESENTATIVE,
                        position=last + i + 1,
                    )
                )
            voting = [
                m.id
                for m in db.session.scalars(
                    select(PanelMember).where(PanelMember.meeting_id == meeting.id)
                )
                if m.role.votes
            ][:voters]
            phones = []
            for member_id in voting:
                secret = secrets.token_urlsafe(32)
                phones.append(secret)
                db.session.execute(
                    update(PanelMember)
                    .where(PanelMember.id == member_id)
                    .values(device_hash=hashlib.sha256(secret.encode()).hexdigest(), present=True)
                )
            db.session.commit()
            plans.append(Plan(meeting.id, phones))
        db.session.remove()
        db.engine.dispose()
    return plans


class Database:
    """A prepared database, copied afresh for every server start."""

    def __init__(self, postgres: bool, meetings: int, voters: int, workdir: Path) -> None:
        self.postgres, self.workdir = postgres, workdir
        self.template = workdir / "template"
        self.copies = 0
        self.pg_template = f"bench_tpl_{secrets.token_hex(4)}" if postgres else None
        if postgres:
            _pg(f'CREATE DATABASE "{self.pg_template}"')
            url = PG_ADMIN.rsplit("/", 1)[0] + "/" + self.pg_template
        else:
            url = None
        started = time.perf_counter()
        self.plans = prepare(url, self.template, meetings, voters)
        print(
            f"# prepared {meetings} meetings x {voters} phones in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )

    def fresh(self) -> tuple[Path, str | None]:
        """A new instance folder (and database) holding a copy of the template."""
        self.copies += 1
        instance = self.workdir / f"run{self.copies}"
        shutil.copytree(self.template, instance)
        if not self.postgres:
            return instance, None
        name = f"bench_run_{secrets.token_hex(4)}"
        _pg(f'CREATE DATABASE "{name}" TEMPLATE "{self.pg_template}"')
        return instance, PG_ADMIN.rsplit("/", 1)[0] + "/" + name

    def drop(self) -> None:
        if self.postgres:
            for name in _pg_names("bench_"):
                _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg(statement: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()


def _pg_names(prefix: str) -> list[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_ADMIN)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT datname FROM pg_database WHERE datname LIKE :p"), {"p": prefix + "%"}
        )
        names = [r[0] for r in rows]
    engine.dispose()
    return names


# --- the server ------------------------------------------------------------------------------


class Server:
    """`meeting serve` in its own process; its CPU time read from /proc."""

    def __init__(
        self,
        instance: Path,
        url: str | None,
        queue: str | None,
        async_mode: str,
        log: Path,
        profile: Path | None = None,
        server_toml: str = "",
    ) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        config = instance / "bench.toml"
        config.write_text(
            f'[server]\nasync_mode = "{async_mode}"\njoin_rate_limit = "100000 per minute"\n'
            "benchmark_events = true\n"
            # the load generator's screens send far faster than people: no event budget,
            # unless the benchmark measures it
            + (server_toml or "live_events_per_s = 0\n")
            + os.environ.get("BENCH_SERVER_TOML", "")
        )
        env = {
            **os.environ,
            "MEETING_INSTANCE": str(instance),
            "MEETING_CONFIG": str(config),
            "SECRET_KEY": SECRET_KEY,
        }
        env.pop("DATABASE_URL", None)
        env.pop("SOCKETIO_MESSAGE_QUEUE", None)
        if url:
            env["DATABASE_URL"] = url
        if queue:
            env["SOCKETIO_MESSAGE_QUEUE"] = queue
        command = [
            sys.executable,
            "-m",
            "meeting",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        if profile is not None:  # the same server under a CPU profiler of every thread
            command[1:3] = ["-m", "benchmarks.profiled_serve", str(profile)]
        self.profiled = profile is not None
        self.log = log.open("ab")
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=self.log)
        for _ in range(600):
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited; see {log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.1):
                    return
            except OSError:
                time.sleep(0.05)  # still starting: nothing else to wait on
        raise SystemExit("the server did not start")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu(self) -> float:
        """User + system CPU seconds of the server process so far."""
        user, system = self.cpu_split()
        return user + system

    def cpu_split(self) -> tuple[float, float]:
        """(user, system) CPU seconds of the server process so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) / TICKS, int(fields[12]) / TICKS

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=300 if self.profiled else 15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def services_cpu() -> float:
    """CPU seconds so far of the machine's PostgreSQL and Redis processes (all of them)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # the process ended meanwhile
        name = text[text.find("(") + 1 : text.rfind(")")]
        if name.startswith(("postgres", "redis-server")):
            fields = text.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def staff_cookie(base: str) -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {"csrf_token": token, "username": STAFF, "password": PASSWORD}
    ).encode()
    opener.open(base + "/login", body)
    return "; ".join(f"{c.name}={c.value}" for c in jar)


# --- the clients -----------------------------------------------------------------------------


@dataclass
class Room:
    """The clients of one meeting: a host, a projector that records what it is shown, phones."""

    plan: Plan
    host: WireClient | None = None
    projector: WireClient | None = None
    phones: list[WireClient] = field(default_factory=list)
    #: (received at, version, phase, position, ballots counted so far) per projector state
    seen: list[tuple[float, int, str | None, int | None, int]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    #: the newest version each phone has received (read from the raw frame, not decoded)
    phone_versions: dict[int, int] = field(default_factory=dict)

    def on_phone(self, index: int):
        def on_event(name: str, raw: bytes, _at: float) -> None:
            if name == "state":
                found = _VERSION.search(raw)
                if found:
                    self.phone_versions[index] = max(
                        self.phone_versions.get(index, 0), int(found.group(1))
                    )
                    self.changed.set()

        return on_event

    async def quiet(self) -> None:
        """Wait until every phone has the newest state the projector has: the server has
        finished sending, so the next measurement starts on an idle server."""
        while True:
            newest = self.seen[-1][1] if self.seen else 0
            if self.phones and all(
                self.phone_versions.get(i, 0) >= newest for i in range(len(self.phones))
            ):
                return
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), 120)

    def on_projector(self, name: str, raw: bytes, at: float) -> None:
        if name != "state":
            return
        state = event_payload(raw)
        current = state.get("current") or {}
        turnout = current.get("turnout") or current.get("result") or {}
        self.seen.append(
            (
                at,
                state["version"],
                current.get("phase"),
                current.get("position"),
                int(turnout.get("cast", 0)),
            )
        )
        self.changed.set()

    async def until(self, test) -> float:
        """Wait until a projector state passes ``test``; when it arrived."""
        while True:
            for entry in reversed(self.seen):
                if test(entry):
                    return entry[0]
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), 120)


async def connect_rooms(
    servers: Sequence[Server],
    plans: Sequence[Plan],
    cookie: str,
    deflate: bool,
    phones: int | None = None,
    by_meeting: bool = True,
) -> list[Room]:
    """Connect every meeting's host, projector and phones to the servers: all of a meeting's
    screens to one process, as a balancer hashing the meeting id does (``by_meeting``), or
    each connection to the next process in turn (every process serves every meeting)."""
    rooms = [Room(plan) for plan in plans]
    gate = asyncio.Semaphore(40)  # connect a few at a time, as a hall fills up

    async def open_one(index: int, auth: dict, cookie_text: str, on_event=None) -> WireClient:
        server = servers[index % len(servers)]
        async with gate:
            return await WireClient.open(
                "127.0.0.1", server.port, auth, cookie_text, on_event=on_event, deflate=deflate
            )

    jobs = []
    counter = 0
    for number, room in enumerate(rooms):
        mid = room.plan.meeting_id
        if by_meeting:
            counter = number  # every connection of this meeting: the same process

        step = 0 if by_meeting else 1

        async def staff(room=room, mid=mid, index=counter, step=step) -> None:
            room.host = await open_one(index, {"meeting": mid, "view": "staff"}, cookie)
            room.projector = await open_one(
                index + step, {"meeting": mid, "view": "staff"}, cookie, room.on_projector
            )

        jobs.append(staff())
        counter += 2 * step
        for secret in room.plan.phones[:phones]:

            async def phone(room=room, mid=mid, secret=secret, index=counter) -> None:
                number = len(room.phone_versions)
                room.phone_versions[number] = 0
                room.phones.append(
                    await open_one(
                        index,
                        {"meeting": mid, "view": "member"},
                        f"meeting_device={secret}",
                        room.on_phone(number),
                    )
                )

            jobs.append(phone())
            counter += step
    await asyncio.gather(*jobs)
    return rooms


def close_rooms(rooms: Iterable[Room]) -> None:
    for room in rooms:
        for client in (room.host, room.projector, *room.phones):
            if client is not None:
                client.close()


def tracker() -> str:
    return "".join(random.choice(BASE32) for _ in range(8))


async def host_call(room: Room, event: str, payload: dict) -> dict:
    """A host's event, sent again while the server answers "busy" (as the console does)."""
    for _attempt in range(20):
        answer, _ = await room.host.call(event, payload)
        if not answer.get("busy"):
            return answer
        await asyncio.sleep(0.2)
    return answer


async def host_steps(room: Room, position: int) -> None:
    for step in STEPS:
        answer = await host_call(room, step, {"position": position})
        if not answer.get("ok"):
            raise SystemExit(f"meeting {room.plan.meeting_id}: {step} refused: {answer}")


@dataclass
class Round:
    """What one round of ballots in every room gave."""

    timeline: list[tuple[float, float]]  # (seconds into the round when sent, answer time)
    acks: list[float]  # seconds from send to answer, every ballot
    lags: list[float]  # seconds from a ballot's answer to the projector showing it
    server_cpu: float  # CPU seconds of the server(s) during the round
    load_cpu: float  # CPU seconds of this process during the round
    services_cpu: float  # CPU seconds of PostgreSQL and Redis during the round
    wall: float
    ballots: int
    refused: list[dict]


async def ballot_round(
    rooms: Sequence[Room],
    servers: Sequence[Server],
    position: int,
    window: float,
    stagger: bool = False,
) -> Round:
    """Open household ``position`` in every room, let every phone vote (all at once when
    ``window`` is 0, else at random moments over ``window`` seconds), wait for the count.
    ``stagger``: each meeting's window starts at its own moment within the first window
    (independent meetings), rather than all together (all close in the same second)."""
    await asyncio.gather(*(room.quiet() for room in rooms))
    await asyncio.gather(*(host_steps(room, position) for room in rooms))
    await asyncio.gather(
        *(room.until(lambda e, p=position: e[3] == p and e[2] == "voting") for room in rooms)
    )
    cpu0, load0, wall0 = sum(s.cpu() for s in servers), time.process_time(), time.perf_counter()
    services0 = services_cpu()
    acks: list[float] = []
    sent_at: list[tuple[float, float]] = []  # (when sent in the round, how long to answer)
    refused: list[dict] = []
    acked: dict[int, list[float]] = {id(room): [] for room in rooms}

    async def cast(room: Room, phone: WireClient, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        payload = {
            "position": position,
            "choice": random.choice(["eligible", "not_eligible", "abstain"]),
            "tier": None,
            "tracker": tracker(),
        }
        if payload["choice"] == "eligible":
            payload["tier"] = random.choice("ABC")
        for _attempt in range(20):
            sent = time.perf_counter()
            answer, at = await phone.call("cast_ballot", payload)
            if answer.get("ok"):
                acks.append(at - sent)
                sent_at.append((sent - wall0, at - sent))
                acked[id(room)].append(at)
                return
            if answer.get("code") == "tracker_taken":
                payload["tracker"] = tracker()
                continue
            if answer.get("busy"):
                continue
            refused.append(answer)
            return

    offsets = {id(room): random.uniform(0, window) if stagger else 0.0 for room in rooms}
    jobs = [
        cast(room, phone, offsets[id(room)] + random.uniform(0, window) if window else 0.0)
        for room in rooms
        for phone in room.phones
    ]
    await asyncio.gather(*jobs)
    await asyncio.gather(
        *(room.until(lambda e, p=position: e[3] == p and e[2] == "counted") for room in rooms)
    )
    cpu1, load1, wall1 = sum(s.cpu() for s in servers), time.process_time(), time.perf_counter()
    services1 = services_cpu()
    lags = []
    for room in rooms:
        times = sorted(acked[id(room)])
        shown = [
            (at, cast)
            for at, _v, phase, pos, cast in room.seen
            if pos == position and phase in ("voting", "counted")
        ]
        for k, ack_at in enumerate(times, start=1):
            first = next((at for at, cast in shown if cast >= k), None)
            if first is not None:
                lags.append(max(0.0, first - ack_at))
    await asyncio.gather(*(host_call(room, "announce", {"position": position}) for room in rooms))
    # the next measurement starts on a quiet server: every screen has the announcement
    await asyncio.gather(
        *(room.until(lambda e, p=position: e[3] == p and e[2] == "announced") for room in rooms)
    )
    return Round(
        sent_at,
        acks,
        lags,
        cpu1 - cpu0,
        load1 - load0,
        services1 - services0,
        wall1 - wall0,
        len(acks),
        refused,
    )


async def echo_round(rooms: Sequence[Room], window: float) -> list[float]:
    """Every phone sends a bare `ping` (all at once, or spread over ``window``), once the
    server has finished sending what it had to."""
    await asyncio.gather(*(room.quiet() for room in rooms))
    times: list[float] = []

    async def echo(phone: WireClient, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        sent = time.perf_counter()
        answer, at = await phone.call("ping", {})
        if not answer.get("ok"):
            raise SystemExit(f"ping refused: {answer}")
        times.append(at - sent)

    await asyncio.gather(
        *(
            echo(p, random.uniform(0, window) if window else 0.0)
            for room in rooms
            for p in room.phones
        )
    )
    return times


def durable_inserts(workdir: Path, count: int = 200) -> list[float]:
    """One INSERT and COMMIT on a SQLite file with the app's pragmas, ``count`` times."""
    from meeting.store.sqlite import apply_pragmas

    path = workdir / "floor.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    apply_pragmas(connection)
    connection.execute("CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v TEXT)")
    times = []
    for _ in range(count):
        started = time.perf_counter()
        connection.execute("BEGIN")
        connection.execute("INSERT INTO t VALUES (?, ?)", (secrets.token_hex(16), "x" * 20))
        connection.execute("COMMIT")
        times.append(time.perf_counter() - started)
    connection.close()
    return times


# --- figures ---------------------------------------------------------------------------------


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def median_of(values: Iterable[float]) -> float:
    return statistics.median(list(values))


class Bench:
    """One benchmark invocation: a work folder, the prepared database, the options."""

    def __init__(
        self,
        args: argparse.Namespace,
        meetings: int,
        voters: int,
        postgres: bool = False,
        server_toml: str = "",
    ) -> None:
        self.args = args
        self.server_toml = server_toml
        self.workdir = Path(tempfile.mkdtemp(prefix="meeting-bench-"))
        self.database = Database(postgres, meetings, voters, self.workdir)

    def start(self, processes: int = 1, queue: str | None = None) -> list[Server]:
        instance, url = self.database.fresh()
        profile = Path(self.args.profile).resolve() if self.args.profile else None
        return [
            Server(
                instance,
                url,
                queue,
                self.args.async_mode,
                self.workdir / "server.log",
                profile,
                self.server_toml,
            )
            for _ in range(processes)
        ]

    def finish(self) -> None:
        self.database.drop()
        if os.environ.get("BENCH_KEEP_LOG"):
            shutil.copy(self.workdir / "server.log", os.environ["BENCH_KEEP_LOG"])
        shutil.rmtree(self.workdir, ignore_errors=True)


async def with_rooms(
    bench: Bench, servers: list[Server], plans: Sequence[Plan], phones: int | None = None
) -> list[Room]:
    cookie = staff_cookie(servers[0].base)
    by_meeting = getattr(bench.args, "clients", "by-meeting") == "by-meeting"
    rooms = await connect_rooms(servers, plans, cookie, bench.args.deflate, phones, by_meeting)
    await asyncio.gather(*(room.until(lambda e: True) for room in rooms))
    return rooms


# --- commands --------------------------------------------------------------------------------


async def cmd_floor(args: argparse.Namespace) -> None:
    bench = Bench(args, 1, 25)
    servers = bench.start()
    try:
        rooms = await with_rooms(bench, servers, bench.database.plans)
        spread = [t for _ in range(args.runs) for t in await echo_round(rooms, 2.0)]
        burst = [pct(await echo_round(rooms, 0), 0.99) for _ in range(args.runs)]
        inserts = durable_inserts(bench.workdir)
        close_rooms(rooms)
    finally:
        for server in servers:
            server.stop()
        bench.finish()
    print(f"echo round trip (spread): median {ms(median_of(spread))}, p99 {ms(pct(spread, 0.99))}")
    print(f"durable insert: median {ms(median_of(inserts))}, p99 {ms(pct(inserts, 0.99))}")
    print(f"25 echoes at once: p99 {ms(median_of(burst))} (median of {args.runs} runs)")
    floor = pct(spread, 0.99) + pct(inserts, 0.99)
    print(f"floor (echo p99 + durable insert p99): {ms(floor)}")


async def cmd_flood(args: argparse.Namespace) -> None:
    """One phone fires 3,000 malformed ballots while 24 honest phones vote (spread over
    ``--window``): their ack p99 against rounds without the flood, and the server's threads."""
    bench = Bench(args, 1, 25, server_toml="live_events_per_s = 10.0\nlive_event_burst = 40\n")
    servers = bench.start()
    calm, loaded, threads, answered = [], [], [], []
    try:
        [room] = await with_rooms(bench, servers, bench.database.plans)
        everyone = list(room.phones)
        honest, flooder = everyone[:-1], everyone[-1]
        for run in range(args.runs):
            room.phones = everyone
            calm.append(
                pct((await ballot_round([room], servers, 2 * run + 1, args.window)).acks, 0.99)
            )
            room.phones = honest
            peak = [0]

            async def flood(position: int, peak: list[int] = peak) -> None:
                await room.until(lambda e, p=position: e[3] == p and e[2] == "voting")
                bad = {"position": "x", "choice": 7}
                calls = [flooder.call("cast_ballot", bad) for _ in range(3000)]
                watch = asyncio.ensure_future(_watch_threads(servers[0], peak))
                answers = await asyncio.gather(*calls)
                watch.cancel()
                answered.append(sum(1 for answer, _at in answers if not answer.get("ok")))
                payload = {"position": position, "choice": "abstain", "tier": None}
                while True:  # then its member votes, as the others did
                    answer, _at = await flooder.call(
                        "cast_ballot", {**payload, "tracker": tracker()}
                    )
                    if answer.get("ok") or not answer.get("busy"):
                        return
                    await asyncio.sleep(0.2)

            position = 2 * run + 2
            result, _ = await asyncio.gather(
                ballot_round([room], servers, position, args.window), flood(position)
            )
            loaded.append(pct(result.acks, 0.99))
            threads.append(peak[0])
        room.phones = everyone
        close_rooms([room])
    finally:
        for server in servers:
            server.stop()
        bench.finish()
    print(
        f"flood: 1 phone x 3000 malformed ballots, 24 honest phones spread over {args.window:.0f} s"
    )
    print(f"  honest ack p99 without the flood: median {ms(median_of(calm))} (floor of this run)")
    print(f"  honest ack p99 during the flood:  median {ms(median_of(loaded))}")
    print(f"  ratio: {median_of(loaded) / median_of(calm):.2f}x")
    print(f"  flood events answered (refused): {answered} of 3000 each run")
    print(f"  server threads at the peak: {max(threads)}")


async def _watch_threads(server: Server, peak: list[int]) -> None:
    status = Path(f"/proc/{server.process.pid}/status")
    while True:
        for line in status.read_text().splitlines():
            if line.startswith("Threads:"):
                peak[0] = max(peak[0], int(line.split()[1]))
        await asyncio.sleep(0.02)


async def _ballots(args: argparse.Namespace, window: float) -> None:
    bench = Bench(args, 1, 25)
    servers = bench.start()
    rows = []
    try:
        rooms = await with_rooms(bench, servers, bench.database.plans)
        for run in range(args.runs):
            echoes = await echo_round(rooms, window)
            inserts = durable_inserts(bench.workdir, 100)
            result = await ballot_round(rooms, servers, run + 1, window)
            if result.refused:
                print(f"# refused: {result.refused[:3]}")
            rows.append(
                (
                    pct(result.acks, 0.99),
                    max(result.acks),
                    pct(result.lags, 0.99),
                    result.server_cpu / result.ballots,
                    pct(echoes, 0.99),
                    pct(inserts, 0.99),
                    result.load_cpu / result.wall,
                )
            )
        close_rooms(rooms)
    finally:
        for server in servers:
            server.stop()
        bench.finish()
    ack = median_of(r[0] for r in rows)
    last = median_of(r[1] for r in rows)
    lag = median_of(r[2] for r in rows)
    cpu = median_of(r[3] for r in rows)
    echo = median_of(r[4] for r in rows)
    insert = median_of(r[5] for r in rows)
    load = median_of(r[6] for r in rows)
    kind = "at the same instant" if not window else f"spread over {window:.0f} s"
    print(
        f"25 phones casting {kind}, {args.runs} runs (medians), async {args.async_mode}"
        f"{', deflate' if args.deflate else ''}"
    )
    print(f"  server CPU per ballot: {ms(cpu)}")
    print(f"  last answer: {ms(last)}")
    print(f"  projector shows the ballot after its answer: p99 {ms(lag)}")
    print(f"  load generator CPU: {load * 100:.1f}% of one core")
    if window:
        floor = echo + insert
        print(f"  floor: echo p99 {ms(echo)} + durable insert p99 {ms(insert)} = {ms(floor)}")
        print(f"ballot ack p99 {ms(ack)} = {ack / floor:.1f}x the floor ({ms(floor)})")
    else:
        print(
            f"ballot ack p99 {ms(ack)} = {ack / echo:.1f}x 25 bare echoes at once (p99 {ms(echo)})"
        )


async def cmd_burst(args: argparse.Namespace) -> None:
    await _ballots(args, 0.0)


async def cmd_spread(args: argparse.Namespace) -> None:
    await _ballots(args, args.window)


async def cmd_broadcast(args: argparse.Namespace) -> None:
    bench = Bench(args, 1, 40)
    servers = bench.start()
    actions, bare = [], []
    try:
        rooms = await with_rooms(bench, servers, bench.database.plans)
        room = rooms[0]
        receipts: dict[int, asyncio.Event] = {}
        newest: dict[int, int] = {}

        def watch(index: int):
            def on_event(name: str, raw: bytes, at: float) -> None:
                if name == "state":
                    version = int(re.search(rb'"version": ?(\d+)', raw).group(1))
                    newest[index] = max(newest.get(index, 0), version)
                    arrivals[index] = at
                    receipts[index].set()

            return on_event

        arrivals: dict[int, float] = {}
        for i, phone in enumerate(room.phones):
            receipts[i] = asyncio.Event()
            phone.on_event = watch(i)

        async def everyone(after: float) -> float:
            while any(arrivals.get(i, 0) < after for i in receipts):
                for i in receipts:
                    receipts[i].clear()
                await asyncio.wait(
                    [
                        asyncio.ensure_future(receipts[i].wait())
                        for i in receipts
                        if arrivals.get(i, 0) < after
                    ],
                    timeout=30,
                )
            return max(arrivals.values())

        for i in range(args.actions):
            started = time.perf_counter()
            answer, _ = await room.host.call("show", {"position": (i % 2) + 1})
            assert answer.get("ok"), answer
            actions.append(await everyone(started) - started)
            started = time.perf_counter()
            answer, _ = await room.host.call("bench_broadcast", {})
            assert answer.get("ok"), answer
            bare.append(await everyone(started) - started)
        close_rooms(rooms)
    finally:
        for server in servers:
            server.stop()
        bench.finish()
    print(
        f"40 phones, {args.actions} host actions, async {args.async_mode}"
        f"{', deflate' if args.deflate else ''}"
    )
    print(
        f"  bare broadcast of the same state: median {ms(median_of(bare))}, "
        f"p95 {ms(pct(bare, 0.95))}"
    )
    ratio = median_of(actions) / median_of(bare)
    print(
        f"host action -> last of 40 phones: median {ms(median_of(actions))}, "
        f"p95 {ms(pct(actions, 0.95))} = {ratio:.1f}x the bare broadcast"
    )


async def _scale_point(
    bench: Bench, meetings: int, processes: int, queue: str | None, window: float, runs: int
) -> dict[str, float]:
    servers = bench.start(processes, queue)
    try:
        rooms = await with_rooms(bench, servers, bench.database.plans[:meetings])
        results = [
            await ballot_round(rooms, servers, run + 1, window, bench.args.stagger)
            for run in range(runs)
        ]
        close_rooms(rooms)
    finally:
        for server in servers:
            server.stop()
    return {
        "meetings": meetings,
        "ack_p99": median_of(pct(r.acks, 0.99) for r in results),
        "lag_p99": median_of(pct(r.lags, 0.99) for r in results),
        "cpu_per_ballot": median_of(r.server_cpu / max(r.ballots, 1) for r in results),
        "load_cpu": median_of(r.load_cpu / r.wall for r in results),
        "server_load": median_of(r.server_cpu / r.wall for r in results),
        "services_load": median_of(r.services_cpu / r.wall for r in results),
        "lost": max(meetings * 25 - r.ballots for r in results),
    }


def _print_point(label: str, point: dict[str, float]) -> None:
    print(
        f"  {label} {point['meetings']:>3} meetings: ack p99 {ms(point['ack_p99']):>10}, "
        f"projector p99 {ms(point['lag_p99']):>10}, CPU/ballot {ms(point['cpu_per_ballot'])}, "
        f"unanswered {point['lost']}; CPU in cores: server {point['server_load']:.2f}, "
        f"PostgreSQL+Redis {point['services_load']:.2f}, load generator {point['load_cpu']:.2f}",
        flush=True,
    )


async def cmd_scale(args: argparse.Namespace) -> None:
    bench = Bench(args, max(args.meetings), 25, postgres=args.postgres)
    points = []
    try:
        print(
            f"N meetings x 25 phones, "
            f"{'meetings staggered' if args.stagger else 'meetings together'}, "
            f"casts spread over {args.window:.0f} s, {args.runs} runs, "
            f"async {args.async_mode}{', PostgreSQL' if args.postgres else ', SQLite'}"
            f"{', deflate' if args.deflate else ''}",
            flush=True,
        )
        for n in args.meetings:
            point = await _scale_point(bench, n, 1, None, args.window, args.runs)
            _print_point("1 process", point)
            points.append(point)
    finally:
        bench.finish()
    held = max((p["meetings"] for p in points if p["ack_p99"] < 0.3 and not p["lost"]), default=0)
    print(f"one process holds {held} meetings x 25 phones with ack p99 < 300 ms")


async def cmd_scale_out(args: argparse.Namespace) -> None:
    """The largest N with ack p99 under the bound, for one and for two processes."""
    bench = Bench(args, max(args.meetings), 25, postgres=True)
    held = {}
    try:
        print(
            f"PostgreSQL + Redis, clients {args.clients}, "
            f"{'meetings staggered' if args.stagger else 'meetings together'}, "
            f"casts spread over {args.window:.0f} s, "
            f"{args.runs} runs, "
            f"bound ack p99 < {args.bound * 1000:.0f} ms",
            flush=True,
        )
        for processes in (1, 2):
            held[processes] = 0
            for n in args.meetings:
                point = await _scale_point(bench, n, processes, REDIS_URL, args.window, args.runs)
                _print_point(f"{processes} process{'es' if processes > 1 else ''}", point)
                if point["ack_p99"] >= args.bound or point["lost"]:
                    break
                held[processes] = n
    finally:
        bench.finish()
    ratio = held[2] / held[1] if held[1] else float("nan")
    print(
        f"2 processes carry {held[2]} meetings, one {held[1]}: {ratio:.2f}x at ack p99 < "
        f"{args.bound * 1000:.0f} ms"
    )


COMMANDS = {
    "floor": cmd_floor,
    "burst": cmd_burst,
    "spread": cmd_spread,
    "broadcast": cmd_broadcast,
    "flood": cmd_flood,
    "scale": cmd_scale,
    "scale-out": cmd_scale_out,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=COMMANDS)
    parser.add_argument(
        "--async", dest="async_mode", default="gevent", choices=["threading", "gevent"]
    )
    parser.add_argument(
        "--deflate", action="store_true", help="clients offer permessage-deflate, as browsers do"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--window", type=float, default=10.0)
    parser.add_argument("--actions", type=int, default=40)
    parser.add_argument("--meetings", type=int, nargs="+", default=[1, 5, 10, 20, 40, 80])
    parser.add_argument("--postgres", action="store_true", help="scale on PostgreSQL")
    parser.add_argument("--bound", type=float, default=0.3, help="scale-out: ack p99 bound, s")
    parser.add_argument("--profile", help="run the server under a CPU profiler; write it here")
    parser.add_argument(
        "--stagger",
        action="store_true",
        help="scale: each meeting votes in its own 10 s, starting at its own moment, rather "
        "than every meeting in the same 10 s (when all close within a second)",
    )
    parser.add_argument(
        "--clients",
        choices=["by-meeting", "spread"],
        default="by-meeting",
        help="scale-out: a meeting's screens on one process (a balancer hashing the meeting "
        "id), or each connection on the next process",
    )
    args = parser.parse_args()
    random.seed()
    asyncio.run(COMMANDS[args.command](args))


if __name__ == "__main__":
    main()
