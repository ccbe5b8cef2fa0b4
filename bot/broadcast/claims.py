"""Claiming rows for sending and writing each outcome (part of :class:`Outbox`)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import Engine, Update, bindparam, func, select, update
from sqlalchemy.sql.dml import ReturningUpdate

from bot.broadcast.tables import OUTBOX
from bot.broadcast.workers import WorkerLocks

Params = dict[str, Any]  # bind parameters of one outcome statement

COLUMNS = (OUTBOX.c.id, OUTBOX.c.fair_id, OUTBOX.c.user_id, OUTBOX.c.chat_id,
           OUTBOX.c.attempts, OUTBOX.c.retries, OUTBOX.c.text)


@dataclass(frozen=True)
class Claim:
    """A message claimed for sending (state ``sending``)."""

    id: int
    fair_id: int
    user_id: int
    chat_id: int
    attempts: int
    retries: int
    text: str | None = None     # a notice's own message (a fair's rows have none: the fair's text)


class InFlight(TypedDict):
    """A row a dead sender left ``sending``: reported uncertain, never resent."""

    id: int
    fair_id: int
    user_id: int


def _held(**values: Any) -> Update:
    """An UPDATE of one row this worker still holds (``sending``, claimed by it)."""
    return (update(OUTBOX)
            .where(OUTBOX.c.id == bindparam("b_id"), OUTBOX.c.state == "sending",
                   OUTBOX.c.claimed_by == bindparam("b_worker"))
            .values(updated_at=bindparam("b_now"), **values))


# Built once: building a statement costs more than running it on SQLite.
OUTCOMES = {
    "sent": _held(state="sent", sent_at=bindparam("b_now"), last_error=None),
    "retry": _held(state="pending", next_attempt_at=bindparam("b_at"), claimed_by=None,
                   retries=OUTBOX.c.retries + bindparam("b_counts"), last_error=bindparam("b_error")),
    "final": _held(state=bindparam("b_state"), last_error=bindparam("b_error")),
}


def _claim_statement(postgres: bool) -> ReturningUpdate[int, int, int, int, int, int, str | None]:
    """Claim up to ``b_limit`` due rows for ``b_worker`` in one statement."""
    due = (select(OUTBOX.c.id)
           .where(OUTBOX.c.state == "pending", OUTBOX.c.next_attempt_at <= bindparam("b_now"))
           .order_by(OUTBOX.c.id).limit(bindparam("b_limit")))
    if postgres:  # concurrent senders skip each other's rows instead of waiting or doubling
        due = due.with_for_update(skip_locked=True)
    return (update(OUTBOX)
            .where(OUTBOX.c.id.in_(due.scalar_subquery()), OUTBOX.c.state == "pending")
            .values(state="sending", claimed_by=bindparam("b_worker"),
                    attempts=OUTBOX.c.attempts + 1, updated_at=bindparam("b_now"))
            .returning(*COLUMNS))


CLAIM = {False: _claim_statement(False), True: _claim_statement(True)}


class ClaimsMixin:
    """The sender's side of the outbox."""

    engine: Engine
    is_postgres: bool
    workers: WorkerLocks

    def claim(self, worker: int, limit: int, now: datetime) -> list[Claim]:
        """Move up to ``limit`` due pending rows to ``sending`` for ``worker`` and return them.

        One statement; on PostgreSQL the inner SELECT takes ``FOR UPDATE SKIP LOCKED`` so
        concurrent senders never claim the same row.
        """
        params = {"b_worker": worker, "b_limit": limit, "b_now": now}
        with self.engine.begin() as db:
            rows = db.execute(CLAIM[self.is_postgres], params).all()
        return sorted((Claim(*row) for row in rows), key=lambda c: c.id)

    def record(self, outcomes: list[tuple[str, Params]]) -> None:
        """Write outcomes (``sent`` / ``retry`` / ``final`` with their parameters) in one transaction."""
        with self.engine.begin() as db:
            for kind, params in outcomes:
                db.execute(OUTCOMES[kind], params)

    def mark_sent(self, claim_id: int, worker: int, now: datetime) -> None:
        """The message went out."""
        self.record([("sent", {"b_id": claim_id, "b_worker": worker, "b_now": now})])

    def mark_retry(self, claim_id: int, worker: int, now: datetime, at: datetime, error: str,
                   transient: bool) -> None:
        """Back to ``pending`` until ``at``; ``transient`` failures count towards the bound."""
        self.record([("retry", {"b_id": claim_id, "b_worker": worker, "b_now": now, "b_at": at,
                                "b_counts": int(transient), "b_error": error[:500]})])

    def mark_final(self, claim_id: int, worker: int, now: datetime, state: str, error: str) -> None:
        """``failed`` or ``blocked``: never tried again."""
        assert state in ("failed", "blocked")
        self.record([("final", {"b_id": claim_id, "b_worker": worker, "b_now": now,
                                "b_state": state, "b_error": error[:500]})])

    def recover(self, worker: int, now: datetime) -> list[InFlight]:
        """Rows left ``sending`` by dead senders become ``uncertain``; return them (never resent)."""
        found: list[InFlight] = []
        with self.engine.begin() as db:
            owners: Sequence[int | None] = db.execute(
                select(OUTBOX.c.claimed_by).distinct()
                .where(OUTBOX.c.state == "sending")).scalars().all()
            for owner in owners:
                if owner is None or not self.workers.is_dead(db, owner, worker):
                    continue
                stmt = (update(OUTBOX)
                        .where(OUTBOX.c.state == "sending", OUTBOX.c.claimed_by == owner)
                        .values(state="uncertain", updated_at=now,
                                last_error="in flight when its sender stopped")
                        .returning(OUTBOX.c.id, OUTBOX.c.fair_id, OUTBOX.c.user_id))
                found += [InFlight(id=row.id, fair_id=row.fair_id, user_id=row.user_id)
                          for row in db.execute(stmt)]
        return sorted(found, key=lambda row: row["id"])

    def next_due(self) -> datetime | None:
        """When the earliest pending row may be tried (None when none is pending)."""
        query = select(func.min(OUTBOX.c.next_attempt_at)).where(OUTBOX.c.state == "pending")
        with self.engine.connect() as db:
            due: datetime | None = db.execute(query).scalar_one()
        return due

    def unfinished(self) -> int:
        """Rows still pending or being sent, by any sender."""
        query = (select(func.count()).select_from(OUTBOX)
                 .where(OUTBOX.c.state.in_(("pending", "sending"))))
        with self.engine.connect() as db:
            return db.execute(query).scalar_one()
