"""The audit trail on a real SQLite file: every event chained to the one before it, and any
change, removal or reordering of a row found by the check, the CLI and the staff page."""

from __future__ import annotations

import itertools
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from meeting import create_app
from meeting.cli import main
from meeting.domain.audit import GENESIS, event_hash
from meeting.extensions import db
from meeting.services import audit
from meeting.store.models import Event, Meeting

from ..conftest import REPO
from .audit_helpers import hear, meeting_with_households
from .test_migrations import postgres_url  # noqa: F401  (a fixture)

# slow: hears whole meetings, on SQLite and PostgreSQL; left to the whole suite
pytestmark = pytest.mark.slow

#: the entry the tampering tests change: one in the middle of the log
TARGET = 20


@pytest.fixture
def meeting(app) -> Meeting:
    meeting = meeting_with_households()
    hear(meeting, 1, paper=2)
    return meeting


def raw(sql: str, **params: object) -> None:
    """Change the database behind the app's back, as someone with the file could."""
    db.session.execute(text(sql), params)
    db.session.commit()


def forge(meeting_id: int, seq: int) -> None:
    """Rewrite one entry's data and give it a hash that matches its new content."""
    row = db.session.execute(
        select(Event.at, Event.kind, Event.actor, Event.prev_hash).where(
            Event.meeting_id == meeting_id, Event.seq == seq
        )
    ).one()
    data = {"forged": True}
    digest = event_hash(meeting_id, seq, row.at, row.kind, row.actor, data, row.prev_hash)
    raw(
        "UPDATE event SET data = :d, hash = :h WHERE meeting_id = :m AND seq = :s",
        d=json.dumps(data),
        h=digest,
        m=meeting_id,
        s=seq,
    )


def swap(meeting_id: int, seq: int) -> None:
    """Swap two neighbouring entries' numbers (the unique key needs a spare number)."""
    for old, new in ((seq, -1), (seq + 1, seq), (-1, seq + 1)):
        raw(
            "UPDATE event SET seq = :new WHERE meeting_id = :m AND seq = :old",
            new=new,
            old=old,
            m=meeting_id,
        )


TAMPERING = {
    "data changed": (
        lambda m: raw(
            """UPDATE event SET data = '{"household_id": 2}' WHERE meeting_id = :m AND seq = :s""",
            m=m,
            s=TARGET,
        ),
        TARGET,
        "was changed",
    ),
    "kind changed": (
        lambda m: raw(
            "UPDATE event SET kind = 'meeting.created' WHERE meeting_id = :m AND seq = :s",
            m=m,
            s=TARGET,
        ),
        TARGET,
        "was changed",
    ),
    "actor changed": (
        lambda m: raw(
            "UPDATE event SET actor = 'someone' WHERE meeting_id = :m AND seq = :s", m=m, s=TARGET
        ),
        TARGET,
        "was changed",
    ),
    "time changed": (
        lambda m: raw(
            "UPDATE event SET at = '2026-04-28 01:02:03.000000' WHERE meeting_id = :m AND seq = :s",
            m=m,
            s=TARGET,
        ),
        TARGET,
        "was changed",
    ),
    "entry deleted": (
        lambda m: raw("DELETE FROM event WHERE meeting_id = :m AND seq = :s", m=m, s=TARGET),
        TARGET,
        "is missing",
    ),
    "entries deleted": (
        lambda m: raw(
            "DELETE FROM event WHERE meeting_id = :m AND seq BETWEEN :s AND :s + 2", m=m, s=TARGET
        ),
        TARGET,
        "are missing",
    ),
    "first entry deleted": (
        lambda m: raw("DELETE FROM event WHERE meeting_id = :m AND seq = 1", m=m),
        1,
        "is missing",
    ),
    "entry deleted and the rest renumbered": (
        lambda m: (
            raw("DELETE FROM event WHERE meeting_id = :m AND seq = :s", m=m, s=TARGET),
            raw("UPDATE event SET seq = seq - 1 WHERE meeting_id = :m AND seq > :s", m=m, s=TARGET),
        ),
        TARGET,
        "does not follow",
    ),
    "two entries swapped": (lambda m: swap(m, TARGET), TARGET, "out of order"),
    "entry forged with a matching hash": (
        lambda m: forge(m, TARGET),
        TARGET + 1,
        "does not follow",
    ),
}


def test_every_event_is_chained_to_the_one_before_it(meeting) -> None:
    events = audit.events_of(meeting.id)
    assert len(events) > TARGET + 3
    assert events[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    report = audit.verify_meeting(meeting.id)
    assert report.ok and report.count == len(events)
    assert report.head == events[-1].hash == audit.head_hash(meeting.id)


def test_the_stored_time_and_data_hash_as_they_were_written(meeting) -> None:
    db.session.expire_all()  # read back from the file: SQLite gives naive datetimes
    for event in audit.events_of(meeting.id):
        assert event.hash == event_hash(
            meeting.id, event.seq, event.at, event.kind, event.actor, event.data, event.prev_hash
        )


def test_an_empty_log_has_no_head(app) -> None:
    assert audit.head_hash(999) == ""
    assert audit.verify_meeting(999).ok


@pytest.mark.parametrize("case", TAMPERING)
def test_tampering_with_a_row_breaks_the_chain_at_that_entry(meeting, case) -> None:
    tamper, seq, problem = TAMPERING[case]
    tamper(meeting.id)
    report = audit.verify_meeting(meeting.id)
    assert not report.ok
    assert report.broken_seq == seq
    assert problem in str(report.problem)
    assert f"{seq}" in str(report.problem)


def test_another_meetings_log_is_not_affected(meeting) -> None:
    other = meeting_with_households()
    raw("DELETE FROM event WHERE meeting_id = :m AND seq = 5", m=meeting.id)
    assert audit.verify_meeting(other.id).ok
    assert audit.verify_meeting(meeting.id).broken_seq == 5


def test_the_log_never_holds_a_ballot_next_to_a_member(app) -> None:
    meeting = meeting_with_households()
    codes = hear(meeting, 1, paper=2) + hear(meeting, 2)
    logged = db.session.execute(text("SELECT kind, data FROM event")).all()
    everything = json.dumps([json.loads(d) for _, d in logged], ensure_ascii=False)
    assert not any(code in everything for code in codes), "no tracker code in the log"
    for kind, data in logged:
        fields = json.loads(data)
        if "member_id" in fields:
            assert not {"choice", "tracker", "tier", "tier_code"} & set(fields), kind
    # every writer of ballot events (casting logs none at all)
    ballot_kinds = {kind for kind, _ in logged if kind.startswith("ballot.")}
    assert "ballot.cast" not in ballot_kinds


def test_the_staff_page_shows_the_check_and_the_entries(staff, app) -> None:
    meeting = meeting_with_households()
    page = staff.get(f"/staff/meetings/{meeting.id}/audit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert audit.head_hash(meeting.id) in html
    # what happened in words (the codes only on hover), who and to whom
    assert ">添加评议小组成员<" in html and ">到会情况变更<" in html
    assert 'title="member.added"' in html
    assert ">member.added<" not in html
    first = meeting.members[0].name
    assert f">{first}</td>" in html  # the member the entry is about, by name
    assert "broken" not in html
    raw("UPDATE event SET actor = 'x' WHERE meeting_id = :m AND seq = 7", m=meeting.id)
    html = staff.get(f"/staff/meetings/{meeting.id}/audit").get_data(as_text=True)
    assert 'class="broken"' in html
    assert "7" in html
    meeting_page = staff.get(f"/staff/meetings/{meeting.id}").get_data(as_text=True)
    assert f"/staff/meetings/{meeting.id}/audit" in meeting_page


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MEETING_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("MEETING_CONFIG", str(REPO / "config" / "testing.toml"))
    app = create_app(instance_path=str(tmp_path / "instance"))
    with app.app_context():
        upgrade()
        meeting_with_households()
        db.session.remove()
        db.engine.dispose()
    return tmp_path / "instance"


def test_verify_reports_ok_with_the_count_and_the_head_hash(instance: Path) -> None:
    with sqlite3.connect(instance / "meeting.sqlite3") as connection:
        count, last = connection.execute("SELECT count(*), max(seq) FROM event").fetchone()
        head = connection.execute("SELECT hash FROM event WHERE seq = ?", (last,)).fetchone()[0]
    result = CliRunner().invoke(main, ["verify", "1"])
    assert result.exit_code == 0, result.output
    assert f"OK: {count} events, head hash {head}" in result.output


def test_verify_names_the_first_broken_entry_and_fails(instance: Path) -> None:
    with sqlite3.connect(instance / "meeting.sqlite3") as connection:
        connection.execute("UPDATE event SET data = '{}' WHERE seq = 9")
    result = CliRunner().invoke(main, ["verify", "1"])
    assert result.exit_code == 1
    assert "BROKEN at entry 9" in result.output and "Entry 9 was changed" in result.output


def test_verify_refuses_an_unknown_meeting(instance: Path) -> None:
    result = CliRunner().invoke(main, ["verify", "42"])
    assert result.exit_code == 1 and "There is no meeting 42." in result.output


# --- the migration and PostgreSQL ------------------------------------------------------------


def test_the_migration_chains_the_events_logged_before_it(meeting) -> None:
    hashes = [e.hash for e in audit.events_of(meeting.id)]
    db.session.remove()
    downgrade(revision="0004")
    upgrade()
    meeting = db.session.get(Meeting, meeting.id)
    assert [e.hash for e in audit.events_of(meeting.id)] == hashes
    assert audit.verify_meeting(meeting.id).ok


@pytest.mark.postgres
def test_the_chain_holds_on_postgresql(postgres_url, tmp_path) -> None:  # noqa: F811
    app = create_app({"server": {"database_url": postgres_url}}, instance_path=str(tmp_path))
    with app.app_context():
        try:
            upgrade()
            meeting = meeting_with_households()
            hear(meeting, 1, paper=1)
            db.session.expire_all()  # read back: PostgreSQL's own time zone and JSON
            assert audit.verify_meeting(meeting.id).ok
            db.session.execute(
                text("UPDATE event SET at = at + interval '1 second' WHERE seq = 12")
            )
            db.session.commit()
            assert audit.verify_meeting(meeting.id).broken_seq == 12
        finally:
            db.session.remove()
            db.engine.dispose()
