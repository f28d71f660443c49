"""The audit trail's hash chain: how an event's hash is made, and how a chain is checked.

Each event's hash is SHA-256 over a canonical JSON encoding of the meeting, its number, its
time (ISO 8601 in UTC, to the microsecond), its kind, actor and data, and the previous
event's hash; the first event follows ``GENESIS``. Changing, removing or reordering any
entry breaks the chain at that entry (docs/audit.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .messages import Message, msg

#: what the first event of every meeting follows
GENESIS = "0" * 64


@dataclass(frozen=True)
class LoggedEvent:
    """One entry of a meeting's log as it is stored."""

    seq: int
    at: dt.datetime
    kind: str
    actor: str
    data: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ChainReport:
    """What checking a meeting's chain found: all good, or the first broken entry."""

    count: int
    head: str
    #: the number of the first broken entry, None if the chain holds
    broken_seq: int | None = None
    problem: Message | None = None
    #: the first way the stored rows differ from what the chain says (record_check.py)
    record_problem: Message | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None and self.record_problem is None


def event_time(at: dt.datetime) -> dt.datetime:
    """The time as it is hashed and stored: aware, in UTC, whole microseconds.

    SQLite gives back naive datetimes (the UTC wall time that was written): read them as UTC.
    """
    if at.tzinfo is None:
        return at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC)


def canonical_data(data: dict[str, Any]) -> dict[str, Any]:
    """The data as the JSON column gives it back (string keys, lists for tuples, enum values).

    Hashing and storing this form means the stored row hashes the same when read again.
    """
    return json.loads(json.dumps(data, ensure_ascii=False))


def event_hash(
    meeting_id: int,
    seq: int,
    at: dt.datetime,
    kind: str,
    actor: str,
    data: dict[str, Any],
    prev_hash: str,
) -> str:
    """The hex SHA-256 of one entry, chained to the previous entry's hash."""
    encoded = json.dumps(
        {
            "meeting": meeting_id,
            "seq": seq,
            "at": event_time(at).isoformat(timespec="microseconds"),
            "kind": kind,
            "actor": actor,
            "data": data,
            "prev": prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def check_chain(meeting_id: int, events: Iterable[LoggedEvent]) -> ChainReport:
    """Walk the log in ``seq`` order and report the first entry that breaks the chain.

    A gap in the numbers is a removed entry; an entry whose ``prev_hash`` is another
    entry's hash was moved; any other ``prev_hash`` that does not match means the entry
    before it was removed or rewritten; a hash that no longer matches the content means
    the entry itself was changed.
    """
    entries = sorted(events, key=lambda e: e.seq)
    hashes = {e.hash: e.seq for e in entries}
    prev, expected = GENESIS, 1
    for entry in entries:
        problem = _problem(meeting_id, entry, prev, expected, hashes)
        if problem is not None:
            seq, message = problem
            return ChainReport(len(entries), entries[-1].hash, seq, message)
        prev, expected = entry.hash, entry.seq + 1
    return ChainReport(len(entries), prev if entries else "")


def _problem(
    meeting_id: int, entry: LoggedEvent, prev: str, expected: int, hashes: dict[str, int]
) -> tuple[int, Message] | None:
    if entry.seq != expected:
        if expected == entry.seq - 1:
            text = msg("Entry %(seq)d is missing: the log was cut there.", seq=expected)
        else:
            text = msg(
                "Entries %(first)d to %(last)d are missing: the log was cut there.",
                first=expected,
                last=entry.seq - 1,
            )
        return expected, text
    if entry.prev_hash != prev:
        moved_after = hashes.get(entry.prev_hash)
        if moved_after is not None and moved_after != entry.seq - 1:
            return entry.seq, msg(
                "Entry %(seq)d is out of order: it was written right after the entry now "
                "numbered %(other)d.",
                seq=entry.seq,
                other=moved_after,
            )
        return entry.seq, msg(
            "Entry %(seq)d does not follow the entry before it: an earlier entry was removed "
            "or rewritten.",
            seq=entry.seq,
        )
    recomputed = event_hash(
        meeting_id, entry.seq, entry.at, entry.kind, entry.actor, entry.data, entry.prev_hash
    )
    if recomputed != entry.hash:
        return entry.seq, msg(
            "Entry %(seq)d was changed after it was written: its content no longer matches "
            "its hash.",
            seq=entry.seq,
        )
    return None
