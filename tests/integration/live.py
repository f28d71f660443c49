"""Real clients for the live meeting: phones and staff screens over real websockets."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
import socketio

from meeting.services.cards import join_token
from meeting.store.models import PanelMember

from ..conftest import STAFF_PASSWORD

WAIT = 10.0


class Screen:
    """One Socket.IO connection that keeps every state it is sent."""

    def __init__(
        self, base: str, meeting_id: int, view: str, cookies: dict[str, str], lang: str = "zh"
    ) -> None:
        self.states: list[dict[str, Any]] = []
        self.you: dict[str, Any] | None = None
        self._changed = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        self.client.on("state", self._on_state)
        self.client.on("you", self._on_you)
        self.client.on("connect_error", self._on_refused)
        self.refused: Any = None
        self.base, self.meeting_id, self.view, self.cookies = base, meeting_id, view, cookies
        self.lang = lang

    def connect(self) -> Screen:
        try:
            self.client.connect(
                f"{self.base}?lang={self.lang}",
                auth={"meeting": self.meeting_id, "view": self.view},
                transports=["websocket"],
                headers={"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())},
                wait_timeout=WAIT,
            )
        except socketio.exceptions.ConnectionError as refused:
            # The client library keeps the server's reason in the connect_error event.
            raise socketio.exceptions.ConnectionError(f"{refused}: {self.refused}") from refused
        return self

    def _on_refused(self, data: Any) -> None:
        self.refused = data

    def _on_state(self, state: dict[str, Any]) -> None:
        with self._changed:
            self.states.append(state)
            self._changed.notify_all()

    def _on_you(self, you: dict[str, Any]) -> None:
        self.you = you

    @property
    def state(self) -> dict[str, Any]:
        return self.states[-1]

    def wait_for(
        self,
        condition: Callable[[dict[str, Any]], bool],
        what: str = "a state",
        after: int = -1,
    ) -> dict:
        """The newest state (received or still to come) newer than version ``after`` for
        which ``condition`` holds."""
        deadline = time.monotonic() + WAIT
        with self._changed:
            while True:
                for state in reversed(self.states):
                    if state["version"] > after and _holds(condition, state):
                        return state
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{self.view} never saw {what}")
                self._changed.wait(left)

    @property
    def version(self) -> int:
        return self.wait_for(lambda s: True)["version"]

    def send(self, event: str, payload: dict | None = None) -> dict[str, Any]:
        return self.client.call(event, payload or {}, timeout=WAIT)

    def close(self) -> None:
        """Drop the connection at once, as a phone does when its screen goes dark (a polite
        close waits seconds for the development server's websocket to wind down)."""
        if self.client.connected:
            self.client.eio.disconnect(abort=True)


def staff_cookies(base: str, username: str = "clerk", password: str = STAFF_PASSWORD) -> dict:
    browser = requests.Session()
    page = browser.get(base + "/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = browser.post(
        base + "/login",
        data={"csrf_token": token, "username": username, "password": password},
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text
    return browser.cookies.get_dict()


def _holds(condition: Callable[[dict[str, Any]], bool], state: dict[str, Any]) -> bool:
    """A condition about a part of the state that an older state lacks (no household on
    screen yet) simply does not hold for that state."""
    try:
        return bool(condition(state))
    except (KeyError, TypeError):
        return False


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Wait for ``condition`` (polled) up to WAIT seconds, else fail naming ``what``."""
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never: {what}")
        time.sleep(0.02)


def close_all(screens: list[Screen]) -> None:
    """Close many connections at once: each close waits on the development server's
    websocket for a few seconds, and phones in a hall do not leave one after another."""
    threads = [threading.Thread(target=screen.close) for screen in screens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


class Phone:
    """A member's phone: a browser session with its own device cookie."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.browser = requests.Session()

    def scan(self, member: PanelMember) -> requests.Response:
        return self.browser.get(f"{self.base}/j/{join_token(member)}", allow_redirects=False)

    def screen(self, meeting_id: int, lang: str = "zh") -> Screen:
        cookies = self.browser.cookies.get_dict()
        return Screen(self.base, meeting_id, "member", cookies, lang).connect()
