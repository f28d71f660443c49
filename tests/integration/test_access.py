"""The whole access table, walked for real over HTTP and websockets: every page in the URL
map and every registered Socket.IO event, as anonymous, as each staff role, as a phone of
this meeting and of another, and after signing out. Each allowed call gets through; each
refused one is refused and changes nothing (web/access.py, docs/security.md)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import requests
import socketio
from sqlalchemy import inspect, select, text

from meeting.domain.roles import Role
from meeting.domain.staff_roles import StaffRole
from meeting.extensions import db
from meeting.extensions import socketio as server_socketio
from meeting.services.cards import join_token
from meeting.services.demo import ensure_demo
from meeting.services.staff import create_staff
from meeting.store.models import Meeting, StaffUser
from meeting.web.access import DISPLAY, EVENTS, PUBLIC, ROUTES, display_token, markdown_table

from ..conftest import REPO, STAFF_PASSWORD, make_meeting
from .live import WAIT

pytestmark = pytest.mark.live

#: a payload every event can parse, naming nothing that exists: an allowed call is
#: answered by the domain (or done), a refused one must not get that far
PAYLOAD = {
    "position": 999,
    "to": 1,
    "member_id": 999_999,
    "request_id": 999_999,
    "seconds": 60,
    "present": True,
    "approve": False,
    "named": False,
    "on_paper": False,
    "shown": False,
    "confirm": False,
    "field": "statement_notes",
    "text": "",
    "reason": "测试",
    "step": "announce",
    "choice": "abstain",
    "tier": None,
    "tracker": "AAAAAAAA",
}
NOT_FROM_HERE = ("此页面不能进行该操作", "Not allowed from this screen")


def fingerprint() -> tuple:
    """Every table's row count, every meeting's version and every account's roles."""
    db.session.expire_all()
    counts = tuple(
        db.session.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
        for table in sorted(inspect(db.engine).get_table_names())
    )
    versions = tuple(
        db.session.execute(select(Meeting.id, Meeting.version, Meeting.display_generation))
    )
    roles = tuple(
        db.session.execute(select(StaffUser.username, StaffUser.roles, StaffUser.session_token))
    )
    return counts, versions, roles


@dataclass
class Visitor:
    """A browser: anonymous, signed in with some roles, or a phone holding a seat."""

    name: str
    roles: frozenset[StaffRole] = frozenset()
    browser: requests.Session = field(default_factory=requests.Session)
    meeting_id: int | None = None  # the meeting whose seat a phone holds
    display_for: int | None = None  # the meeting whose display link it opened

    def csrf(self, base: str) -> str:
        page = self.browser.get(base + "/login").text
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


@pytest.fixture
def hall(app, live_server) -> Iterator[dict]:
    meeting, _ = ensure_demo()
    other = make_meeting(representatives=1)
    stranger = other.members[0]
    member = next(m for m in meeting.members if m.role is Role.REPRESENTATIVE)
    accounts = {
        "admin": {StaffRole.ADMIN},
        "host": {StaffRole.HOST},
        "secretary": {StaffRole.SECRETARY},
    }
    for username, roles in accounts.items():
        create_staff(username, STAFF_PASSWORD, None, roles)
    visitors = [Visitor("anonymous")]
    for username, roles in accounts.items():
        visitor = Visitor(username, frozenset(roles))
        token = visitor.csrf(live_server)
        answer = visitor.browser.post(
            live_server + "/login",
            data={"csrf_token": token, "username": username, "password": STAFF_PASSWORD},
            allow_redirects=False,
        )
        assert answer.status_code == 302, username
        visitors.append(visitor)
    signed_out = Visitor("signed-out")
    token = signed_out.csrf(live_server)
    signed_out.browser.post(
        live_server + "/login",
        data={"csrf_token": token, "username": "admin", "password": STAFF_PASSWORD},
    )
    signed_out.browser.post(
        live_server + "/logout", data={"csrf_token": signed_out.csrf(live_server)}
    )
    # signing out ended the admin's other sessions too: sign the admin in again
    admin = next(v for v in visitors if v.name == "admin")
    admin.browser = requests.Session()
    admin.browser.post(
        live_server + "/login",
        data={
            "csrf_token": admin.csrf(live_server),
            "username": "admin",
            "password": STAFF_PASSWORD,
        },
    )
    visitors.append(signed_out)
    here, there = (
        Visitor("member-here", meeting_id=meeting.id),
        Visitor("member-other", meeting_id=other.id),
    )
    assert (
        here.browser.get(f"{live_server}/j/{join_token(member)}", allow_redirects=False).status_code
        == 302
    )
    assert (
        there.browser.get(
            f"{live_server}/j/{join_token(stranger)}", allow_redirects=False
        ).status_code
        == 302
    )
    display = Visitor("display-link", display_for=meeting.id)
    link = f"{live_server}/d/{meeting.id}/{display_token(meeting)}"
    assert display.browser.get(link, allow_redirects=False).status_code == 302
    visitors += [here, there, display]
    household = meeting.households[0]
    return {
        "meeting": meeting,
        "visitors": visitors,
        "args": {
            "meeting_id": meeting.id,
            "member_id": member.id,
            "household_id": household.id,
            "user_id": db.session.scalar(
                select(StaffUser.id).where(StaffUser.username == "secretary")
            ),
            "request_id": 999_999,
            "token": "not-a-token",
            "what": "members",
            "fmt": "xlsx",
            "code": "zh",
            "filename": "css/app.css",
        },
    }


def allowed_page(visitor: Visitor, endpoint: str, meeting_id: int) -> bool:
    rule = ROUTES[endpoint]
    if rule == PUBLIC:
        return True
    if rule == DISPLAY:
        if visitor.display_for == meeting_id:
            return True
        rule = frozenset({StaffRole.HOST})
    return bool(visitor.roles & rule)


def refused(response: requests.Response) -> bool:
    """The gate's refusals: 403, or the way to the sign-in page."""
    login = response.status_code in (302, 303) and "/login" in response.headers.get("Location", "")
    return response.status_code == 403 or login


def test_every_page_has_an_entry_in_the_access_table(app) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(ROUTES), "add the page to web/access.py ROUTES (and docs/security.md)"


def test_every_staff_event_has_an_entry_in_the_access_table(app) -> None:
    registered = set(server_socketio.server.handlers["/"])
    member_events = {"raise_hand", "withdraw_hand", "cast_ballot", "confirm_count"}
    any_screen = {"connect", "disconnect", "sync", "ping", "*"}
    assert registered - member_events - any_screen == set(EVENTS)


def test_docs_print_the_access_table() -> None:
    assert markdown_table() in (REPO / "docs" / "security.md").read_text(encoding="utf-8")


def test_every_page_for_every_visitor(app, live_server, hall) -> None:
    args, meeting = hall["args"], hall["meeting"]
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "auth.logout":
            continue  # it signs the visitor out: its own test below
        values = {name: args[name] for name in rule.arguments}
        path = rule.build(values, append_unknown=False)[1]
        for visitor in hall["visitors"]:
            allowed = allowed_page(visitor, rule.endpoint, meeting.id)
            if visitor.display_for is not None:  # a host may have renewed the link meanwhile
                db.session.expire_all()
                current = db.session.get(Meeting, visitor.display_for)
                visitor.browser.get(f"{live_server}/d/{current.id}/{display_token(current)}")
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                before = fingerprint()
                data = {"csrf_token": visitor.csrf(live_server)} if method == "POST" else None
                response = visitor.browser.request(
                    method, live_server + path, data=data, allow_redirects=False
                )
                what = f"{method} {rule.endpoint} as {visitor.name}: {response.status_code}"
                if ROUTES[rule.endpoint] == PUBLIC:
                    assert response.status_code < 500, what  # it checks a token or seat itself
                elif allowed:
                    assert not refused(response) and response.status_code < 500, what
                    if method == "GET":
                        assert response.status_code in (200, 302), what
                else:
                    assert refused(response), what
                    assert fingerprint() == before, what
                checked += 1
    assert checked > 150


def test_signing_out_is_for_the_signed_in_only(live_server, hall) -> None:
    anonymous = Visitor("anonymous")
    before = fingerprint()
    answer = anonymous.browser.post(
        live_server + "/logout",
        data={"csrf_token": anonymous.csrf(live_server)},
        allow_redirects=False,
    )
    assert refused(answer) and fingerprint() == before
    host = next(v for v in hall["visitors"] if v.name == "host")
    answer = host.browser.post(
        live_server + "/logout", data={"csrf_token": host.csrf(live_server)}, allow_redirects=False
    )
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert refused(
        host.browser.get(f"{live_server}/host/{hall['meeting'].id}", allow_redirects=False)
    )


def connect(base: str, visitor: Visitor, meeting_id: int, view: str) -> socketio.Client | None:
    client = socketio.Client(reconnection=False)
    cookies = "; ".join(f"{k}={v}" for k, v in visitor.browser.cookies.get_dict().items())
    try:
        client.connect(
            base,
            auth={"meeting": meeting_id, "view": view},
            transports=["websocket"],
            headers={"Cookie": cookies},
            wait_timeout=WAIT,
        )
    except socketio.exceptions.ConnectionError:
        return None
    return client


def test_every_live_event_for_every_screen(live_server, hall) -> None:
    meeting = hall["meeting"]
    staff_events = sorted(EVENTS)
    member_events = ["raise_hand", "withdraw_hand", "cast_ballot", "confirm_count"]
    checked = 0
    for visitor in hall["visitors"]:
        for view in ("staff", "display", "member"):
            client = connect(live_server, visitor, meeting.id, view)
            may_connect = {
                "staff": bool(visitor.roles),
                "display": bool(visitor.roles) or visitor.display_for == meeting.id,
                "member": visitor.meeting_id == meeting.id,
            }[view]
            assert (client is not None) == may_connect, f"{visitor.name} connects as {view}"
            if client is None:
                continue
            try:
                for event in staff_events + member_events + ["sync", "ping"]:
                    if event in EVENTS:
                        allowed = view == "staff" and bool(visitor.roles & EVENTS[event])
                    elif event in member_events:
                        allowed = view == "member"
                    else:
                        allowed = True
                    before = fingerprint()
                    answer = client.call(event, PAYLOAD, timeout=WAIT)
                    what = f"{event} from {visitor.name}'s {view} screen: {answer}"
                    gate = answer.get("code") == "forbidden" or answer.get("error", "").startswith(
                        NOT_FROM_HERE
                    )
                    if allowed:
                        assert not gate, what
                    else:
                        assert answer["ok"] is False and gate, what
                        assert fingerprint() == before, what
                    checked += 1
            finally:
                client.disconnect()
    assert checked > 100
