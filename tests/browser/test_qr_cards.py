"""The printed QR card sheet, seen by a real browser and read back by a real QR decoder."""

from __future__ import annotations

import re
import subprocess
from urllib.parse import urlsplit

import pytest

from meeting.services.cards import join_token, join_url
from meeting.services.demo import ensure_demo

from .conftest import require_tool, sign_in

pytestmark = pytest.mark.browser


def test_every_qr_card_decodes_to_its_members_join_url(
    app, live_server, browser, artifacts
) -> None:
    zbarimg = require_tool("zbarimg", "zbar-tools")
    meeting, _ = ensure_demo()
    public_url = app.extensions["meeting.settings"].server.public_url
    expected = {join_url(public_url, join_token(m)) for m in meeting.members if m.votes}
    assert len(expected) == 23

    context = browser.new_context(viewport={"width": 1240, "height": 1754}, device_scale_factor=2)
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(live_server) else outside.append(r.url))
    sign_in(page, live_server)
    page.goto(f"{live_server}/staff/meetings/{meeting.id}/cards")
    assert page.locator("article.card").count() == 23
    assert page.locator("article.card .card-name").first.inner_text() == meeting.members[0].name
    shot = artifacts / "qr-card-sheet.png"
    page.screenshot(path=str(shot), full_page=True)

    # one card at a time, as a phone scans it (a whole sheet of 23 codes in one picture
    # now and then hides one from the decoder)
    decoded = set()
    for i, card in enumerate(page.locator("article.card").all()):
        picture = artifacts / f"qr-card-{i + 1:02d}.png"
        card.screenshot(path=str(picture))
        result = subprocess.run(
            [zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(picture)],
            capture_output=True,
            text=True,
        )
        assert len(result.stdout.split()) == 1, f"card {i + 1}: {result.stdout!r}"
        decoded.update(result.stdout.split())
        picture.unlink()
    assert decoded == expected
    assert outside == []  # nothing loaded from outside the laptop
    context.close()


def test_a_decoded_card_opens_the_members_page_on_a_phone(app, live_server, browser) -> None:
    meeting, _ = ensure_demo()
    member = meeting.members[0]
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    # the card points at the hall's address; the test server listens on loopback
    path = urlsplit(join_url("http://x", join_token(member))).path
    page.goto(live_server + path)
    page.wait_for_url(f"{live_server}/m/{meeting.id}")  # the token leaves the address bar
    assert page.locator("#me-name").inner_text() == member.name
    page.goto(live_server + "/j/forged-token")
    assert "此二维码无效" in page.content()
    context.close()


def test_the_card_sheet_prints_eight_cards_to_an_a4_page(
    app, live_server, browser, artifacts
) -> None:
    pdfinfo = require_tool("pdfinfo", "poppler-utils")
    meeting, _ = ensure_demo()
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_server)
    page.goto(f"{live_server}/staff/meetings/{meeting.id}/cards")
    pdf = artifacts / "qr-card-sheet.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+3$", info, re.MULTILINE)  # 23 cards, 8 a page
    assert re.search(r"^Page size:.*\(A4\)$", info, re.MULTILINE)
    context.close()
