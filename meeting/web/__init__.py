"""The web layer: one blueprint per audience, server-rendered with Jinja and WTForms."""

from __future__ import annotations

import hmac
from typing import Any

from flask import Flask, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter, IntegerConverter, Map
from werkzeug.wrappers.response import Response

from ..extensions import db, login_manager
from ..store.models import StaffUser
from .i18n import remember_locale
from .safety import MAX_ID, local_path, refuse_nul


class BoundedInt(IntegerConverter):
    """An id in a URL: a number the database can hold, else the page does not exist (404),
    rather than an overflow deep in the database driver (500)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


class AsciiSegment(BaseConverter):
    """A word in a URL (a card's or a link's token, a format): printable ASCII, as all of
    them are, else the page does not exist (404), rather than a token comparison that
    refuses non-ASCII text (``hmac.compare_digest``: 500)."""

    regex = r"[!-.0-~]+"  # printable ASCII but the slash


#: scripts, styles and everything else from this server only: no inline script or style,
#: no eval, no plugins, no <base>, forms post here only, no framing
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # no data: — the QR codes are inline SVG and no page shows any other image
        "img-src 'self'",
        # 'self' matches this host's ws:/wss: too (CSP Level 3); a browser where it does not
        # keeps Socket.IO on long-polling, which works as well
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

#: sent with every page: no framing, no type sniffing, no referrer (a join card's URL
#: carries its token), no camera, microphone or location
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
}


def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def register_blueprints(app: Flask) -> None:
    from .access import check_route, display_token, may
    from .auth.views import bp as auth_bp
    from .display import bp as display_bp
    from .live.texts import phone_texts, staff_texts
    from .live.views import bp as live_bp
    from .member.views import bp as member_bp
    from .staff.views import bp as staff_bp

    app.url_map.converters["int"] = BoundedInt
    app.url_map.converters["default"] = AsciiSegment
    app.after_request(_security_headers)
    app.register_blueprint(auth_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(member_bp)
    app.register_blueprint(live_bp)
    app.register_blueprint(display_bp)
    app.before_request(refuse_nul)
    # every page passes the one table of who may open it (web/access.py)
    app.before_request(check_route)
    app.jinja_env.globals.update(
        staff_texts=staff_texts, phone_texts=phone_texts, may=may, display_token=display_token
    )

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in.")
    login_manager.login_message_category = "warning"

    @app.get("/")
    def index() -> Response:
        return redirect(url_for("staff.meetings"))

    @app.get("/lang/<any(zh, en):code>")
    def switch_language(code: str) -> Response:
        """Switch the interface language (remembered in a cookie) and go back."""
        target = local_path(request.args.get("next"), url_for("staff.meetings"))
        response = redirect(target)
        remember_locale(response, code)
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_template("error.html", error=error, csrf=True), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return render_template("error.html", error=error, csrf=False), error.code or 500


@login_manager.user_loader
def load_staff(user_id: str) -> StaffUser | None:
    """The account for a session's "<id>:<session token>", if that session is still valid."""
    number, _, token = user_id.partition(":")
    user = db.session.get(StaffUser, int(number)) if number.isdigit() else None
    if user is None or not hmac.compare_digest(user.session_token, token):
        return None
    return user
