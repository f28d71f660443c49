"""The ballot box: receipts (who voted) and secret ballots (what was voted), kept apart.

A receipt and its ballot are written in one transaction, so neither exists without the
other, and the receipt's primary key (household, member) makes a second ballot impossible
at the database. At the close the box is resealed: its ballots rewritten in a random order
with new keys, its receipts sorted by member; then the database files are scrubbed of the
order they were cast in (docs/ballot-secrecy.md). Nothing here logs, records or raises a
member next to a choice.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..domain.tally import Choice
from .models import BallotReceipt, BallotResult, SecretBallot, new_ballot_key

logger = logging.getLogger(__name__)

TRACKER_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@dataclass(frozen=True)
class SealedBox:
    """What the reseal found in the box: the ballots' contents (in a random order) and, apart,
    who voted and whether on paper (sorted by member)."""

    ballots: list[tuple[Choice, str | None]]
    voters: list[int]
    on_paper: int


_receipt, _ballot = BallotReceipt.__table__, SecretBallot.__table__
# built once: a ballot runs these in a busy hall, where building a statement would cost
# more than running it
_VOTED = select(_receipt.c.member_id).where(_receipt.c.hearing_id == bindparam("hearing"))
_ENTERED = (
    select(func.count()).select_from(_ballot).where(_ballot.c.hearing_id == bindparam("hearing"))
)
_HAS_RECEIPT = select(_receipt.c.member_id).where(
    _receipt.c.hearing_id == bindparam("hearing"), _receipt.c.member_id == bindparam("member")
)
_TRACKER = select(_ballot.c.key).where(
    _ballot.c.hearing_id == bindparam("hearing"), _ballot.c.tracker == bindparam("tracker")
)
_PUT_RECEIPT = insert(_receipt)
_PUT_BALLOT = insert(_ballot)
_TAKE_BALLOTS = (
    delete(_ballot)
    .where(_ballot.c.hearing_id == bindparam("hearing"))
    .returning(_ballot.c.choice, _ballot.c.tier_code, _ballot.c.tracker)
)
_TAKE_RECEIPTS = (
    delete(_receipt)
    .where(_receipt.c.hearing_id == bindparam("hearing"))
    .returning(_receipt.c.member_id, _receipt.c.on_paper)
)


def voted_ids(session: Session, hearing_id: int) -> set[int]:
    """The members who have voted on this household (phone or paper slip)."""
    return set(session.connection().execute(_VOTED, {"hearing": hearing_id}).scalars())


def ballots_entered(session: Session, hearing_id: int) -> int:
    return session.connection().execute(_ENTERED, {"hearing": hearing_id}).scalar_one()


def has_receipt(session: Session, hearing_id: int, member_id: int) -> bool:
    found = session.connection().execute(_HAS_RECEIPT, {"hearing": hearing_id, "member": member_id})
    return found.first() is not None


def tracker_taken(session: Session, hearing_id: int, tracker: str) -> bool:
    found = session.connection().execute(_TRACKER, {"hearing": hearing_id, "tracker": tracker})
    return found.first() is not None


_TRACKERS = select(_ballot.c.tracker).where(_ballot.c.hearing_id == bindparam("hearing"))


def trackers_of(session: Session, hearing_id: int) -> set[str]:
    """The tracker codes of the household's ballots so far."""
    return set(session.connection().execute(_TRACKERS, {"hearing": hearing_id}).scalars())


def put_receipts(session: Session, receipts: list[tuple[int, int]]) -> None:
    """Phone receipts: (household's hearing, member) each."""
    session.connection().execute(
        _PUT_RECEIPT,
        [{"hearing_id": h, "member_id": m, "on_paper": False} for h, m in receipts],
    )


def put_ballots(session: Session, ballots: list[tuple[int, Choice, str | None, str]]) -> None:
    """Ballots: (household's hearing, choice, tier, tracker) each, with new random keys."""
    session.connection().execute(
        _PUT_BALLOT,
        [
            {"key": new_ballot_key(), "hearing_id": h, "choice": c, "tier_code": t, "tracker": k}
            for h, c, t, k in ballots
        ],
    )


def put_receipt(session: Session, hearing_id: int, member_id: int, on_paper: bool) -> None:
    session.connection().execute(
        _PUT_RECEIPT, {"hearing_id": hearing_id, "member_id": member_id, "on_paper": on_paper}
    )


def put_ballot(
    session: Session, hearing_id: int, choice: Choice, tier_code: str | None, tracker: str
) -> None:
    session.connection().execute(
        _PUT_BALLOT,
        {
            "key": new_ballot_key(),
            "hearing_id": hearing_id,
            "choice": choice,
            "tier_code": tier_code,
            "tracker": tracker,
        },
    )


def random_tracker() -> str:
    return "".join(secrets.choice(TRACKER_ALPHABET) for _ in range(8))


def free_tracker(session: Session, hearing_id: int) -> str:
    """A tracker code no ballot of this household has yet."""
    while True:
        code = random_tracker()
        if not tracker_taken(session, hearing_id, code):
            return code


def reseal(session: Session, hearing_id: int, keep_trackers: bool) -> SealedBox:
    """Rewrite the box so that its storage says nothing of the casting order.

    The ballots get new random keys in an order drawn from the system's cryptographic
    source, the receipts are sorted by member, so neither the rows' physical order nor (on
    PostgreSQL) their transaction ids tell who cast what. Trackers of a list that will not
    be published are replaced: shown to no one, they would only point a phone to its row.
    """
    connection = session.connection()
    # taken out (and zeroed on SQLite: secure_delete) in one statement each
    ballots = list(connection.execute(_TAKE_BALLOTS, {"hearing": hearing_id}))
    receipts = list(connection.execute(_TAKE_RECEIPTS, {"hearing": hearing_id}))
    if len(ballots) != len(receipts):
        raise BoxMismatch(len(ballots), len(receipts))
    secrets.SystemRandom().shuffle(ballots)
    receipts.sort(key=lambda r: r.member_id)
    if ballots:
        connection.execute(
            _PUT_BALLOT,
            [
                {
                    "key": new_ballot_key(),
                    "hearing_id": hearing_id,
                    "choice": b.choice,
                    "tier_code": b.tier_code,
                    "tracker": b.tracker if keep_trackers else random_tracker(),
                }
                for b in ballots
            ],
        )
        connection.execute(
            _PUT_RECEIPT,
            [
                {"hearing_id": hearing_id, "member_id": r.member_id, "on_paper": r.on_paper}
                for r in receipts
            ],
        )
    return SealedBox(
        ballots=[(b.choice, b.tier_code) for b in ballots],
        voters=[r.member_id for r in receipts],
        on_paper=sum(1 for r in receipts if r.on_paper),
    )


def destroy(session: Session, hearing_id: int) -> int:
    """A void: every ballot and receipt of the household goes (zeroed on SQLite), so its
    members may vote again; how many ballots there were, nothing of what they said."""
    connection = session.connection()
    ballots = connection.execute(delete(_ballot).where(_ballot.c.hearing_id == hearing_id))
    connection.execute(delete(_receipt).where(_receipt.c.hearing_id == hearing_id))
    connection.execute(
        delete(BallotResult.__table__).where(BallotResult.__table__.c.hearing_id == hearing_id)
    )
    return ballots.rowcount


class BoxMismatch(Exception):
    """Ballots and receipts differ in number: cannot happen through this module; the count
    is refused rather than made wrongly."""

    def __init__(self, ballots: int, receipts: int) -> None:
        super().__init__(f"{ballots} ballots against {receipts} receipts")


def published_trackers(session: Session, hearing_id: int) -> list[tuple[str, Choice, str | None]]:
    """Every ballot's tracker with its choice and tier, sorted by tracker (the caller checks
    that the list is published)."""
    rows = session.execute(
        select(SecretBallot.tracker, SecretBallot.choice, SecretBallot.tier_code)
        .where(SecretBallot.hearing_id == hearing_id)
        .order_by(SecretBallot.tracker)
    )
    return [(tracker, choice, tier) for tracker, choice, tier in rows]


def scrub_storage(engine: Engine) -> None:
    """After a close: leave no trace of the casting order in the database's files.

    SQLite: every connection runs with secure_delete on, so the reseal's deletes zeroed the
    rows in the order they were cast; what remains is the WAL, whose frames hold the pages
    as they were before the reseal: it is checkpointed into the main file and truncated.
    (A VACUUM used to follow; it rewrote the whole file at every close, a cost that grows
    with every meeting the file holds, and the file shows no order without it: the tests
    count each ballot's copies in every page.) PostgreSQL: VACUUM the ballot tables so the
    dead pre-seal row versions are pruned; its WAL and any backup taken while the ballot
    was open still hold them (docs/ballot-secrecy.md).
    """
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            if engine.dialect.name == "sqlite":
                busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
                if busy and busy[0]:
                    logger.warning("after a count the WAL could not be emptied: readers were busy")
            elif engine.dialect.name == "postgresql":
                connection.exec_driver_sql("VACUUM secret_ballot, ballot_receipt")
    except SQLAlchemyError as error:
        # the count is committed and stands; the next close scrubs again
        logger.warning("after a count the database could not be scrubbed: %s", type(error).__name__)


#: how long after a close its scrub waits, so that answers and states go out first; the
#: files hold the casting order no longer than this (docs/ballot-secrecy.md)
SCRUB_AFTER_S = 0.05


def _thread(target: Callable[..., Any], *args: Any) -> None:
    threading.Thread(target=target, args=args, daemon=True).start()


class Scrubber:
    """Scrubs after each close, off the path of the phone's answer, one scrub at a time.

    A close asks for a scrub once its count is committed; the scrub runs at once in the
    background (a thread, or a greenlet under gevent) and closes that land meanwhile are
    covered by one more. ``settled`` waits until none is running (tests, shutdown).
    """

    def __init__(self, spawn: Callable[..., Any] | None = None) -> None:
        #: starts a background task without waiting for it to begin (the app passes the
        #: server's own: a greenlet under gevent); a plain thread otherwise
        self._spawn = spawn or _thread
        self._guard = threading.Lock()
        self._running = False
        self._again = False
        self._idle = threading.Event()
        self._idle.set()

    def request(self, engine: Engine) -> None:
        with self._guard:
            if self._running:
                self._again = True
                return
            self._running, self._again = True, False
            self._idle.clear()
        self._spawn(self._run, engine)

    def _run(self, engine: Engine) -> None:
        # the answers to the ballots and the count's state go out first: a checkpoint
        # holds the whole process under gevent (SQLite does not yield) for a few ms
        time.sleep(SCRUB_AFTER_S)
        while True:
            scrub_storage(engine)
            with self._guard:
                if not self._again:
                    self._running = False
                    self._idle.set()
                    return
                self._again = False

    def settled(self, timeout: float = 30.0) -> bool:
        return self._idle.wait(timeout)


__all__ = [
    "BoxMismatch",
    "Scrubber",
    "SealedBox",
    "ballots_entered",
    "free_tracker",
    "has_receipt",
    "published_trackers",
    "put_ballot",
    "put_ballots",
    "put_receipt",
    "put_receipts",
    "random_tracker",
    "reseal",
    "scrub_storage",
    "tracker_taken",
    "trackers_of",
    "voted_ids",
]
