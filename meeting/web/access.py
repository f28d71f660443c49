"""Who may open each page and send each live event: the one table of route/event x role
(docs/security.md prints it; tests/integration/test_access.py walks all of it).

Deny by default: a page or event missing from the table is refused to everyone, and the
test fails until it gets its line. Pages marked PUBLIC check what they need themselves
(a card's token, the phone's seat cookie, the sign-in form).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import abort, current_app, request, session
from flask_login import current_user

from ..domain.staff_roles import StaffRole
from ..extensions import db, login_manager
from ..store.models import Meeting

ADMIN, HOST, SECRETARY = StaffRole.ADMIN, StaffRole.HOST, StaffRole.SECRETARY
ANY_STAFF = frozenset(StaffRole)
#: anyone: the page or event checks a token or a seat itself
PUBLIC = "public"
#: a host, or a screen holding this meeting's display-only link (the hall's projector PC)
DISPLAY = "display"

Rule = str | frozenset[StaffRole]

ROUTES: dict[str, Rule] = {
    "static": PUBLIC,
    "index": PUBLIC,
    "switch_language": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": ANY_STAFF,
    # phones: a card's token, the meeting's entry token or the seat cookie decide
    "member.join": PUBLIC,
    "member.live": PUBLIC,
    "member.pick_name": PUBLIC,
    "member.wait": PUBLIC,
    "display.enter": PUBLIC,  # checks the display link's token
    "staff.meetings": ANY_STAFF,
    "staff.meeting": ANY_STAFF,
    "staff.audit_trail": ANY_STAFF,
    "staff.new_meeting": frozenset({ADMIN}),
    "staff.edit_meeting": frozenset({ADMIN}),
    "staff.new_member": frozenset({ADMIN}),
    "staff.edit_member": frozenset({ADMIN}),
    "staff.delete_member": frozenset({ADMIN}),
    "staff.new_household": frozenset({ADMIN}),
    "staff.edit_household": frozenset({ADMIN}),
    "staff.delete_household": frozenset({ADMIN}),
    "staff.add_recusal": frozenset({ADMIN}),
    "staff.delete_recusal": frozenset({ADMIN}),
    "staff.import_file": frozenset({ADMIN}),
    "staff.import_template": frozenset({ADMIN}),
    "staff.cards": frozenset({ADMIN, HOST}),
    "staff.renew_display_link": frozenset({ADMIN, HOST}),
    "staff.finalise": frozenset({SECRETARY}),
    "staff.add_amendment": frozenset({SECRETARY}),
    "staff.accounts": frozenset({ADMIN}),
    "staff.new_account": frozenset({ADMIN}),
    "staff.edit_account": frozenset({ADMIN}),
    "live.host": frozenset({HOST}),
    "live.projector": DISPLAY,
    "live.secretary": frozenset({SECRETARY}),
    "exports.download": frozenset({SECRETARY, ADMIN}),
}

#: staff screens' live events; a phone's own events (on_member) are for its seat only
EVENTS: dict[str, frozenset[StaffRole]] = {
    **{
        event: frozenset({HOST})
        for event in (
            "start_briefing",
            "start_statement",
            "start_questioning",
            "open_ballot",
            "close_ballot",
            "announce",
            "step",
            "resume_ballot",
            "step_back",
            "void_ballot",
            "defer",
            "skip",
            "move_household",
            "extend",
            "show",
            "presence",
            "everyone_present",
            "release_seat",
            "new_card",
            "seat_request",
            "give_floor",
            "finish_speaking",
            "recuse",
            "withdraw_recusal",
            "paper_voter",
            "paper_slip",
            "paper_ballot",
            "bot_votes",
            "show_trackers",
            "name_scrutineer",
            "bench_broadcast",
        )
    },
    "save_notes": frozenset({SECRETARY}),
    "notes_of": frozenset({SECRETARY}),
}


def staff_may(allowed: frozenset[StaffRole]) -> bool:
    """Whether the signed-in account holds one of the ``allowed`` roles."""
    return bool(current_user.is_authenticated and current_user.role_set & allowed)


def may(endpoint: str, meeting_id: int | None = None) -> bool:
    """Whether this browser may open ``endpoint``: pages hide what their reader cannot do
    (the gate below refuses it anyway)."""
    rule = ROUTES.get(endpoint)
    if rule is None:
        return False
    if rule == PUBLIC:
        return True
    if rule == DISPLAY:
        if meeting_id is not None and display_granted(meeting_id):
            return True
        rule = frozenset({HOST})
    return staff_may(rule)


def check_route() -> Any:
    """Before every request: the table's rule for this page, or a refusal."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no such page: the 404 follows
    rule = ROUTES.get(endpoint)
    if rule is None:
        abort(403)  # a page nobody gave a rule to is open to no one
    if rule == PUBLIC:
        return None
    if rule == DISPLAY:
        meeting_id = (request.view_args or {}).get("meeting_id")
        if meeting_id is not None and display_granted(int(meeting_id)):
            return None
        rule = frozenset({HOST})
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.role_set & rule:
        abort(403)
    return None


# --- the display-only projector link --------------------------------------------------------

GRANTS = "display_grants"  # in the browser's signed session: meeting id -> link generation


def display_token(meeting: Meeting) -> str:
    """The token of the meeting's display link, derived (never stored) like a card's."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    message = f"display|{meeting.id}|{meeting.display_generation}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def grant_display(meeting: Meeting, token: str) -> bool:
    """Open the projector of ``meeting`` to this browser, if the token is the current one."""
    if not hmac.compare_digest(display_token(meeting), token):
        return False
    grants = dict(session.get(GRANTS) or {})
    grants[str(meeting.id)] = meeting.display_generation
    session[GRANTS] = grants
    session.permanent = True
    return True


def display_granted(meeting_id: int) -> bool:
    """This browser holds the meeting's display link, and the link was not renewed since."""
    generation = (session.get(GRANTS) or {}).get(str(meeting_id))
    if generation is None:
        return False
    meeting = db.session.get(Meeting, meeting_id)
    return meeting is not None and meeting.display_generation == generation


def markdown_table() -> str:
    """The access table as docs/security.md prints it (a test keeps the two the same)."""

    def who(rule: Rule) -> str:
        if rule == PUBLIC:
            return "anyone (the page checks its own token, seat or form)"
        if rule == DISPLAY:
            return "host, or a screen holding the meeting's display link"
        if rule == ANY_STAFF:
            return "any staff role"
        return ", ".join(role.value for role in StaffRole if role in rule)

    lines = ["| page (endpoint) | who may open it |", "| --- | --- |"]
    lines += [f"| `{endpoint}` | {who(rule)} |" for endpoint, rule in sorted(ROUTES.items())]
    lines += ["", "| live event (staff screen) | who may send it |", "| --- | --- |"]
    lines += [f"| `{event}` | {who(roles)} |" for event, roles in sorted(EVENTS.items())]
    return "\n".join(lines)
