"""The `meeting` command: create-staff, db upgrade, and demo serving for real."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from meeting import create_app
from meeting.cli import main
from meeting.extensions import db
from meeting.services import hearings, presence
from meeting.services.demo import bot_votes
from meeting.store.models import Meeting

from ..conftest import REPO

# slow: runs the command line, and servers; left to the whole suite
pytestmark = pytest.mark.slow

HEAD = sorted(p.name for p in (REPO / "meeting/migrations/versions").glob("0*.py"))[-1][:4]


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MEETING_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("MEETING_CONFIG", str(REPO / "config" / "testing.toml"))
    return tmp_path / "instance"


def test_create_staff_makes_an_account_with_roles_and_refuses_a_duplicate(
    instance: Path,
) -> None:
    runner = CliRunner()
    host = ["--role", "host", "--role", "secretary", "--password", "long enough"]
    result = runner.invoke(main, ["create-staff", "clerk", *host])
    assert result.exit_code == 0, result.output
    assert "Created staff account clerk (host, secretary)." in result.output
    again = runner.invoke(main, ["create-staff", "clerk", *host])
    assert again.exit_code == 1 and "The username clerk is taken." in again.output
    short = runner.invoke(main, ["create-staff", "other", "--role", "admin", "--password", "short"])
    assert short.exit_code == 1 and "at least 8 characters" in short.output
    no_role = runner.invoke(main, ["create-staff", "other", "--password", "long enough"])
    assert no_role.exit_code == 2 and "--role" in no_role.output
    wrong = runner.invoke(main, ["create-staff", "other", "--role", "boss", "--password", "x" * 9])
    assert wrong.exit_code == 2 and "boss" in wrong.output


def test_db_upgrade_creates_the_database_in_the_instance_folder(instance: Path) -> None:
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (instance / "meeting.sqlite3").stat().st_size > 0
    with sqlite3.connect(instance / "meeting.sqlite3") as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout: float = 30.0, what: str = "condition"):
    """Poll until ``condition()`` is truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def demo_server(instance: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "meeting", "demo", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # the README's first command as a new user runs it: the default configuration
        env={
            **{k: v for k, v in os.environ.items() if k != "MEETING_CONFIG"},
            "PUBLIC_URL": "http://192.0.2.10:5000",
            "PYTHONUNBUFFERED": "1",
        },
    )
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        if process.poll() is not None:
            pytest.fail(f"meeting demo exited:\n{process.stdout.read()}")
        try:
            with urllib.request.urlopen(base + "/login", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    try:
        wait_for(answers, what="the demo server to answer")
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_meeting_demo_serves_the_demo_meeting(demo_server) -> None:
    base, process = demo_server
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with browser.open(base + "/login") as answer:
        login_page = answer.read().decode()
        assert "/" not in answer.headers.get("Server", "")  # no software versions named
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page).group(1)
    form = urllib.parse.urlencode(
        {"csrf_token": token, "username": "demo", "password": "demo-hearing"}
    ).encode()
    meetings = browser.open(base + "/login", data=form).read().decode()
    assert "晋屏社区城镇低保民主评议听证会（演示）" in meetings
    cards = browser.open(base + "/staff/meetings/1/cards").read().decode()
    assert cards.count('<article class="card"') == 23
    # the Socket.IO endpoint is served by the same process (gevent, the default)
    handshake = browser.open(base + "/socket.io/?EIO=4&transport=polling").read().decode()
    assert '"sid"' in handshake and "websocket" in handshake

    with pytest.raises(urllib.error.HTTPError) as refused:
        browser.open(base + "/j/" + "A" * 27)
    assert refused.value.code == 404
    refused.value.close()

    process.terminate()
    output = process.communicate(timeout=10)[0]
    assert "/j/" not in output and "GET /" not in output  # no access log with card tokens
    assert "Created the demo meeting" in output
    assert re.search(r"Serving on 127\.0\.0\.1:\d+ \(gevent\)", output)
    assert "23 voting members, 31 households, 59 persons" in output
    assert "Staff sign-in: username demo  password demo-hearing" in output
    assert "phones on the same Wi-Fi: http://192.0.2.10:5000/" in output  # PUBLIC_URL wins


def test_python_dash_m_meeting_is_the_same_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "meeting", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("serve", "demo", "create-staff", "db"):
        assert re.search(rf"^\s+{command}\s", result.stdout, re.MULTILINE), command


def test_backup_waits_for_the_count_and_a_restore_verifies_every_chain(
    instance: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["demo", "--no-serve"]).exit_code == 0
    app = create_app()
    with app.app_context():
        meeting = db.session.scalar(select(Meeting))
        meeting_id = meeting.id
        for member in [m for m in meeting.members if m.votes][:20]:
            presence.set_presence(meeting_id, member.id, True, "host")
        for step in (hearings.start_briefing, hearings.start_statement, hearings.start_questioning):
            step(meeting_id, 1, "host")
        hearings.open_ballot(meeting_id, 1, "host")
        db.session.remove()
        db.engine.dispose()

    refused = runner.invoke(main, ["backup", str(tmp_path / "open.sqlite3")])
    assert refused.exit_code == 1 and "A ballot is open" in refused.output
    assert not (tmp_path / "open.sqlite3").exists()
    with app.app_context():
        bot_votes(meeting_id, 1, "host")  # the last ballot closes and counts it
        db.session.remove()
        db.engine.dispose()
    copy = tmp_path / "after-count.sqlite3"
    made = runner.invoke(main, ["backup", str(copy)])
    assert made.exit_code == 0, made.output
    assert copy.stat().st_mode & 0o077 == 0 and copy.stat().st_size > 0

    # a new laptop: an empty instance, the backup restored, the chain verified
    monkeypatch.setenv("MEETING_INSTANCE", str(tmp_path / "new-instance"))
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    restored = runner.invoke(main, ["restore", str(copy)])
    assert restored.exit_code == 0, restored.output
    assert "Restored 1 meetings" in restored.output
    verified = runner.invoke(main, ["verify", str(meeting_id)])
    assert verified.exit_code == 0 and verified.output.startswith("OK: "), verified.output

    # a copy whose chain was tampered with is not restored
    with sqlite3.connect(copy) as tampered:
        tampered.execute("UPDATE event SET actor = 'someone else' WHERE seq = 2")
    tampered.close()
    broken = runner.invoke(main, ["restore", str(copy)])
    assert broken.exit_code == 1 and "audit trail is broken at entry 2" in broken.output
