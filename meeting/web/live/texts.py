"""Texts the live screens' scripts show, translated on the server for the reader.

Kept here rather than in the templates because they carry %(name)s placeholders that the
scripts fill in, and Jinja's gettext would try to fill them itself.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _


def staff_texts() -> dict[str, Any]:
    """For the host's console, the projector and the secretary."""
    return {
        "household": _("Household %(position)d"),
        "persons": _("%(persons)d persons"),
        "representatives": _("Representatives present %(present)d / at least %(minimum)d"),
        "cadres": _("Cadres present %(present)d / at most %(maximum)d"),
        "quorum_ok": _("Quorum met"),
        "quorum_bad": _("Quorum not met"),
        "quorum_broken": _("The quorum failed while the ballot was open; this is recorded."),
        "connected": _("Connected"),
        "offline": _("Reconnecting…"),
        "investigator": _("Investigator: %(name)s"),
        "recommendation": _("Recommendation: %(value)s"),
        "tier": _("Proposed tier: %(value)s"),
        "present": _("present"),
        "absent": _("absent"),
        "phone": _("phone"),
        "no_phone": _("no phone"),
        "release": _("Free seat"),
        "new_card": _("New card"),
        "print_card": _("Print card"),
        "approve": _("Confirm"),
        "refuse": _("Refuse"),
        "wants_seat": _("%(name)s asks to join on a phone"),
        "give_floor": _("Give the floor"),
        "done": _("Done"),
        "speaking": _("speaking"),
        "waiting": _("waiting"),
        "show": _("Show"),
        "no_queue": _("Nobody has asked to speak."),
        "steps": {
            "start_briefing": _("Start: briefing"),
            "start_statement": _("Next: applicant's statement"),
            "start_questioning": _("Next: questioning"),
            "open_ballot": _("Open the secret ballot"),
            "close_ballot": _("Close the ballot"),
            "announce": _("Announce the result"),
        },
        "saved": _("Saved"),
        "saving": _("Saving…"),
        "welcome": _("The meeting will begin shortly"),
    }


def phone_texts() -> dict[str, Any]:
    """For a member's phone: only what it shows, to keep the page small."""
    return {
        "phase": _("Now: %(phase)s"),
        "household": _("Household %(position)d"),
        "persons": _("%(persons)d persons"),
        "waiting": _("Your hand is raised. Please wait for the host."),
        "speaking": _("You have the floor."),
        "quorum_ok": _("Quorum met"),
        "quorum_bad": _("Quorum not met"),
        "connected": _("Connected"),
        "offline": _("Reconnecting…"),
        "not_present": _("You are marked absent. Please tell the host if you are here."),
        "start": _("Waiting for the meeting to start"),
    }
