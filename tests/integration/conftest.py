"""Fixtures of the live tests: the demo meeting, and a host's console connected to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from meeting.services.demo import ensure_demo
from meeting.services.staff import create_staff
from meeting.store.models import Meeting

from ..conftest import STAFF_PASSWORD
from .live import Screen, staff_cookies


@pytest.fixture
def demo(app) -> Meeting:
    create_staff("clerk", STAFF_PASSWORD)
    meeting, _ = ensure_demo()
    return meeting


@pytest.fixture
def host(live_server, demo) -> Iterator[Screen]:
    screen = Screen(live_server, demo.id, "staff", staff_cookies(live_server)).connect()
    yield screen
    screen.close()
