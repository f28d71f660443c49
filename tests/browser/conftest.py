"""A live server in a thread and a real Chromium driven by Playwright."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ..conftest import service_missing

CHROMIUM = "/usr/bin/chromium"
# as root in a sandbox with no internet: no sandbox, no GPU, no background calls home
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        service_missing(f"Chromium at {CHROMIUM} (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def require_tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        service_missing(f"{name} (Debian package {package})")
    return path


def sign_in(page, base: str) -> None:
    """Sign in as the demo's staff account in this browser page."""
    from meeting.services.demo import DEMO_PASSWORD, DEMO_USERNAME

    page.goto(base + "/login")
    page.fill("input[name=username]", DEMO_USERNAME)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/staff/meetings")


def signed_in_staff(browser, base: str, width: int = 1366, height: int = 768, **options):
    """A staff browser window of that size, signed in as the demo's account: (context, page)."""
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    page = context.new_page()
    sign_in(page, base)
    return context, page
