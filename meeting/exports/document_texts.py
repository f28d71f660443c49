"""The words of the documents (minutes, notice), as catalogue messages: translated when a
document is built, in the language it is built in."""

from __future__ import annotations

from typing import Any

from ..domain.messages import Message, msg
from ..texts import translate

#: the words of the documents, beside the labels of codes (meeting/labels.py)
TEXTS: dict[str, Message] = {
    "minutes": msg("Minutes of the democratic review hearing"),
    "notice": msg("Public notice of the democratic review results"),
    "meeting": msg("Meeting"),
    "title": msg("Title"),
    "place": msg("Place"),
    "date": msg("Date"),
    "kind": msg("Assistance"),
    "attendance": msg("Attendance of the review panel"),
    "name": msg("Name"),
    "role": msg("Role"),
    "present": msg("Present"),
    "absent": msg("Absent"),
    "presence": msg("Presence"),
    "votes_by": msg("Votes by"),
    "phone": msg("phone"),
    "paper": msg("paper"),
    "quorum": msg("Quorum at each ballot"),
    "at_open": msg("At the opening"),
    "at_close": msg("At the close"),
    "representatives": msg("Representatives present"),
    "cadres": msg("Cadres present"),
    "quorum_key": msg(
        "Each cell: representatives present / cadres present, and whether the quorum held."
    ),
    "quorum_same": msg(
        "The same at the opening and the close of all %(count)d ballots: at the opening "
        "%(open)s; at the close %(close)s."
    ),
    "quorum_holds": msg("Quorum held"),
    "quorum_fails": msg("Quorum not met"),
    "households": msg("Hearings of the households"),
    "no": msg("No."),
    "head": msg("Head of household"),
    "persons": msg("Persons"),
    "address": msg("Address"),
    "category": msg("Category"),
    "application": msg("Application"),
    "investigator": msg("Investigator"),
    "findings": msg("Home-visit findings"),
    "recommendation": msg("Recommendation"),
    "proposed_tier": msg("Proposed tier"),
    "statement": msg("The applicant's statement"),
    "questioning": msg("Questions and answers"),
    "recusals": msg("Recusals"),
    "corrections": msg("Corrections during the hearing"),
    "reason": msg("Reason"),
    "none": msg("none"),
    "ballot": msg("Secret ballot"),
    "entitled": msg("Entitled to vote"),
    "cast": msg("Ballots cast"),
    "on_phone": msg("On phones"),
    "on_paper": msg("On paper"),
    "eligible": msg("Eligible"),
    "not_eligible": msg("Not eligible"),
    "abstain": msg("Abstentions"),
    "deferred": msg("Deferred"),
    "basis": msg("Majority measured against"),
    "outcome": msg("Outcome"),
    "tier": msg("Subsidy tier"),
    "per_person": msg("Monthly per person (yuan)"),
    "household_total": msg("Monthly for the household (yuan)"),
    "tier_sum": msg("%(per_person)s yuan a person × %(persons)d persons = %(total)s yuan a month"),
    "not_counted": msg("Not yet counted."),
    "trackers": msg("Tracker codes and their ballots"),
    "tracker": msg("Tracker code"),
    "choice": msg("Choice"),
    "trackers_unpublished": msg("The tracker list of this household is not published."),
    "totals": msg("Totals"),
    "reviewed": msg("Reviewed"),
    "pending": msg("Not yet counted"),
    "household_count": msg("Households"),
    "audit": msg("Audit trail"),
    "head_hash": msg("Final hash of the meeting's event log"),
    "event_count": msg("Entries in the meeting's event log"),
    "hash_scope": msg("The hash covers every entry of the meeting's event log up to this export."),
    "times_note": msg("Times are China Standard Time (UTC+8)."),
    "sign_off": msg("Sign-off"),
    "signed_off": msg("The minutes were signed off at %(moment)s by %(name)s"),
    "not_signed_off": msg("Not yet signed off"),
    "amendments": msg("Amendments"),
    "amended_at": msg("Time"),
    "amended_by": msg("Amended by"),
    "amendment_text": msg("Text of the amendment"),
    "no_amendments": msg("No amendments."),
    "signatures": msg("Signatures"),
    "signature": msg("Signature"),
    "panel_member": msg("Panel member"),
    "page": msg("Page %(page)s of %(pages)s"),
    "notice_intro": msg(
        "The panel reviewed the following households at its meeting of %(date)s at %(place)s."
    ),
    "notice_period": msg("Notice period: %(days)d days from the day this list is posted."),
    "object_to": msg("Objections"),
    "contact": msg("Contact"),
    "posted_by": msg("Posted on %(date)s"),
    "issuer_blank": msg("________ Villagers' / Residents' Committee"),
    "seal": msg("(seal)"),
    "generated": msg("Produced %(moment)s"),
    "sheet_households": msg("Households"),
    "sheet_attendance": msg("Attendance"),
    "sheet_trackers": msg("Tracker codes"),
}


def fill(key: str, **params: Any) -> str:
    """One of the TEXTS with its values filled in, in the current locale."""
    return translate(Message(TEXTS[key].template, params))


def all_texts() -> dict[str, str]:
    """Every one of the TEXTS in the current locale."""
    return {key: translate(message) for key, message in TEXTS.items()}
