"""Languages: Simplified Chinese by default, English on request; catalogues compiled at start."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, request, url_for
from flask_babel import Babel

from ..resources import PACKAGE_DIR
from ..texts import LOCALES, translate

CATALOGUE_DIR = PACKAGE_DIR / "translations"
LANG_COOKIE = "lang"


def init_i18n(app: Flask, babel: Babel) -> None:
    """Compile the committed .po catalogues into the instance folder and attach Flask-Babel."""
    compiled = Path(app.instance_path) / "translations"
    compile_catalogues(CATALOGUE_DIR, compiled)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    babel.init_app(app, locale_selector=select_locale)
    app.after_request(_remember_asked_locale)
    app.jinja_env.filters["t"] = translate
    app.jinja_env.globals["current_locale"] = select_locale
    app.jinja_env.globals["language_link"] = language_link


def compile_catalogues(source: Path, target: Path) -> None:
    """Write each ``<lang>/LC_MESSAGES/messages.po`` as a .mo under ``target`` when it is stale."""
    for po_path in source.glob("*/LC_MESSAGES/messages.po"):
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as f:
            catalogue = read_po(f)
        # several server processes may start at once: write aside, then rename into place
        fd, tmp = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as f:
            write_mo(f, catalogue)
        os.replace(tmp, mo_path)


def select_locale() -> str:
    """?lang= wins (phones and the projector may ask for a language in the URL); otherwise the
    cookie set by /lang/<code>; otherwise the configured default."""
    chosen = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in LOCALES:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _remember_asked_locale(response: Any) -> Any:
    """A page opened with ?lang= keeps that language for the next pages (a phone's link, a
    projector's address): the choice is remembered as the language link remembers it."""
    asked = request.args.get("lang")
    if asked in LOCALES and request.cookies.get(LANG_COOKIE) != asked:
        remember_locale(response, asked)
    return response


def remember_locale(response: Any, locale: str) -> None:
    response.set_cookie(LANG_COOKIE, locale, max_age=365 * 24 * 3600, samesite="Lax")


def language_link(locale: str) -> str:
    """A link that switches the language and comes back here (to a safe page after a POST)."""
    back = request.full_path.rstrip("?") if request.method == "GET" else None
    return url_for("switch_language", code=locale, next=back)
