"""Joining behind one address, behind a proxy, and limits shared by processes: a hall's
phones behind one Wi-Fi router all join; wrong cards are slowed per address; behind a
trusted proxy the real client address counts and cookies are Secure."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask

from meeting import create_app
from meeting.extensions import db
from meeting.services.cards import join_token
from meeting.services.staff import create_staff

from ..conftest import (
    STAFF_PASSWORD,
    FreshRequestClient,
    StaffClient,
    make_meeting,
    service_missing,
)

REDIS_URL = "redis://127.0.0.1:6379/0"


def build_app(
    tmp_path: Path, migrated_database: Path, name: str, flask: dict | None = None, **server
) -> Flask:
    instance = tmp_path / name
    instance.mkdir()
    shutil.copyfile(migrated_database, instance / "meeting.sqlite3")
    config = {"TESTING": True, "server": server, **(flask or {})}
    app = create_app(config, instance_path=str(instance))
    app.test_client_class = FreshRequestClient
    return app


@pytest.fixture
def proxied(tmp_path: Path, migrated_database: Path) -> Iterator[Flask]:
    app = build_app(tmp_path, migrated_database, "proxied", trusted_proxies=1)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_sixty_phones_behind_one_address_all_join_within_a_minute(app) -> None:
    meeting = make_meeting(representatives=55, cadres=5)
    answers = [  # each phone its own browser, all from 127.0.0.1
        app.test_client().get(f"/j/{join_token(member)}").status_code for member in meeting.members
    ]
    assert answers == [302] * 60


def test_one_card_scanned_over_and_over_is_slowed_down(app) -> None:
    meeting = make_meeting(representatives=2)
    client = app.test_client()
    card = f"/j/{join_token(meeting.members[0])}"
    answers = [client.get(card).status_code for _ in range(11)]
    assert answers == [302] * 10 + [429]
    # another member's card, on another phone at the same address, is not held up by it
    assert app.test_client().get(f"/j/{join_token(meeting.members[1])}").status_code == 302


def test_wrong_cards_are_slowed_per_address_and_the_headers_of_no_proxy_are_ignored(
    app,
) -> None:
    meeting = make_meeting(representatives=1)
    client = app.test_client()
    wrong = [
        client.get(f"/j/{'x' * 27}{n}", headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code
        for n in range(31)
    ]
    assert wrong == [404] * 30 + [429]  # X-Forwarded-For from anyone changes nothing
    assert client.get(f"/j/{join_token(meeting.members[0])}").status_code == 429


def test_behind_a_trusted_proxy_the_real_address_counts_and_cookies_are_secure(
    proxied,
) -> None:
    meeting = make_meeting(representatives=1)
    client = proxied.test_client()
    first = {"X-Forwarded-For": "10.0.0.1", "X-Forwarded-Proto": "https"}
    wrong = [client.get(f"/j/{'x' * 28}", headers=first).status_code for _ in range(31)]
    assert wrong[-1] == 429
    # a phone at another address behind the same proxy still joins, over HTTPS
    other = {"X-Forwarded-For": "10.0.0.2", "X-Forwarded-Proto": "https"}
    joined = client.get(f"/j/{join_token(meeting.members[0])}", headers=other)
    assert joined.status_code == 302
    device_cookie = next(
        h for h in joined.headers.getlist("Set-Cookie") if h.startswith("meeting_device=")
    )
    assert "Secure" in device_cookie


def test_limits_counted_in_redis_hold_across_processes(tmp_path, migrated_database) -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        service_missing(f"Redis at 127.0.0.1:6379 ({exc.__class__.__name__})")
    shared = {"limiter_storage_uri": REDIS_URL, "sign_in_rate_limit": "3 per minute"}
    # this test's own counters in the shared Redis
    own = {"RATELIMIT_KEY_PREFIX": uuid.uuid4().hex}
    apps = [build_app(tmp_path, migrated_database, name, own, **shared) for name in ("a", "b")]
    with apps[0].app_context():
        create_staff("clerk", STAFF_PASSWORD)
    wrong = {"username": "clerk", "password": "not it"}
    seen = []
    for app in (apps[0], apps[1], apps[0], apps[1]):  # a balancer taking turns
        with app.app_context():
            seen.append(StaffClient(app.test_client()).post("/login", wrong).status_code)
    assert seen == [200, 200, 200, 429]
    # counted in Redis, where every process reads them, not in this process's memory
    keys = redis.Redis.from_url(REDIS_URL).keys(f"*{own['RATELIMIT_KEY_PREFIX']}*")
    assert keys, "no counter in Redis"
