"""Random input against every live event and every page (Hypothesis, the same examples on
every run): each event is answered at once in the app's own format, whatever it is sent;
nothing ends in a server error; and a refused call changes nothing in the database.

The bulk goes through Flask-SocketIO's test client (the server's own packet encoding, in
this thread: thousands of calls a second); a smaller share goes over real websockets, where
a handler that fails before answering would leave its caller waiting."""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import requests
import socketio
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meeting.domain.roles import Role
from meeting.domain.staff_roles import StaffRole
from meeting.extensions import db, limiter
from meeting.extensions import socketio as server_socketio
from meeting.services import hearings, presence
from meeting.services.cards import join_token
from meeting.services.demo import ensure_demo
from meeting.services.notes import NOTE_FIELDS
from meeting.services.seats import entry_token
from meeting.services.staff import create_staff, update_staff
from meeting.store.models import Meeting, PanelMember, StaffUser
from meeting.web.access import EVENTS, display_token

from ..conftest import STAFF_PASSWORD, StaffClient
from .live import WAIT, staff_cookies

pytestmark = pytest.mark.slow

MEMBER_EVENTS = ("raise_hand", "withdraw_hand", "cast_ballot", "confirm_count")
ANY_SCREEN_EVENTS = ("sync", "ping")
#: names the Socket.IO library keeps for itself: a client may still send them as events
RESERVED = ("connect", "disconnect")
UNKNOWN = "(an unknown name)"
FUZZED_EVENTS = (*sorted(EVENTS), *MEMBER_EVENTS, *ANY_SCREEN_EVENTS, *RESERVED, UNKNOWN)
#: payloads per event: at least 1,000 in all
EXAMPLES, PER_EXAMPLE = 50, 20
#: how long an answer may take through the test client (it runs in this thread)
ANSWER_WITHIN = 5.0
SERVER_ERROR = "The server could not do this. Try again."
REPRODUCIBLE = settings(
    deadline=None,
    derandomize=True,
    database=None,
    # one hall per test, on purpose: the examples run on the state the earlier ones left
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --- what is sent ------------------------------------------------------------------------------


def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


BIG_NUMBERS = [2**31 - 1, 2**31, -(2**31) - 1, 2**53 + 1, 2**63, -(2**63) - 1, 10**30, -(10**100)]
#: values that break parsers, each drawn whole: one draw instead of dozens keeps the
#: thousands of payloads cheap to make
ODD_VALUES = [
    *BIG_NUMBERS,
    None,
    True,
    False,
    0,
    -1,
    1.5,
    float("nan"),
    float("inf"),
    "",
    " ",
    "\x00",
    "1\x00",
    "低保\x00户",
    "١٢",
    "1e9",
    "0x10",
    "9" * 40,
    "NaN",
    "null",
    "长" * 40_001,  # longer than any text a screen may send
    [],
    [1, [2, [3]]],
    {},
    {"position": 1},
    {"\x00": "\x00"},
    nested(200),
]
big_numbers = st.sampled_from(BIG_NUMBERS)
scalars = st.one_of(st.sampled_from(ODD_VALUES), st.integers(), st.text(max_size=12))
anything = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.text(max_size=4), scalars, max_size=2),
)


#: the keys each event reads (docs/protocol.md); an event not listed gets random keys only
EVENT_KEYS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("start_briefing", "start_statement", "start_questioning", "announce"), ("position",)
    ),
    **dict.fromkeys(("resume_ballot", "bot_votes", "show", "confirm_count"), ("position",)),
    **dict.fromkeys(("open_ballot", "close_ballot"), ("position", "confirm")),
    "step": ("position", "step", "confirm"),
    "extend": ("position", "seconds"),
    **dict.fromkeys(("step_back", "void_ballot", "defer", "skip"), ("position", "reason")),
    "move_household": ("position", "to", "reason"),
    "presence": ("member_id", "present"),
    "everyone_present": ("present",),
    **dict.fromkeys(("release_seat", "new_card"), ("member_id",)),
    "seat_request": ("request_id", "approve"),
    **dict.fromkeys(("give_floor", "finish_speaking"), ("request_id",)),
    "recuse": ("position", "member_id", "reason"),
    **dict.fromkeys(("withdraw_recusal", "paper_slip"), ("position", "member_id")),
    "paper_voter": ("member_id", "on_paper"),
    "paper_ballot": ("position", "choice", "tier", "tracker", "witness"),
    "show_trackers": ("position", "shown"),
    "name_scrutineer": ("member_id", "named"),
    "save_notes": ("position", "field", "text"),
    "cast_ballot": ("position", "choice", "tier", "tracker", "round"),
}


def good_values(hall: Hall) -> dict[str, st.SearchStrategy]:
    """Values each key would take: random payloads reach the services, not only the parser."""
    last = max(hall.positions)
    # mostly the household whose ballot is open (1), where most events can act
    positions = st.sampled_from([1, 1, 1, 2, 3, last, 0, -1, last + 1])
    return {
        "position": positions,
        "to": positions,
        "member_id": st.sampled_from(hall.member_ids),
        "witness": st.sampled_from(hall.member_ids),
        "request_id": st.integers(0, 5),
        "seconds": st.sampled_from([-60, 0, 30, 60, 600, 86_400]),
        **{
            key: st.booleans()
            for key in ("present", "approve", "named", "on_paper", "shown", "confirm")
        },
        "field": st.sampled_from(NOTE_FIELDS),
        # Hypothesis draws the first of a list most often: the one a service takes
        "text": st.sampled_from(["申请人称收入减少", "", "x" * 20_001]),
        "reason": st.sampled_from(["申请人未到场", "", "亲属"]),
        "step": st.sampled_from(
            ["start_briefing", "start_questioning", "open_ballot", "close_ballot", "announce"]
        ),
        "choice": st.sampled_from(["eligible", "not_eligible", "abstain"]),
        "tier": st.sampled_from(["A", "B", "C", None]),
        "tracker": st.sampled_from(["AAAAAAAA", "ZZZZ2345", "QQQQ7777", "aaaaaaaa"]),
        "round": st.integers(0, 3),
    }


def event_arguments(hall: Hall, event: str) -> st.SearchStrategy[tuple]:
    """What an event is sent: mostly one object with its keys holding good or odd values
    (and a stray key or two), else anything at all, nothing, several arguments or binary
    data."""
    good = good_values(hall)
    values = {k: st.one_of(good[k], good[k], anything) for k in EVENT_KEYS.get(event, ())}
    objects = st.builds(
        lambda known, extra: {**extra, **known},
        st.one_of(st.fixed_dictionaries(values), st.fixed_dictionaries({}, optional=values)),
        st.dictionaries(st.text(max_size=4), anything, max_size=2),
    )
    return st.one_of(
        st.tuples(objects),
        st.tuples(objects),
        st.tuples(objects),
        st.tuples(anything),
        st.just(()),
        st.tuples(objects, anything),
        st.tuples(st.binary(max_size=8)),
    )


unknown_names = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["message", "json", "", "__proto__", "connect_error", "error"]),
).filter(lambda name: name not in FUZZED_EVENTS)


# --- the hall: a demo meeting with a ballot open, a console, a projector and a phone ------


class Writes:
    """Commits to the SQLite file by any other connection: SQLite moves ``data_version``
    for each one, so a write no table's row count shows (an update) is seen too."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def count(self) -> int:
        return self.connection.execute("PRAGMA data_version").fetchone()[0]


@dataclass
class Hall:
    app: Flask
    meeting_id: int
    positions: list[int]
    member_ids: list[int]
    phone_member_id: int
    caplog: pytest.LogCaptureFixture
    writes: Writes
    server_errors: set[str]
    browsers: dict[str, FlaskClient] = field(default_factory=dict)
    screens: dict[str, Any] = field(default_factory=dict)
    calls: int = 0
    #: how the answers went: "done", a refusal's code, or "refused" (malformed, wrong screen)
    outcomes: Counter[str] = field(default_factory=Counter)

    def screen(self, name: str) -> Any:
        """The screen's Socket.IO test client, connected again if the server closed it (the
        fuzz may free the phone's seat or issue it a new card)."""
        client = self.screens.get(name)
        if client is None or not client.is_connected():
            if name == "phone":
                member = db.session.get(PanelMember, self.phone_member_id)
                db.session.refresh(member)
                scan = self.browsers["phone"].get(f"/j/{join_token(member)}")
                assert scan.status_code == 302, scan.status_code
            view = {"console": "staff", "projector": "display", "phone": "member"}[name]
            client = server_socketio.test_client(
                self.app,
                flask_test_client=self.browsers["staff" if name != "phone" else "phone"],
                auth={"meeting": self.meeting_id, "view": view},
            )
            assert client.is_connected(), f"the {name} could not connect"
            self.screens[name] = client
        return client

    def call(self, screen: str, event: Any, args: tuple) -> None:
        """Send one event and check its answer, the log and, if refused, the database."""
        client = self.screen(screen)
        before = self.writes.count()
        started = time.monotonic()
        answer = client.emit(event, *args, callback=True)
        took = time.monotonic() - started
        what = f"{event!r}{_short(args)} from the {screen}: {answer!r}"
        assert took < ANSWER_WITHIN, f"answered after {took:.1f} s: {what}"
        errors = logged_errors(self.caplog)
        self.caplog.clear()  # the next call is judged by its own lines
        assert not errors, f"{errors}: {what}"
        assert isinstance(answer, dict) and isinstance(answer.get("ok"), bool), what
        assert answer.get("error") not in self.server_errors, what
        if event in EVENTS or event in MEMBER_EVENTS:  # PostgreSQL would refuse to store it
            assert not (answer["ok"] and holds_nul(args)), f"a NUL was taken: {what}"
        if not answer["ok"]:
            assert self.writes.count() == before, f"a refused call changed the database: {what}"
        else:
            self.app.extensions["meeting.scrubber"].settled()  # its writes land before the next
        client.get_received()  # the states pushed meanwhile
        self.calls += 1
        self.outcomes["done" if answer["ok"] else answer.get("code", "refused")] += 1

    def close(self) -> None:
        for client in self.screens.values():
            if client.is_connected():
                client.disconnect()
        self.writes.connection.close()


def logged_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Errors the app or the socket libraries logged. The development server that serves
    the live tests logs the bytes a closing websocket leaves behind as a bad request: that
    is the test's server, not the app."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.ERROR and record.name != "werkzeug"
    ]


def with_nul(args: tuple) -> tuple:
    """The arguments with a NUL in the middle of each text of an object payload."""
    if len(args) != 1 or not isinstance(args[0], dict):
        return args
    return (
        {
            key: value[: len(value) // 2] + "\x00" + value[len(value) // 2 :]
            if isinstance(value, str)
            else value
            for key, value in args[0].items()
        },
    )


def holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(k) or holds_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(holds_nul(item) for item in value)
    return False


def _short(args: tuple) -> str:
    text = repr(args)
    return text if len(text) < 300 else text[:300] + "…"


def signed_in_browser(app: Flask) -> FlaskClient:
    browser = StaffClient(app.test_client())
    answer = browser.post("/login", {"username": "clerk", "password": STAFF_PASSWORD})
    assert answer.status_code == 302
    return browser.client


@pytest.fixture
def hall(app: Flask, caplog: pytest.LogCaptureFixture) -> Iterator[Hall]:
    create_staff("clerk", STAFF_PASSWORD, "村文书")
    meeting, _ = ensure_demo()
    # thousands of events a second from one screen: without the budget each one reaches the
    # parser and the services, rather than a "too many" answer (tested on its own elsewhere)
    app.extensions["meeting.event_budget"].rate = 0
    # a freed seat is taken again by scanning the same card, far more often than a person
    # would (the per-card limit is tested on its own: test_proxy_and_limits.py)
    app.config["JOIN_RATE_LIMIT"] = "100000 per minute"
    # everyone present and household 1's ballot open: most events find something to act on
    presence.set_everyone_present(meeting.id, True, "test")
    for step in (hearings.start_briefing, hearings.start_statement, hearings.start_questioning):
        step(meeting.id, 1, "test")
    hearings.open_ballot(meeting.id, 1, "test", confirmed=True)
    phone_member = next(m for m in meeting.members if m.role is Role.REPRESENTATIVE)
    hall = Hall(
        app=app,
        meeting_id=meeting.id,
        positions=[h.position for h in meeting.households],
        member_ids=[m.id for m in meeting.members],
        phone_member_id=phone_member.id,
        caplog=caplog,
        writes=Writes(Path(app.instance_path) / "meeting.sqlite3"),
        server_errors=set(),
    )
    for locale in ("zh", "en"):  # the answer to an event that failed on the server
        with force_locale(locale):
            hall.server_errors.add(gettext(SERVER_ERROR))
    hall.browsers = {"staff": signed_in_browser(app), "phone": app.test_client()}
    yield hall
    hall.close()


# --- live events -------------------------------------------------------------------------------


def test_every_handled_event_is_fuzzed(app) -> None:
    handled = set(server_socketio.server.handlers["/"]) - {"*"}
    assert handled <= set(FUZZED_EVENTS), "add the new event to FUZZED_EVENTS"


def own_screen(event: str) -> str:
    if event in EVENTS:
        return "console"
    return "phone" if event in MEMBER_EVENTS else "projector"


@pytest.mark.parametrize("event", FUZZED_EVENTS)
def test_any_payload_to_a_live_event_is_answered_and_a_refusal_changes_nothing(
    hall: Hall, event: str
) -> None:
    own = st.just(own_screen(event))
    senders = st.one_of(own, own, own, st.sampled_from(["console", "projector", "phone"]))
    names = unknown_names if event == UNKNOWN else st.just(event)
    calls = st.lists(
        st.tuples(senders, names, event_arguments(hall, event)),
        min_size=PER_EXAMPLE,
        max_size=PER_EXAMPLE,
    )

    @settings(REPRODUCIBLE, max_examples=EXAMPLES)
    @given(batch=calls)
    def send(batch: list[tuple[str, Any, tuple]]) -> None:
        for screen, name, args in batch:
            if name in EVENTS or name in MEMBER_EVENTS:
                twin = with_nul(args)
                if twin != args:  # the same payload with a NUL in each text: never taken
                    hall.call(screen, name, twin)
            hall.call(screen, name, args)

    send()
    assert hall.calls >= EXAMPLES * PER_EXAMPLE
    outcomes = hall.outcomes
    if event in EVENT_KEYS:  # the payloads got past the parser too, to the rules or done
        assert sum(n for kind, n in outcomes.items() if kind != "refused") >= 10, outcomes
    elif event in (UNKNOWN, *RESERVED):
        assert set(outcomes) == {"unknown_event"}, outcomes
    elif event in ANY_SCREEN_EVENTS:
        assert set(outcomes) == {"done"}, outcomes


def test_odd_arguments_over_a_real_websocket_are_answered_in_time(live_server, hall) -> None:
    """Over a real server a handler that fails before answering leaves its caller waiting
    (the test client would raise instead): every event, with every odd shape of argument."""
    phone = requests_phone(live_server, hall)
    console = websocket(live_server, hall, "staff", staff_cookies(live_server))
    odd_arguments: list[Any] = [
        None,
        (),
        "text",
        7,
        [1, 2],
        (1, 2),
        ({"position": 1}, "more"),
        {"position": "1\x00"},
        {"text": "\x00", "reason": "\x00", "field": "statement_notes", "position": 1},
        nested(200),
        b"\x00\x01",
    ]
    try:
        for event in (*FUZZED_EVENTS[:-1], "no_such_event"):
            client = phone if event in MEMBER_EVENTS else console
            for data in odd_arguments:
                before = hall.writes.count()
                answer = client.call(event, data, timeout=WAIT)  # raises if not answered
                what = f"{event}({data!r}): {answer!r}"
                assert isinstance(answer, dict) and answer["ok"] in (True, False), what
                if not answer["ok"]:
                    assert hall.writes.count() == before, what
                hall.app.extensions["meeting.scrubber"].settled()
    finally:
        for client in (phone, console):
            client.eio.disconnect(abort=True)  # as live.Screen.close: at once
    assert not logged_errors(hall.caplog)


def requests_phone(base: str, hall: Hall) -> socketio.Client:
    member = db.session.get(PanelMember, hall.phone_member_id)
    browser = requests.Session()
    assert browser.get(f"{base}/j/{join_token(member)}", allow_redirects=False).ok
    return websocket(base, hall, "member", browser.cookies.get_dict())


def websocket(base: str, hall: Hall, view: str, cookies: dict[str, str]) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    client.connect(
        base,
        auth={"meeting": hall.meeting_id, "view": view},
        transports=["websocket"],
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
        wait_timeout=WAIT,
    )
    return client


# --- pages -------------------------------------------------------------------------------------

ROUTE_EXAMPLES = 30
PARAMETER = re.compile(r"<(?:[^<>:]+:)?(\w+)>")


def parameter_values(app: Flask, meeting: Meeting) -> dict[str, st.SearchStrategy]:
    """Good values of each path parameter (so that random queries and forms reach the page
    itself), mixed below with huge, negative and unicode ones."""
    user_id = db.session.query(StaffUser.id).filter_by(username="clerk").scalar()
    ids = {
        "meeting_id": [meeting.id],
        "member_id": [m.id for m in meeting.members],
        "household_id": [h.id for h in meeting.households],
        "user_id": [user_id],
        "request_id": [1],
    }
    tokens = [join_token(meeting.members[0]), entry_token(meeting), display_token(meeting)]
    good = {
        **{name: st.sampled_from(values) for name, values in ids.items()},
        "token": st.sampled_from(tokens),
        "what": st.sampled_from(["members", "households"]),
        # the cheap documents only: a PDF takes seconds to render
        "fmt": st.sampled_from(["csv", "xlsx", "docx", "notice", "sign-in"]),
        "code": st.sampled_from(["zh", "en"]),
        "filename": st.sampled_from(["css/app.css", "js/confirm.js", "../secret_key"]),
    }
    random = st.one_of(st.integers(), big_numbers, st.text(min_size=1, max_size=20))
    return {name: st.one_of(values, random).map(str) for name, values in good.items()}


query_keys = st.one_of(st.sampled_from(["next", "lang", "member", "page"]), st.text(max_size=8))
query_values = st.one_of(st.text(max_size=20), st.integers(), big_numbers).map(str)
queries = st.one_of(
    st.lists(st.tuples(query_keys, query_values), max_size=4).map(urlencode),
    st.text(max_size=30).map(lambda raw: quote(raw, safe="=&%+;")),  # broken escapes too
)
form_keys = st.one_of(
    st.sampled_from(
        [
            "title",
            "place",
            "held_on",
            "kind",
            "name",
            "role",
            "member",
            "member_id",
            "reason",
            "head_name",
            "persons",
            "category",
            "application_type",
            "investigator",
            "proposed_tier",
            "username",
            "password",
            "roles",
            "what",
            "text",
            "host",
            "secretary",
            "scrutineers",
        ]
    ),
    st.text(max_size=8),
)
forms = st.dictionaries(form_keys, query_values, max_size=6)


def keep_admin_signed_in(app: Flask, browser: StaffClient, token: list[str]) -> None:
    """A random form may sign the admin out or change its roles or password: set it back."""
    db.session.expire_all()
    clerk = db.session.query(StaffUser).filter_by(username="clerk").one()
    if clerk.session_token == token[0] and clerk.role_set == frozenset(StaffRole):
        return
    update_staff(clerk.id, "村文书", frozenset(StaffRole), STAFF_PASSWORD, clerk)
    limiter.reset()  # the fuzz's own sign-ins used up the address's tries
    answer = browser.post("/login", {"username": "clerk", "password": STAFF_PASSWORD})
    assert answer.status_code == 302
    db.session.expire_all()
    token[0] = db.session.get(StaffUser, clerk.id).session_token


def test_random_path_parameters_queries_and_forms_never_make_a_server_error(app) -> None:
    create_staff("clerk", STAFF_PASSWORD, "村文书")
    meeting, _ = ensure_demo()
    browser = StaffClient(signed_in_browser(app))
    token = [db.session.query(StaffUser.session_token).filter_by(username="clerk").scalar()]
    values = parameter_values(app, meeting)
    visited: list[int] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        path_values = st.fixed_dictionaries({name: values[name] for name in rule.arguments})
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})

        @settings(REPRODUCIBLE, max_examples=ROUTE_EXAMPLES)
        @given(
            method=st.sampled_from(methods),
            path=path_values.map(lambda chosen, rule=rule: fill(rule.rule, chosen)),
            query=queries,
            form=forms,
            with_token=st.booleans(),
        )
        def visit(method: str, path: str, query: str, form: dict, with_token: bool) -> None:
            if method == "POST" and with_token:
                form = {**form, "csrf_token": browser.csrf_token()}
            response = browser.client.open(
                path, method=method, query_string=query, data=form if method == "POST" else None
            )
            status = response.status_code
            response.close()
            assert status < 500, f"{method} {path}?{query} {form}: {status}"
            visited.append(status)
            keep_admin_signed_in(app, browser, token)

        visit()
    assert len(visited) >= ROUTE_EXAMPLES * len(list(app.url_map.iter_rules())) // 2
    assert {200, 302, 400, 404} <= set(visited)


def fill(template: str, chosen: dict[str, str]) -> str:
    """A rule's path with these values put in, escaped as a browser would."""
    return PARAMETER.sub(lambda match: quote(chosen[match.group(1)], safe=""), template)
