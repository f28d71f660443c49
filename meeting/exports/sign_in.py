"""The sign-in sheet (签到表) a township files with the minutes: every panel member with
their role and a column for their signature, and 应到/实到 by role once presence is known.
One content model for the PDF and the DOCX."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import force_locale

from ..domain.messages import msg
from ..domain.roles import Role
from ..store.models import Meeting
from ..texts import translate
from .dates import MeetingHeader, china_time, header_of

TEXTS = {
    "title": msg("Sign-in sheet"),
    "no": msg("No."),
    "name": msg("Name"),
    "role": msg("Role"),
    "signature": msg("Signature"),
    "remark": msg("Remark"),
    "expected": msg("Expected"),
    "present": msg("Actually present"),
    "total": msg("All members"),
    "counted_at": msg("Presence as recorded at %(moment)s"),
    "not_counted": msg("Present: filled in after the roll call."),
    "held": msg("Date: %(date)s    Place: %(place)s"),
    "absent": msg("absent"),
    "page": msg("Page %(page)s of %(pages)s"),
}


@dataclass(frozen=True)
class SignInRow:
    number: int
    name: str
    role: str
    #: "absent" once presence is recorded and the member is not there, else empty
    remark: str


@dataclass(frozen=True)
class RoleCount:
    role: str
    expected: int
    #: None before anyone is marked present (the sheet is printed for the signatures)
    present: int | None


@dataclass(frozen=True)
class SignInSheet:
    locale: str
    meeting: MeetingHeader
    rows: list[SignInRow]
    counts: list[RoleCount]
    #: "Presence as recorded at …", or that it is filled in after the roll call
    counted: str
    texts: dict[str, str]


def build_sign_in_sheet(meeting: Meeting, locale: str = "zh") -> SignInSheet:
    with force_locale(locale):
        texts = {key: translate(message) for key, message in TEXTS.items()}
        header = header_of(meeting, locale)
        recorded = any(m.present for m in meeting.members)
        members = sorted(meeting.members, key=lambda m: (list(Role).index(m.role), m.position))
        rows = [
            SignInRow(
                number=i,
                name=m.name,
                role=translate(m.role),
                remark=texts["absent"] if recorded and not m.present else "",
            )
            for i, m in enumerate(members, start=1)
        ]
        counts = [
            RoleCount(
                role=translate(role),
                expected=len(holders),
                present=sum(1 for m in holders if m.present) if recorded else None,
            )
            for role in Role
            if (holders := [m for m in meeting.members if m.role is role])
        ]
        counts.append(
            RoleCount(
                texts["total"],
                len(meeting.members),
                sum(1 for m in meeting.members if m.present) if recorded else None,
            )
        )
        now = china_time(dt.datetime.now(dt.UTC))
        counted = (
            translate(msg("Presence as recorded at %(moment)s", moment=now))
            if recorded
            else texts["not_counted"]
        )
        texts["held_line"] = translate(
            msg("Date: %(date)s    Place: %(place)s", date=header.held_on_text, place=header.place)
        )
        return SignInSheet(locale, header, rows, counts, counted, texts)
