"""The outbox repository: fairs, one row per recipient, claims and outcomes (SQLite or PostgreSQL)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry

from bot.broadcast.claims import Claim, ClaimsMixin
from bot.broadcast.drafts import DraftsMixin
from bot.broadcast.pacing import Clock, SystemClock
from bot.broadcast.reports import ReportsMixin
from bot.broadcast.tables import FAIR_STATUSES, FAIRS, OUTBOX, Fair, OutboxMessage
from bot.broadcast.workers import WorkerLocks

__all__ = ["Claim", "Fair", "Outbox", "OutboxMessage", "insert_notice", "open_outbox"]

CHUNK = 1000


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    """WAL, a busy timeout and cheap commits for the SQLite file."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")  # /delete: erased rows are zeroed, not left in free pages
    cursor.close()


def open_outbox(url: str, clock: Clock | None = None) -> Outbox:
    """An outbox on ``url`` (``sqlite:///…`` or ``postgresql+psycopg://…``), migrated to head.

    The tables come only from the Alembic migrations, run on the same kind of engine as for
    ``open_storage`` (one cheap query when the database is already at head).
    """
    from bot.storage.engine import make_engine
    from bot.storage.migrate import upgrade

    migrator = make_engine(url)
    try:
        upgrade(migrator)
    finally:
        migrator.dispose()
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return Outbox(engine, clock)


def insert_notice(db: Connection, title: str, messages: Iterable[tuple[int, int, str]],
                  now: datetime, created_by: int = 0) -> int | None:
    """Queue personal messages, (user_id, chat_id, text) each, as one notice batch in the
    caller's transaction (so what they announce is recorded with them); return its id.

    A notice is a row of ``broadcast_fair`` of kind ``notice`` (its title names it in the logs,
    it is never listed as a fair) and one outbox row per recipient with its own text: the
    paced sender sends it like a fair's message. One message per user per batch.
    """
    rows = list(messages)
    if not rows:
        return None
    notice_id: int = db.execute(insert(FAIRS).values(
        title=title[:200], starts_at=now, place_or_link="", organiser="", target_counties=[],
        details="", created_by=created_by, created_at=now, status="sending", kind="notice",
    ).returning(FAIRS.c.id)).scalar_one()
    for start in range(0, len(rows), CHUNK):
        db.execute(insert(OUTBOX), [
            {"fair_id": notice_id, "user_id": int(u), "chat_id": int(c), "state": "pending",
             "attempts": 0, "retries": 0, "next_attempt_at": now, "updated_at": now, "text": t}
            for u, c, t in rows[start:start + CHUNK]])
    return notice_id


class Outbox(ClaimsMixin, ReportsMixin, DraftsMixin):
    """Fairs and their outbox rows; every method is one short transaction."""

    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self.engine = engine
        self.is_postgres = engine.dialect.name == "postgresql"
        self.workers = WorkerLocks(engine)
        self.clock = clock or SystemClock()

    def close(self) -> None:
        """Release worker locks and connections."""
        self.workers.close()
        self.engine.dispose()

    # fairs
    def create_fair(self, **fields: Any) -> Fair:
        """Insert a fair (status ``draft`` unless given) and return it."""
        fields.setdefault("created_at", self.clock.now())
        with self.engine.begin() as db:
            fair_id: int = db.execute(
                insert(FAIRS).values(**fields).returning(FAIRS.c.id)).scalar_one()
        fair = self.get_fair(fair_id)
        if fair is None:  # committed just above; only a concurrent delete could get here
            raise LookupError(f"fair {fair_id} vanished after its insert")
        return fair

    def get_fair(self, fair_id: int) -> Fair | None:
        """The fair with this id, or None."""
        with self.engine.connect() as db:
            row = db.execute(select(FAIRS).where(FAIRS.c.id == fair_id)).mappings().first()
        return Fair.model_validate(dict(row)) if row else None

    def set_fair_status(self, fair_id: int, status: str, send_at: datetime | None = None) -> None:
        """Move a fair to ``status`` (``scheduled`` with its ``send_at``)."""
        if status not in FAIR_STATUSES:
            raise ValueError(f"unknown fair status {status!r}")
        values = {"status": status} | ({"send_at": send_at} if send_at else {})
        with self.engine.begin() as db:
            db.execute(update(FAIRS).where(FAIRS.c.id == fair_id).values(**values))

    def due_fairs(self, now: datetime) -> list[Fair]:
        """Scheduled fairs whose ``send_at`` has come (the caller enqueues their recipients)."""
        query = select(FAIRS).where(FAIRS.c.status == "scheduled", FAIRS.c.send_at <= now)
        with self.engine.connect() as db:
            return [Fair.model_validate(dict(r)) for r in db.execute(query).mappings()]

    def finish_fairs(self) -> list[int]:
        """Mark ``done`` the sending fairs with nothing left to send; return their ids."""
        left = select(OUTBOX.c.id).where(OUTBOX.c.fair_id == FAIRS.c.id,
                                         OUTBOX.c.state.in_(("pending", "sending")))
        query = (update(FAIRS).where(FAIRS.c.status == "sending", ~left.exists())
                 .values(status="done").returning(FAIRS.c.id))
        with self.engine.begin() as db:
            return sorted(db.execute(query).scalars())

    # recipients
    def enqueue(self, fair_id: int, recipients: Iterable[tuple[int, int]]) -> int:
        """Add one row per (user_id, chat_id), skipping those already there; return how many new."""
        now = self.clock.now()
        rows = [{"fair_id": fair_id, "user_id": int(u), "chat_id": int(c), "state": "pending",
                 "attempts": 0, "retries": 0, "next_attempt_at": now, "updated_at": now}
                for u, c in recipients]
        dialect = postgresql if self.is_postgres else sqlite
        count = select(func.count()).select_from(OUTBOX).where(OUTBOX.c.fair_id == fair_id)
        with self.engine.begin() as db:
            # The status moves first: its row lock makes a concurrent cancel_scheduled wait
            # and then find the fair sending; a fair cancelled first gets no rows at all.
            db.execute(update(FAIRS).where(FAIRS.c.id == fair_id,
                                           FAIRS.c.status.in_(("draft", "scheduled")))
                       .values(status="sending"))
            status = db.execute(select(FAIRS.c.status).where(FAIRS.c.id == fair_id)).scalar()
            if status == "cancelled":
                return 0
            before = db.execute(count).scalar_one()
            for start in range(0, len(rows), CHUNK):
                stmt = dialect.insert(OUTBOX).on_conflict_do_nothing(
                    index_elements=["fair_id", "user_id"])
                db.execute(stmt, rows[start:start + CHUNK])
            return db.execute(count).scalar_one() - before

    def cancel_unsent(self, fair_id: int) -> bool:
        """Cancel a draft or scheduled fair that has not started sending; False when too late."""
        with self.engine.begin() as db:
            return db.execute(update(FAIRS).where(FAIRS.c.id == fair_id,
                                                  FAIRS.c.status.in_(("draft", "scheduled")))
                              .values(status="cancelled")).rowcount == 1

    def resend(self, fair_id: int, user_ids: Iterable[int]) -> int:
        """Staff's explicit choice: send again to these ``uncertain`` or ``failed`` recipients."""
        now = self.clock.now()
        stmt = (update(OUTBOX)
                .where(OUTBOX.c.fair_id == fair_id, OUTBOX.c.user_id.in_(list(user_ids)),
                       OUTBOX.c.state.in_(("uncertain", "failed")))
                .values(state="pending", next_attempt_at=now, updated_at=now, retries=0,
                        claimed_by=None))
        with self.engine.begin() as db:
            count = db.execute(stmt).rowcount
            if count:
                db.execute(update(FAIRS).where(FAIRS.c.id == fair_id).values(status="sending"))
            return count
