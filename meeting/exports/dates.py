"""The meeting as a document's header names it, and dates and times as the documents print
them: in China Standard Time, whatever the server's zone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date

from ..store.models import Meeting
from ..texts import translate


@dataclass(frozen=True)
class MeetingHeader:
    id: int
    title: str
    place: str
    held_on: dt.date
    held_on_text: str
    kind: str


def header_of(meeting: Meeting, locale: str) -> MeetingHeader:
    return MeetingHeader(
        id=meeting.id,
        title=meeting.title,
        place=meeting.place,
        held_on=meeting.held_on,
        held_on_text=format_date(meeting.held_on, format="long", locale=_babel_locale(locale)),
        kind=translate(meeting.kind),
    )


def _china_zone() -> dt.tzinfo:
    """China Standard Time: Asia/Shanghai, or a fixed UTC+8 without the tz database."""
    try:
        return ZoneInfo("Asia/Shanghai")
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return dt.timezone(dt.timedelta(hours=8), "CST")


#: the zone every time in the documents is printed in
CHINA_TIME = _china_zone()


def china_time(moment: dt.datetime) -> str:
    """A moment as the documents print it, in China Standard Time: "2026-11-23 14:05".

    A naive datetime (SQLite returns them) is taken as UTC, as the app stores it.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")


def _babel_locale(locale: str) -> str:
    return "zh_Hans_CN" if locale == "zh" else locale
