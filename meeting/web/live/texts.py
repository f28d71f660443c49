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
        "follow_current": _("The household being heard"),
        "nothing_current": _("No household is being heard now: pick one to correct its notes."),
        "speaking_now": _("Speaking: %(name)s"),
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
            "resume_ballot": _("Resume the ballot"),
        },
        "corrections": {
            "step_back": _("Back one step"),
            "void_ballot": _("Void this ballot"),
            "defer": _("Defer (applicant absent)"),
            "skip": _("Do not hear in this meeting"),
        },
        "correction_prompts": {
            "step_back": _("Go back one step for household %(position)d? Give the reason:"),
            "void_ballot": _(
                "Void the ballot of household %(position)d? Every ballot cast is destroyed "
                "and everyone votes again once it reopens. Give the reason:"
            ),
            "defer": _("Defer household %(position)d to later in the meeting? Give the reason:"),
            "skip": _(
                "Record that household %(position)d is not heard in this meeting? Give the reason:"
            ),
            "move_household": _("Move household %(position)d to place %(to)d? Give the reason:"),
        },
        "recusals_line": _("Recused from this household: %(names)s"),
        "scrutineer_toggle": _("Scrutineer"),
        "confirmed_by": _("Count confirmed by the scrutineers: %(names)s"),
        "not_confirmed": _("No scrutineer has confirmed this count yet."),
        "move_up": _("Up"),
        "move_down": _("Down"),
        "everyone_present": _("Everyone present"),
        "everyone_absent": _("Everyone absent"),
        "everyone_present_prompt": _("Mark every member of the panel present?"),
        "everyone_absent_prompt": _(
            "Mark every member absent? The host and the secretary stay present."
        ),
        "release_prompt": _(
            "Free %(name)s's seat? Their phone leaves the meeting and must scan the card again."
        ),
        "new_card_prompt": _("Issue a new card for %(name)s? The old card stops working at once."),
        "suspended": _(
            "The ballot is suspended: the quorum is not met. Resume it when the quorum is "
            "back, or void it."
        ),
        "reason_needed": _("Please give the reason."),
        "confirm": _("Confirm"),
        "saved": _("Saved"),
        "saving": _("Saving…"),
        "results": _("Results of the hearing"),
        **_ballot_texts(),
        "slips_waiting": _("Paper slips handed in, not entered yet: %(count)d"),
        "channel_fixed": _("Fixed while the ballot is open"),
        "not_voted": _("Not voted yet:"),
        "slip_received": _("Paper slip received"),
        "all_voted": _("Everyone entitled has voted."),
        "on_paper_toggle": _("Votes on paper"),
        "recuse": _("Recuse"),
        "recuse_prompt": _("Why does %(name)s stand aside from household %(position)d?"),
        "withdraw_recusal": _("Withdraw recusal"),
        "recused": _("recused: %(reason)s"),
        "trackers_unpublished": _("The tracker list of this household is not published."),
        "cast_of": _("%(cast)d ballots cast, %(entitled)d entitled to vote"),
        "on_paper": _("of them on paper: %(count)d"),
        "quorum_at_open": _(
            "Ballot opened with %(representatives)d representatives, %(cadres)d cadres"
        ),
        "quorum_at_close": _(
            "Ballot closed with %(representatives)d representatives, %(cadres)d cadres"
        ),
        "total": _("%(label)s: %(households)d households, %(persons)d persons"),
        "outcomes": {
            "eligible": _("eligible"),
            "not_eligible": _("not eligible"),
            "deferred": _("deferred"),
        },
    }


def _ballot_texts() -> dict[str, Any]:
    """What the phone, the console and the projector all say about a ballot."""
    return {
        "choices": {
            "eligible": _("eligible"),
            "not_eligible": _("not eligible"),
            "abstain": _("abstain"),
        },
        "turnout": _("Voted %(cast)d / entitled %(entitled)d"),
        "outcome": _("Result: %(outcome)s"),
        "tier_result": _("Subsidy tier: %(label)s, %(amount)s yuan a month per person"),
        "tier_amount": _("%(label)s (%(amount)s yuan a month per person)"),
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
        "between": _("Please wait: the next household comes up shortly"),
        "ended": _("The meeting has ended. Thank you."),
        "quorum_arriving": _("Members are still arriving"),
        **_ballot_texts(),
        "proposed": _("Proposed by the investigator: %(tier)s"),
        "voted_elsewhere": _("You have voted."),
        "recused": _("You are recused from this household: %(reason)s"),
        "suspended": _(
            "The ballot is suspended because the quorum is not met. Your choice is kept; it "
            "is sent when the ballot resumes."
        ),
        "voided": _("The ballot was voided and is taken again. Please vote again."),
        "no_vote": _("Your role on the panel does not vote."),
        "found": _("Your ballot is counted as cast."),
        "missing": _("Your tracker code %(tracker)s is not in the list. Tell the host at once."),
    }
