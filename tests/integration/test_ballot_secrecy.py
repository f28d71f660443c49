"""Ballot secrecy, measured: the casting order does not survive the close in the SQLite
file, its WAL or PostgreSQL's row positions and transaction ids; no column links a
receipt to a ballot; nothing sent while a ballot is open tells what was voted; no log
record puts a choice or a tracker next to a member or a socket (docs/ballot-secrecy.md)."""

from __future__ import annotations

import json
import logging
import re
import statistics
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from meeting import create_app
from meeting.domain.roles import Role
from meeting.extensions import db
from meeting.services import corrections, hearings
from meeting.services.demo import ensure_demo
from meeting.store.models import Meeting, StaffUser

from ..conftest import REPO
from .ballot_helpers import cast, open_ballot, present_voters, seat_of, seat_panel, tracker
from .live import Phone, Screen, close_all, staff_cookies
from .test_migrations import postgres_url  # noqa: F401 - a fixture

# slow: scans database files and PostgreSQL pages, round after round; left to the whole suite
pytestmark = pytest.mark.slow

CHOICES = ("eligible", "not_eligible", "abstain")
ROUNDS = 8  # households balloted per database; each gives one rank correlation


def spearman(order: list[int]) -> float:
    """Rank correlation of a permutation of 0..n-1 with 0..n-1."""
    n = len(order)
    return 1 - 6 * sum((rank - i) ** 2 for i, rank in enumerate(order)) / (n * (n * n - 1))


def physical_ranks(positions: dict[str, int], cast_order: list[str]) -> list[int]:
    """For ballots listed in casting order, the rank of each one's place in storage."""
    by_place = sorted(cast_order, key=lambda code: positions[code])
    return [by_place.index(code) for code in cast_order]


def cast_round(meeting: Meeting, position: int) -> list[str]:
    """Every present member but one votes, in panel order, with a choice that tells them
    apart (the last would close the ballot by itself: the host closes it instead)."""
    voters = present_voters(meeting)[:-1]
    for member in voters:
        seat_of(member)  # the phones scanned their cards before the ballot
    open_ballot(meeting, position)
    codes = []
    for i, member in enumerate(voters):
        codes.append(tracker())
        choice = CHOICES[i % 3]
        assert cast(member, position, choice, "B", codes[-1])
    return codes


# --- SQLite: the raw file and its WAL -------------------------------------------------------

SQLITE_TABLE_LEAF = 0x0D  # b-tree page type of a table's leaf page (not an index's)


def table_leaf_offsets(data: bytes, page_size: int, first_page_at: int, stride: int) -> Iterator:
    """(page start, page bytes) of each table leaf page in a database file or a WAL."""
    for start in range(first_page_at, len(data) - page_size + 1, stride):
        header = start + (100 if start == 0 else 0)  # page 1 carries the file header
        if data[header] == SQLITE_TABLE_LEAF:
            yield start, data[start : start + page_size]


def tracker_places(path: Path, codes: list[str], page_size: int) -> dict[str, list[int]]:
    """Every offset at which each tracker lies in the table leaf pages of a file."""
    places: dict[str, list[int]] = {code: [] for code in codes}
    if not path.exists():
        return places
    data = path.read_bytes()
    is_wal = path.name.endswith("-wal")
    pages = (
        table_leaf_offsets(data, page_size, 32 + 24, page_size + 24)  # WAL: header, frames
        if is_wal
        else table_leaf_offsets(data, page_size, 0, page_size)
    )
    for start, page in pages:
        for code in codes:
            for found in re.finditer(re.escape(code.encode()), page):
                places[code].append(start + found.start())
    return places


def test_the_sqlite_file_and_its_wal_forget_the_casting_order(app: Flask) -> None:
    meeting, _ = ensure_demo()
    seat_panel(meeting)
    database = Path(db.engine.url.database)
    wal = database.with_name(database.name + "-wal")
    page_size = db.session.execute(text("PRAGMA page_size")).scalar_one()
    meeting_id = meeting.id
    sealed, unsealed = [], []
    for position in range(1, ROUNDS + 1):
        codes = cast_round(meeting, position)
        db.session.remove()  # nothing of ours holds a read snapshot
        # the control: before the close, the WAL holds the ballots in the order cast
        in_wal = tracker_places(wal, codes, page_size)
        assert all(in_wal[c] for c in codes), "each new ballot is in the WAL before the close"
        unsealed.append(spearman(physical_ranks({c: min(in_wal[c]) for c in codes}, codes)))

        hearings.close_ballot(meeting_id, position, "test", confirmed=True)
        assert app.extensions["meeting.scrubber"].settled()  # scrubbed after the answer
        db.session.remove()
        in_file = tracker_places(database, codes, page_size)
        assert all(len(in_file[c]) == 1 for c in codes), "one copy of each ballot, no leftovers"
        # and in the whole file, every page: the row and its entry in the unique index,
        # nothing left in freed space, free pages or anywhere else
        everything = database.read_bytes()
        assert {everything.count(c.encode()) for c in codes} == {2}
        assert not any(tracker_places(wal, codes, page_size).values()), "the WAL was emptied"
        sealed.append(spearman(physical_ranks({c: in_file[c][0] for c in codes}, codes)))
        hearings.announce(meeting_id, position, "test")
        meeting = db.session.get(Meeting, meeting_id)

    print(f"rank correlation, storage vs casting order: before close {unsealed}, after {sealed}")
    assert min(unsealed) > 0.95  # the measure sees the order when it is there
    assert abs(statistics.mean(sealed)) < 0.35
    assert max(abs(r) for r in sealed) < 0.9


def test_a_voided_round_leaves_no_ballot_behind_and_its_rerun_is_sealed(app: Flask) -> None:
    meeting, _ = ensure_demo()
    meeting_id = meeting.id
    seat_panel(meeting)
    database = Path(db.engine.url.database)
    wal = database.with_name(database.name + "-wal")
    page_size = db.session.execute(text("PRAGMA page_size")).scalar_one()
    voided = cast_round(meeting, 1)
    db.session.remove()
    assert all(tracker_places(wal, voided, page_size).values()), "the control sees them"

    corrections.void_ballot(meeting_id, 1, "开票前未宣读投票规则", "test")
    assert app.extensions["meeting.scrubber"].settled()
    db.session.remove()
    stored = database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert not [c for c in voided if c.encode() in stored], "destroyed, not kept"

    # the same members vote again; the rerun's storage forgets its casting order as well
    meeting = db.session.get(Meeting, meeting_id)
    hearings.open_ballot(meeting_id, 1, "test")
    voters = present_voters(meeting)[:-1]
    codes = []
    for i, member in enumerate(voters):
        codes.append(tracker())
        assert cast(member, 1, CHOICES[i % 3], "B", codes[-1])
    hearings.close_ballot(meeting_id, 1, "test", confirmed=True)
    assert app.extensions["meeting.scrubber"].settled()
    db.session.remove()
    in_file = tracker_places(database, codes, page_size)
    assert all(len(in_file[c]) == 1 for c in codes)
    assert not any(tracker_places(wal, codes, page_size).values())
    rerun = spearman(physical_ranks({c: in_file[c][0] for c in codes}, codes))
    assert abs(rerun) < 0.9, rerun
    stored = database.read_bytes()
    assert not [c for c in voided if c.encode() in stored]
    events = json.dumps([e.data for e in db.session.execute(text("SELECT data FROM event"))])
    assert not any(code in events for code in voided + codes)


def test_no_column_or_rowid_links_a_receipt_to_a_ballot(app: Flask) -> None:
    columns = {
        table: {c["name"] for c in inspect(db.engine).get_columns(table)}
        for table in ("ballot_receipt", "secret_ballot")
    }
    assert columns == {
        "ballot_receipt": {"hearing_id", "member_id", "on_paper"},
        "secret_ballot": {"key", "hearing_id", "choice", "tier_code", "tracker"},
    }
    for table in ("ballot_receipt", "secret_ballot"):
        targets = {fk["referred_table"] for fk in inspect(db.engine).get_foreign_keys(table)}
        assert targets <= {"hearing", "panel_member"}
    meeting, _ = ensure_demo()
    seat_panel(meeting)
    codes = cast_round(meeting, 1)
    hearings.close_ballot(meeting.id, 1, "test", confirmed=True)
    assert app.extensions["meeting.scrubber"].settled()
    ballot_rows = db.session.execute(
        text("SELECT tracker FROM secret_ballot ORDER BY rowid")
    ).scalars()
    receipt_members = db.session.execute(
        text("SELECT member_id FROM ballot_receipt ORDER BY rowid")
    ).scalars()
    assert list(receipt_members) == sorted(m.id for m in present_voters(meeting)[:-1])
    assert sorted(ballot_rows) == sorted(codes)
    events = json.dumps([e.data for e in db.session.execute(text("SELECT data FROM event"))])
    assert not any(code in events for code in codes)


# --- PostgreSQL: row positions and transaction ids -------------------------------------------


@pytest.fixture
def postgres_app(postgres_url, tmp_path, monkeypatch) -> Iterator[Flask]:  # noqa: F811
    monkeypatch.setenv("MEETING_CONFIG", str(REPO / "config" / "testing.toml"))
    app = create_app({"server": {"database_url": postgres_url}}, instance_path=str(tmp_path))
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.mark.postgres
def test_postgresql_rows_forget_the_casting_order_and_transaction(postgres_app) -> None:
    meeting, _ = ensure_demo()
    seat_panel(meeting)
    sealed = []
    for position in range(1, ROUNDS + 1):
        codes = cast_round(meeting, position)
        hearing_id = meeting.households[position - 1].hearing.id
        # the control: before the close, each ballot shares its transaction id with a receipt
        ballot_xmins = set(
            db.session.execute(
                text("SELECT xmin::text FROM secret_ballot WHERE hearing_id = :h"),
                {"h": hearing_id},
            ).scalars()
        )
        receipt_xmins = set(
            db.session.execute(
                text("SELECT xmin::text FROM ballot_receipt WHERE hearing_id = :h"),
                {"h": hearing_id},
            ).scalars()
        )
        assert ballot_xmins == receipt_xmins and len(ballot_xmins) == len(codes)

        hearings.close_ballot(meeting.id, position, "test", confirmed=True)
        assert postgres_app.extensions["meeting.scrubber"].settled()
        rows = db.session.execute(
            text(
                "SELECT tracker, xmin::text FROM secret_ballot WHERE hearing_id = :h ORDER BY ctid"
            ),
            {"h": hearing_id},
        ).all()
        receipts = db.session.execute(
            text("SELECT xmin::text FROM ballot_receipt WHERE hearing_id = :h"),
            {"h": hearing_id},
        ).scalars()
        xmins = {xmin for _, xmin in rows} | set(receipts)
        assert len(xmins) == 1, "every ballot and receipt of the item was rewritten at once"
        place = {code: i for i, (code, _) in enumerate(rows)}
        sealed.append(spearman(physical_ranks(place, codes)))
        hearings.announce(meeting.id, position, "test")
    print(f"rank correlation, ctid vs casting order after the close: {sealed}")
    assert abs(statistics.mean(sealed)) < 0.35
    assert max(abs(r) for r in sealed) < 0.9


# --- what screens are sent, and what the logs say --------------------------------------------


VOTING_FIELDS_OF_A_HOUSEHOLD = (
    "position",
    "head_name",
    "persons",
    "address",
    "category",
    "application_type",
    "investigator",
    "recommendation",
    "proposed_tier",
    "findings",
    "phase_started_at",
    "deadline",
)


def diff(a: dict, b: dict) -> list:
    return [(k, a[k], b[k]) for k in a if a[k] != b[k]] + [
        (k, a["current"].get(k), b["current"].get(k))
        for k in a["current"]
        if a["current"].get(k) != b["current"].get(k)
    ]


def ballot_view(state: dict) -> dict:
    """What a screen knows while a ballot is open, without what belongs to the household."""
    current = {k: v for k, v in state["current"].items() if k not in VOTING_FIELDS_OF_A_HOUSEHOLD}
    return {"current": current, "quorum": state["quorum"], "present_ids": state["present_ids"]}


def run_ballot_over_sockets(live_server, meeting, host, phones, screens, position, choice):
    """Open a household's ballot, every phone votes ``choice``; the open-ballot states seen."""
    for step in ("start_briefing", "start_statement", "start_questioning", "open_ballot"):
        assert host.send(step, {"position": position})["ok"]
    opened = host.wait_for(
        lambda s: s["current"]["position"] == position and s["current"]["phase"] == "voting",
        "the open ballot",
    )["version"]
    codes = []
    for screen in screens:
        codes.append(tracker())
        tier = "A" if choice == "eligible" else None
        answer = screen.send(
            "cast_ballot",
            {"position": position, "choice": choice, "tier": tier, "tracker": codes[-1]},
        )
        assert answer == {"ok": True, "status": "recorded"}
    closed = host.wait_for(
        lambda s: s["current"]["position"] == position and s["current"]["phase"] == "counted",
        "the count",
        after=opened,  # not the previous household's count, still in the list
    )
    for screen in screens:  # every phone has had every state up to the count
        screen.wait_for(lambda s: s["version"] >= closed["version"], "the count")
    seen = [
        s
        for screen in [host, *screens]
        for s in screen.states
        if opened <= s["version"] < closed["version"]
    ]
    return seen, codes, closed


def test_nothing_sent_while_a_ballot_is_open_depends_on_what_was_voted(live_server, demo) -> None:
    representatives = [m for m in demo.members if m.role is Role.REPRESENTATIVE][:15]
    phones = [Phone(live_server) for _ in representatives]
    for phone, member in zip(phones, representatives, strict=True):
        assert phone.scan(member).status_code == 302
    host = Screen(live_server, demo.id, "staff", staff_cookies(live_server)).connect()
    screens = [phone.screen(demo.id) for phone in phones]
    try:
        first, codes_1, closed_1 = run_ballot_over_sockets(
            live_server, demo, host, phones, screens, 1, "eligible"
        )
        assert host.send("announce", {"position": 1})["ok"]
        second, codes_2, closed_2 = run_ballot_over_sockets(
            live_server, demo, host, phones, screens, 2, "not_eligible"
        )
        # the same screens, the same turnout, opposite votes: the same states. Bursts of
        # ballots are sent as one state, so the two rounds are compared turnout by turnout
        by_turnout: dict[int, list[dict]] = {}
        for state in first + second:
            by_turnout.setdefault(state["current"]["turnout"]["cast"], []).append(state)
        assert len(by_turnout) > 10  # most turnouts were seen by some screen
        for cast_so_far, states in by_turnout.items():
            views = [ballot_view(s) for s in states]
            for view in views:
                assert view == views[0], (cast_so_far, diff(view, views[0]))
        sent = json.dumps(first + second)
        assert not any(code in sent for code in codes_1 + codes_2)
        assert all(s["current"]["result"] is None and s["current"]["trackers"] == [] for s in first)
        # after the close, the counts and the list are there
        assert closed_1["current"]["result"]["eligible"] == 15
        assert closed_2["current"]["result"]["not_eligible"] == 15
        assert sorted(t["tracker"] for t in closed_2["current"]["trackers"]) == sorted(codes_2)
    finally:
        close_all([host, *screens])


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        line = record.getMessage()
        if record.exc_info:
            line += logging.Formatter().formatException(record.exc_info)
        self.lines.append(line)


def test_no_log_record_puts_a_choice_or_tracker_next_to_a_member_or_socket(
    live_server, demo
) -> None:
    records = Records()
    root = logging.getLogger()
    saved = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    saved_root = root.level
    root.addHandler(records)
    root.setLevel(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        voters_ = [m for m in demo.members if m.role is Role.REPRESENTATIVE][:15]
        phones = [Phone(live_server) for _ in voters_]
        for phone, member in zip(phones, voters_, strict=True):
            phone.scan(member)
        host = Screen(live_server, demo.id, "staff", staff_cookies(live_server)).connect()
        screens = [phone.screen(demo.id) for phone in phones]
        sids = [screen.client.get_sid() for screen in screens] + [host.client.get_sid()]
        for step in ("start_briefing", "start_statement", "start_questioning", "open_ballot"):
            assert host.send("step", {"position": 1, "step": step})["ok"]
        codes = []
        for i, screen in enumerate(screens):
            codes.append(tracker())
            choice = CHOICES[i % 3]
            payload = {
                "position": 1,
                "choice": choice,
                "tier": "C" if choice == "eligible" else None,
                "tracker": codes[-1],
            }
            assert screen.send("cast_ballot", payload)["ok"]
            assert screen.send("cast_ballot", payload)["status"] == "already_recorded"
        host.wait_for(lambda s: s["current"]["phase"] == "counted", "the count")
        close_all([host, *screens])
    finally:
        root.removeHandler(records)
        root.setLevel(saved_root)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)

    assert len(records.lines) > 50  # DEBUG really was on: SQL, HTTP, pool...
    identities = [m.name for m in voters_] + sids + ["member_id"]
    contents = codes + list(CHOICES)
    for line in records.lines:
        about_ballot = [c for c in contents if c in line]
        about_voter = [i for i in identities if i in line]
        assert not (about_ballot and about_voter), f"{about_ballot} next to {about_voter}: {line}"
    assert not any("cast_ballot" in line for line in records.lines)
    # the pairing attack: ballot rows in casting order in some lines and who voted in others
    # would link the two even with no line holding both; at DEBUG, no row is logged at all
    assert not [line for line in records.lines for code in codes if code in line]
    assert not [line for line in records.lines if line.startswith("Row ")]
    hashes = [u.password_hash for u in db.session.scalars(db.select(StaffUser))]
    assert not [line for line in records.lines for h in hashes if h in line]
