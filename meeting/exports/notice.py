"""The public notice list (公示名单): the counted households, their outcome and tier; no ID
or phone numbers, no notes, no recusals. One model for the DOCX and the PDF."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import force_locale

from ..store.models import Meeting
from ..texts import translate
from .content import TierAmount, _tier_amount, money
from .dates import MeetingHeader, header_of
from .document_texts import all_texts, fill


@dataclass(frozen=True)
class NoticeRow:
    position: int
    head_name: str
    persons: int
    outcome_label: str
    tier: TierAmount | None


@dataclass(frozen=True)
class Notice:
    """The public notice list (公示名单): what a notice may show and nothing more."""

    locale: str
    meeting: MeetingHeader
    rows: list[NoticeRow]
    intro: str
    period: str
    object_to: str
    contact: str
    posted_by: str
    #: the committee that posts it, above the line where its seal goes
    issuer: str
    texts: dict[str, str] = field(default_factory=dict)


def build_notice(meeting: Meeting, locale: str = "zh") -> Notice:
    """The notice list of the counted households, in ``locale``: no ID or phone numbers."""
    settings = current_app.extensions["meeting.settings"].notice
    with force_locale(locale):
        texts = all_texts()
        header = header_of(meeting, locale)
        rows = []
        for household in meeting.households:
            result = household.hearing.result
            if result is None:
                continue
            rows.append(
                NoticeRow(
                    position=household.position,
                    head_name=household.head_name,
                    persons=household.persons,
                    outcome_label=translate(result.outcome),
                    tier=_tier_amount(result.tier_code, household.persons),
                )
            )
        return Notice(
            locale=locale,
            meeting=header,
            rows=rows,
            intro=fill("notice_intro", date=header.held_on_text, place=header.place),
            period=fill("notice_period", days=settings.period_days),
            object_to=settings.object_to,
            # the meeting's own (its township's hotline), else the configured one
            contact=meeting.notice_contact or settings.contact,
            posted_by=fill("posted_by", date=header.held_on_text),
            issuer=meeting.notice_issuer or texts["issuer_blank"],
            texts=texts,
        )


def notice_table(notice: Notice) -> tuple[list[str], list[list[object]]]:
    """The notice's table: its header and rows, the same in every format."""
    t = notice.texts
    header = [
        t["no"],
        t["head"],
        t["persons"],
        t["outcome"],
        t["tier"],
        t["per_person"],
        t["household_total"],
    ]
    rows: list[list[object]] = [
        [
            r.position,
            r.head_name,
            r.persons,
            r.outcome_label,
            r.tier.label if r.tier else "",
            money(r.tier.per_person) if r.tier else "",
            money(r.tier.household_total) if r.tier else "",
        ]
        for r in notice.rows
    ]
    return header, rows
