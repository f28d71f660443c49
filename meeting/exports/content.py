"""What the minutes say, built once from the database and translated, so the DOCX, PDF and
XLSX files are drawn from the same figures and words (the notice: notice.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import force_locale

from ..domain.findings import FindingGroup, headings_in
from ..domain.messages import Message, msg
from ..domain.roles import Role
from ..domain.rules import Tier
from ..domain.tally import Outcome
from ..extensions import db
from ..services import signoff
from ..services.audit import event_count, head_hash
from ..settings import current_rules
from ..store import ballot_box, live_reads
from ..store.models import BallotResult, Household, Meeting, PanelMember
from ..texts import translate
from .dates import MeetingHeader, china_time, header_of
from .document_texts import all_texts, fill
from .people import header_lines, signed_by
from .trail import CorrectionLine, corrections_by_household


@dataclass(frozen=True)
class Attendee:
    name: str
    role: str
    present: bool
    presence: str
    #: "phone", "paper" or "" (does not vote, or absent)
    votes_by: str
    votes_by_label: str


@dataclass(frozen=True)
class QuorumAt:
    representatives: int
    cadres: int
    holds: bool
    #: "Quorum held", or the reasons it failed
    text: str

    @property
    def cell(self) -> str:
        """As the quorum table shows it: "15 / 5：Quorum held"."""
        return f"{self.representatives} / {self.cadres}：{self.text}"


@dataclass(frozen=True)
class TierAmount:
    code: str
    label: str
    #: per person per month, in yuan
    per_person: Decimal
    #: per person × persons
    household_total: Decimal


@dataclass(frozen=True)
class TrackerLine:
    tracker: str
    choice: str
    tier: str


@dataclass(frozen=True)
class Finding:
    group: str
    heading: str
    text: str


@dataclass(frozen=True)
class RecusalLine:
    member: str
    reason: str


@dataclass(frozen=True)
class Count:
    """One household's ballot as counted at the close."""

    entitled: int
    cast: int
    on_phone: int
    on_paper: int
    eligible: int
    not_eligible: int
    abstain: int
    basis_count: int
    outcome: Outcome
    outcome_label: str
    reason: str
    tier: TierAmount | None
    #: "300 yuan a person × 4 persons = 1200 yuan a month", empty without a tier
    tier_sum: str
    quorum_at_open: QuorumAt
    quorum_at_close: QuorumAt
    trackers_published: bool
    trackers: list[TrackerLine]
    #: "Count confirmed by the scrutineers: …", or that nobody confirmed it
    confirmation: str = ""


@dataclass(frozen=True)
class HouseholdRecord:
    position: int
    head_name: str
    persons: int
    address: str
    category: str
    application_type: str
    investigator: str
    findings: list[Finding]
    recommendation: str
    proposed_tier: str
    statement: str
    questioning: str
    recusals: list[RecusalLine]
    #: None until the household's ballot is closed and counted
    count: Count | None
    #: where the hearing stands ("not heard", "deferred" ...), said when there is no count
    phase_label: str = ""
    #: the host's corrections (a void, a suspension, a deferral ...), in order, with reasons
    corrections: list[CorrectionLine] = field(default_factory=list)


@dataclass(frozen=True)
class Tally:
    households: int
    persons: int


@dataclass(frozen=True)
class Totals:
    reviewed: Tally
    eligible: Tally
    not_eligible: Tally
    deferred: Tally
    pending: Tally


@dataclass(frozen=True)
class SignatureLine:
    role: str
    name: str


@dataclass(frozen=True)
class AmendmentLine:
    """One correction appended after the sign-off, as the minutes print it."""

    #: China Standard Time, "2026-11-23 14:05"
    moment: str
    author: str
    text: str


@dataclass(frozen=True)
class Minutes:
    """The minutes (会议记录) of one meeting, every figure and word already in its language."""

    locale: str
    meeting: MeetingHeader
    attendance: list[Attendee]
    households: list[HouseholdRecord]
    totals: Totals
    #: the head of the event chain when this export was built
    head_hash: str
    #: how many entries the chain held then: a tail cut later is found against it
    event_count: int
    signatures: list[SignatureLine]
    texts: dict[str, str]
    produced: str
    signed_off: bool
    #: "The minutes were signed off at … by …", or "Not yet signed off"
    sign_off: str
    #: in the order they were made
    amendments: list[AmendmentLine]
    #: the header's (label, text) lines: time, host, secretary, scrutineers, 应到/实到
    people: list[tuple[str, str]] = field(default_factory=list)

    @property
    def quorum_summary(self) -> str | None:
        """One sentence when the quorum was the same at every ballot's opening and close
        (the usual case), rather than a row per household repeating it; else None."""
        counted = [h.count for h in self.households if h.count is not None]
        cells = {(c.quorum_at_open.cell, c.quorum_at_close.cell) for c in counted}
        if len(cells) != 1:
            return None
        ((at_open, at_close),) = cells
        return self.texts["quorum_same"] % {
            "count": len(counted),
            "open": at_open,
            "close": at_close,
        }


# --- building ------------------------------------------------------------------------------


def build_minutes(meeting: Meeting, locale: str = "zh") -> Minutes:
    """Everything the minutes show, read from the database once, in ``locale``."""
    with force_locale(locale):
        texts = all_texts()
        trail = corrections_by_household(meeting.id, china_time)
        households = [_household(h, texts, trail.get(h.id, [])) for h in meeting.households]
        return Minutes(
            locale=locale,
            meeting=header_of(meeting, locale),
            attendance=[_attendee(m, texts) for m in meeting.members],
            households=households,
            totals=_totals(households),
            head_hash=head_hash(meeting.id),
            event_count=event_count(meeting.id),
            signatures=_signatures(meeting, texts),
            texts=texts,
            produced=fill("generated", moment=china_time(dt.datetime.now(dt.UTC))),
            signed_off=meeting.finalised_at is not None,
            sign_off=_sign_off(meeting, texts),
            amendments=[
                AmendmentLine(
                    moment=china_time(event.at),
                    author=event.actor,
                    text=str(event.data.get("text", "")),
                )
                for event in signoff.amendments(meeting.id)
            ],
            people=header_lines(meeting, china_time),
        )


def _sign_off(meeting: Meeting, texts: dict[str, str]) -> str:
    if meeting.finalised_at is None:
        return texts["not_signed_off"]
    return fill("signed_off", moment=china_time(meeting.finalised_at), name=signed_by(meeting))


def _attendee(member: PanelMember, texts: dict[str, str]) -> Attendee:
    votes_by = ""
    if member.votes and member.votes_on_paper:
        votes_by = "paper"
    elif member.votes and member.device_hash is not None:
        votes_by = "phone"  # a phone holds the seat
    return Attendee(
        name=member.name,
        role=translate(member.role),
        present=member.present,
        presence=texts["present"] if member.present else texts["absent"],
        votes_by=votes_by,
        votes_by_label=texts[votes_by] if votes_by else "",
    )


def _quorum(snapshot: dict[str, Any], texts: dict[str, str]) -> QuorumAt:
    reasons = [translate(Message.from_data(r)) for r in snapshot.get("reasons", [])]
    holds = bool(snapshot["holds"])
    return QuorumAt(
        representatives=int(snapshot["representatives"]),
        cadres=int(snapshot["cadres"]),
        holds=holds,
        text=texts["quorum_holds"] if holds else " ".join(reasons) or texts["quorum_fails"],
    )


def _tier(code: str | None) -> Tier | None:
    return current_rules().find_tier(code)


def _tier_amount(code: str | None, persons: int) -> TierAmount | None:
    tier = _tier(code)
    if tier is None:
        return None
    return TierAmount(
        code=tier.code,
        label=tier.label,
        per_person=tier.monthly_amount,
        household_total=tier.monthly_amount * persons,
    )


def _count(household: Household, result: BallotResult, texts: dict[str, str]) -> Count:
    tier = _tier_amount(result.tier_code, household.persons)
    trackers = [
        TrackerLine(
            tracker=tracker,
            choice=translate(choice),
            tier=chosen.label if (chosen := _tier(tier_code)) else "",
        )
        for tracker, choice, tier_code in (
            ballot_box.published_trackers(db.session, household.hearing.id)
            if result.trackers_published
            else []
        )
    ]
    return Count(
        entitled=result.entitled,
        cast=result.cast,
        on_phone=result.cast - result.on_paper,
        on_paper=result.on_paper,
        eligible=result.eligible,
        not_eligible=result.not_eligible,
        abstain=result.abstain,
        basis_count=result.basis_count,
        outcome=result.outcome,
        outcome_label=translate(result.outcome),
        reason=translate(Message.from_data(result.reason)),
        tier=tier,
        tier_sum=fill(
            "tier_sum",
            per_person=money(tier.per_person),
            persons=household.persons,
            total=money(tier.household_total),
        )
        if tier
        else "",
        quorum_at_open=_quorum(result.quorum_at_open, texts),
        quorum_at_close=_quorum(result.quorum_at_close, texts),
        trackers_published=result.trackers_published,
        trackers=trackers,
        confirmation=_confirmation(household.hearing.id),
    )


def _confirmation(hearing_id: int) -> str:
    names = [name for _, name in live_reads.confirmations(db.session, hearing_id)]
    if not names:
        return translate(msg("No scrutineer confirmed this count."))
    return translate(msg("Count confirmed by the scrutineers: %(names)s", names="、".join(names)))


def _household(
    household: Household, texts: dict[str, str], corrections: list[CorrectionLine]
) -> HouseholdRecord:
    hearing = household.hearing
    proposed = _tier(household.proposed_tier)
    return HouseholdRecord(
        position=household.position,
        head_name=household.head_name,
        persons=household.persons,
        address=household.address,
        category=translate(household.category),
        application_type=translate(household.application_type),
        investigator=household.investigator.name if household.investigator else "",
        findings=[
            Finding(group=translate(group), heading=translate(heading), text=text)
            for group in FindingGroup
            for heading in headings_in(group)
            if (text := household.finding(heading))
        ],
        recommendation=translate(household.recommendation),
        proposed_tier=proposed.label if proposed else "",
        statement=hearing.statement_notes.strip(),
        questioning=hearing.questioning_notes.strip(),
        recusals=[
            RecusalLine(member=r.member.name, reason=r.reason)
            for r in sorted(household.recusals, key=lambda r: r.member.position)
        ],
        count=_count(household, hearing.result, texts) if hearing.result else None,
        phase_label=translate(hearing.phase),
        corrections=corrections,
    )


def _sum(records: Iterable[HouseholdRecord]) -> Tally:
    chosen = list(records)
    return Tally(households=len(chosen), persons=sum(r.persons for r in chosen))


def _totals(households: list[HouseholdRecord]) -> Totals:
    counted = [h for h in households if h.count is not None]

    def with_outcome(outcome: Outcome) -> Tally:
        return _sum(h for h in counted if h.count is not None and h.count.outcome is outcome)

    return Totals(
        reviewed=_sum(counted),
        eligible=with_outcome(Outcome.ELIGIBLE),
        not_eligible=with_outcome(Outcome.NOT_ELIGIBLE),
        deferred=with_outcome(Outcome.DEFERRED),
        pending=_sum(h for h in households if h.count is None),
    )


#: the roles that sign the minutes, in order; the panel's voting members follow
SIGNING_ROLES = (Role.HOST, Role.SECRETARY, Role.SCRUTINEER)
#: blank lines for a signing role nobody was entered for (two scrutineers are usual)
BLANK_LINES = {Role.HOST: 1, Role.SECRETARY: 1, Role.SCRUTINEER: 2}


def _signatures(meeting: Meeting, texts: dict[str, str]) -> list[SignatureLine]:
    """A line to sign for each signing person: those named at the sign-off, else the
    panel's host, secretary and scrutineers, else blank lines to fill in by hand."""
    members, people = meeting.members, meeting.signatories or {}
    chosen = {
        Role.HOST: [people["host"]] if people.get("host") else [],
        Role.SECRETARY: [people["secretary"]] if people.get("secretary") else [],
        Role.SCRUTINEER: list(people.get("scrutineers") or [])
        or [m.name for m in members if m.scrutineer and m.role is not Role.SCRUTINEER],
    }
    lines: list[SignatureLine] = []
    for role in SIGNING_ROLES:
        names = chosen[role] or [m.name for m in members if m.role is role]
        label = translate(role)
        lines += [SignatureLine(label, n) for n in names] or [
            SignatureLine(label, "") for _ in range(BLANK_LINES[role])
        ]
    lines += [
        SignatureLine(texts["panel_member"], m.name) for m in members if m.votes and m.present
    ]
    return lines


def money(amount: Decimal) -> str:
    """A yuan amount without needless decimals: 420, 187.5."""
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
