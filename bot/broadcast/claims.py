"""Claiming rows for sending and writing each outcome (part of :class:`Outbox`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select, update

from bot.broadcast.tables import OUTBOX

COLUMNS = (OUTBOX.c.id, OUTBOX.c.fair_id, OUTBOX.c.user_id, OUTBOX.c.chat_id,
           OUTBOX.c.attempts, OUTBOX.c.retries)


@dataclass(frozen=True)
class Claim:
    """A message claimed for sending (state ``sending``)."""

    id: int
    fair_id: int
    user_id: int
    chat_id: int
    attempts: int
    retries: int


class ClaimsMixin:
    """The sender's side of the outbox."""

    engine: Engine
    is_postgres: bool

    def claim(self, worker: int, limit: int, now: datetime) -> list[Claim]:
        """Move up to ``limit`` due pending rows to ``sending`` for ``worker`` and return them.

        One statement; on PostgreSQL the inner SELECT takes ``FOR UPDATE SKIP LOCKED`` so
        concurrent senders never claim the same row.
        """
        due = (select(OUTBOX.c.id)
               .where(OUTBOX.c.state == "pending", OUTBOX.c.next_attempt_at <= now)
               .order_by(OUTBOX.c.id).limit(limit))
        if self.is_postgres:
            due = due.with_for_update(skip_locked=True)
        stmt = (update(OUTBOX)
                .where(OUTBOX.c.id.in_(due.scalar_subquery()), OUTBOX.c.state == "pending")
                .values(state="sending", claimed_by=worker, attempts=OUTBOX.c.attempts + 1,
                        updated_at=now)
                .returning(*COLUMNS))
        with self.engine.begin() as db:
            rows = db.execute(stmt).all()
        return sorted((Claim(*row) for row in rows), key=lambda c: c.id)

    def _finish(self, claim_id: int, worker: int, **values) -> bool:
        """Write an outcome to a row this worker still holds."""
        stmt = (update(OUTBOX)
                .where(OUTBOX.c.id == claim_id, OUTBOX.c.state == "sending",
                       OUTBOX.c.claimed_by == worker)
                .values(**values))
        with self.engine.begin() as db:
            return db.execute(stmt).rowcount == 1

    def mark_sent(self, claim_id: int, worker: int, now: datetime) -> bool:
        """The message went out."""
        return self._finish(claim_id, worker, state="sent", sent_at=now, updated_at=now,
                            last_error=None)

    def mark_retry(self, claim_id: int, worker: int, now: datetime, at: datetime, error: str,
                   transient: bool) -> bool:
        """Back to ``pending`` until ``at``; ``transient`` failures count towards the bound."""
        retries = OUTBOX.c.retries + (1 if transient else 0)
        return self._finish(claim_id, worker, state="pending", next_attempt_at=at, retries=retries,
                            last_error=error[:500], updated_at=now, claimed_by=None)

    def mark_final(self, claim_id: int, worker: int, now: datetime, state: str, error: str) -> bool:
        """``failed`` or ``blocked``: never tried again."""
        assert state in ("failed", "blocked")
        return self._finish(claim_id, worker, state=state, last_error=error[:500], updated_at=now)

    def recover(self, worker: int, now: datetime) -> list[dict]:
        """Rows left ``sending`` by dead senders become ``uncertain``; return them (never resent)."""
        found: list[dict] = []
        with self.engine.begin() as db:
            owners = db.execute(select(OUTBOX.c.claimed_by).distinct()
                                .where(OUTBOX.c.state == "sending")).scalars().all()
            for owner in owners:
                if owner is None or not self.workers.is_dead(db, owner, worker):
                    continue
                stmt = (update(OUTBOX)
                        .where(OUTBOX.c.state == "sending", OUTBOX.c.claimed_by == owner)
                        .values(state="uncertain", updated_at=now,
                                last_error="in flight when its sender stopped")
                        .returning(OUTBOX.c.id, OUTBOX.c.fair_id, OUTBOX.c.user_id))
                found += [dict(row) for row in db.execute(stmt).mappings()]
        return sorted(found, key=lambda row: row["id"])

    def next_due(self) -> datetime | None:
        """When the earliest pending row may be tried (None when none is pending)."""
        query = select(func.min(OUTBOX.c.next_attempt_at)).where(OUTBOX.c.state == "pending")
        with self.engine.connect() as db:
            return db.execute(query).scalar_one()

    def unfinished(self) -> int:
        """Rows still pending or being sent, by any sender."""
        query = (select(func.count()).select_from(OUTBOX)
                 .where(OUTBOX.c.state.in_(("pending", "sending"))))
        with self.engine.connect() as db:
            return db.execute(query).scalar_one()
