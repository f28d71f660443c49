"""A phone's first load stays small: cheap phones, a busy hall Wi-Fi."""

from __future__ import annotations

import gzip
import re

import requests

from meeting.services.demo import ensure_demo

from .live import Phone

BUDGET_BYTES = 60 * 1024


def on_the_wire(browser: requests.Session, url: str) -> tuple[int, str, requests.Response]:
    """Bytes transferred (still gzipped), the decoded text, and the response."""
    answer = browser.get(url, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=10)
    raw = answer.raw.read(decode_content=False)
    assert answer.status_code == 200, url
    assert answer.headers.get("Content-Encoding") == "gzip", url

    return len(raw), gzip.decompress(raw).decode("utf-8", "replace"), answer


def test_the_phone_page_and_everything_it_loads_fit_in_60_kb_gzipped(live_server, app) -> None:
    meeting, _ = ensure_demo()
    phone = Phone(live_server)
    phone.scan(meeting.members[0])
    size, text, _ = on_the_wire(phone.browser, f"{live_server}/m/{meeting.id}")
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', text)
    assert any(a.endswith("socket.io.min.js") for a in assets)
    assert any(a.endswith(".css") for a in assets)
    sizes = {"page": size}
    for asset in assets:
        sizes[asset] = on_the_wire(phone.browser, live_server + asset)[0]
    total = sum(sizes.values())
    print(f"phone first load: {total} bytes gzipped {sizes}")
    assert total <= BUDGET_BYTES, sizes
