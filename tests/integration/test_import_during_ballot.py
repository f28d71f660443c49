"""A large import into one meeting while another meeting votes: every ballot is recorded.

An import used to hold SQLite's one writer for minutes (8,000 rows: over four minutes), and
the phones of every other meeting were told "busy" after ten seconds; it now checks every
row first and writes them in a few statements (docs/performance.md).
"""

from __future__ import annotations

import io
import re
import threading
from dataclasses import replace
from typing import Any

import pytest
import requests
import socketio
from openpyxl import Workbook
from sqlalchemy import event, func, select

from meeting.domain.roles import Role
from meeting.extensions import db
from meeting.store.models import BallotReceipt, Event, PanelMember, SecretBallot

from ..conftest import make_meeting
from .ballot_helpers import tracker
from .live import WAIT, Phone, Screen, close_all, staff_cookies

pytestmark = pytest.mark.slow

ROWS = 8000


def panel_workbook(rows: int) -> bytes:
    workbook = Workbook()
    workbook.active.append(["姓名", "角色"])
    for i in range(rows):
        workbook.active.append([f"代表{i:05d}", "村民代表"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(base: str, cookies: dict[str, str], meeting_id: int, data: bytes) -> requests.Response:
    """The panel file sent from the meeting's page, as the clerk's browser sends it."""
    browser = requests.Session()
    browser.cookies.update(cookies)
    page = browser.get(f"{base}/staff/meetings/{meeting_id}").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    return browser.post(
        f"{base}/staff/meetings/{meeting_id}/import",
        data={"csrf_token": token, "what": "members"},
        files={"file": ("panel.xlsx", data)},
        allow_redirects=False,
        timeout=120,
    )


class FirstPanelWrite:
    """Notices the import's first write of panel members (SQLite's writer is taken by then)
    and holds it there until every phone has sent its ballot, so that the ballots arrive
    while the import writes."""

    def __init__(self, phones: int) -> None:
        self.begun = threading.Event()
        self._phones, self._sent = phones, 0
        self._all_sent = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("INSERT INTO panel_member") and not self.begun.is_set():
            self.begun.set()
            self._all_sent.wait(WAIT)

    def sending(self) -> None:
        with self._lock:
            self._sent += 1
            if self._sent == self._phones:
                self._all_sent.set()


def test_every_ballot_of_a_meeting_is_recorded_while_another_meeting_imports_8000_members(
    app, live_server, demo, host
) -> None:
    settings = app.extensions["meeting.settings"]
    app.extensions["meeting.settings"] = replace(
        settings, server=replace(settings.server, import_row_limit=ROWS)
    )
    other = make_meeting()
    data = panel_workbook(ROWS)
    voters = [m for m in demo.members if m.votes]
    screens = []
    for member in voters:
        phone = Phone(live_server)
        assert phone.scan(member).status_code == 302
        screens.append(phone.screen(demo.id))
    for step in ("start_briefing", "start_statement", "start_questioning", "open_ballot"):
        assert host.send(step, {"position": 1}) == {"ok": True}, step
    db.session.remove()

    write = FirstPanelWrite(len(screens))
    event.listen(db.engine, "before_cursor_execute", write)
    answers: list[dict] = []
    imported: list[requests.Response] = []

    def cast(screen: Screen, choice: str) -> None:
        if not write.begun.wait(WAIT):
            return  # the import never began to write: asserted below
        write.sending()
        payload = {"position": 1, "choice": choice, "tracker": tracker()}
        payload["tier"] = "B" if choice == "eligible" else None
        try:
            answers.append(screen.send("cast_ballot", payload))
        except socketio.exceptions.TimeoutError:  # the phone heard nothing: reported below
            answers.append({"status": "no answer"})

    importer = threading.Thread(
        target=lambda: imported.append(
            upload(live_server, staff_cookies(live_server), other.id, data)
        )
    )
    phones = [
        threading.Thread(target=cast, args=(screen, ("eligible", "not_eligible")[i % 2]))
        for i, screen in enumerate(screens)
    ]
    try:
        importer.start()
        for thread in phones:
            thread.start()
        for thread in phones:
            thread.join()
        importer.join()
    finally:
        event.remove(db.engine, "before_cursor_execute", write)

    assert write.begun.is_set(), "the import never began to write"
    assert [a.get("status") for a in answers] == ["recorded"] * len(voters), answers
    counted = host.wait_for(
        lambda s: s["current"]["result"]["cast"] == len(voters), "every ballot counted"
    )
    assert counted["current"]["phase"] == "counted"
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(SecretBallot)) == len(voters)
    assert db.session.scalar(select(func.count()).select_from(BallotReceipt)) == len(voters)
    # and the import itself went through whole
    assert imported[0].status_code == 302
    in_other = select(func.count()).where(PanelMember.meeting_id == other.id)
    assert db.session.scalar(in_other.where(PanelMember.role == Role.REPRESENTATIVE)) == ROWS
    assert (
        db.session.scalar(
            select(func.count()).where(
                Event.meeting_id == other.id, Event.kind == "members.imported"
            )
        )
        == 1
    )
    close_all(screens)
