"""The SQL implementation of :class:`~bot.storage.base.Storage` (sqlmodel; SQLite or PostgreSQL)."""
from __future__ import annotations

import json
from contextlib import AbstractAsyncContextManager
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.storage import assessments, locks
from bot.storage.base import Reminder, Subscription, UserRecord
from bot.storage.claimed import claim_settled
from bot.storage.engine import make_engine
from bot.storage.erase import erase_user
from bot.storage.inbox import Inbox
from bot.storage.migrate import upgrade
from bot.storage.tables import (
    ProcessedUpdateRow,
    ReminderRow,
    SubscriptionRow,
    UserRow,
)

CONVERSATION_PREFIXES = ("tg:", "terminal:", "tgpending:", "tgstaff:")  # chat records (Telegram, terminal); the last two: older versions


def _now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def _stored_now() -> datetime:
    """Now as the ORM stores it (naive UTC), for the raw-SQL hot paths."""
    return datetime.now(UTC).replace(tzinfo=None)


def _utc(when: datetime) -> datetime:
    """The time in UTC; a naive time is taken as UTC."""
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def _user(row: UserRow) -> UserRecord:
    """The record of a user row."""
    return UserRecord(row.user_id, row.chat_id, row.name, row.first_seen, row.payload)


def _reminder(row: ReminderRow) -> Reminder:
    """The record of a reminder row."""
    return Reminder(row.user_id, row.chat_id, row.rule, row.kind, row.due, row.text,
                    id=row.id, sent_at=row.sent_at, extra=dict(row.extra or {}))


class SqlStorage:
    """Storage over one SQLAlchemy engine; the schema is migrated to head on start."""

    def __init__(self, database_url: str) -> None:
        """Connect and apply the migrations the database lacks (a no-op when at head)."""
        self.engine = make_engine(database_url)
        upgrade(self.engine)
        assessments.ensure_deployed_snapshot(self.engine)  # `rules diff` can compare with it later
        self.inbox = Inbox(self._raw, self._batch)

    def _session(self) -> Session:
        """An ORM session whose objects stay readable after commit."""
        return Session(self.engine, expire_on_commit=False)

    def upsert_user(self, user_id: int, chat_id: int, name: str,
                    payload: str | None = None) -> UserRecord:
        """Create or refresh a user; keep first_seen, keep an older payload unless a new one comes."""
        with self._session() as session:
            row = session.get(UserRow, user_id)
            if row is None:
                row = UserRow(user_id=user_id, chat_id=chat_id, name=name,
                              first_seen=_now(), payload=payload)
            else:
                row.chat_id, row.name = chat_id, name
                row.payload = payload or row.payload
            session.add(row)
            session.commit()
            return _user(row)

    def get_user(self, user_id: int) -> UserRecord | None:
        """The user, or None."""
        with self._session() as session:
            row = session.get(UserRow, user_id)
            return _user(row) if row else None

    def load_conversation(self, key: str) -> dict | None:
        """The saved conversation state for ``key`` (one raw SELECT: read on every update)."""
        rows = self._raw("SELECT state FROM conversations WHERE key = ?", (key,), fetch=True)
        if not rows:
            return None
        state = rows[0][0]
        return json.loads(state) if isinstance(state, (str, bytes)) else dict(state)

    def save_conversation(self, key: str, state: dict) -> None:
        """Store the conversation state for ``key``, replacing the old one (one raw upsert)."""
        self._raw("INSERT INTO conversations (key, state, updated_at) VALUES (?, ?, ?) "
                  "ON CONFLICT (key) DO UPDATE SET state = excluded.state, "
                  "updated_at = excluded.updated_at", (key, json.dumps(state), _stored_now()))

    def record_assessment(self, user_id: int, event: dict) -> bool:
        """Keep what a ``results`` event says the worker could claim: the rules version, the day
        and each claimable rule with its amount (an unchanged result adds nothing: replay-safe).
        The deployed rules version's files are kept too, so the answer can be explained later."""
        found = assessments.from_event(assessments.worker_subject(user_id), event)
        if found is None:
            return False
        with self.engine.begin() as db:
            return assessments.record(db, found)

    def subscribe(self, user_id: int, kind: str, key: str) -> bool:
        """Add a subscription; False when it already existed."""
        with self._session() as session:
            if session.get(SubscriptionRow, (user_id, kind, key)) is not None:
                return False
            session.add(SubscriptionRow(user_id=user_id, kind=kind, key=key, created_at=_now()))
            return self._commit_new(session)

    def unsubscribe(self, user_id: int, kind: str | None = None,
                    key: str | None = None) -> int:
        """Remove matching subscriptions of the user; return how many."""
        query = delete(SubscriptionRow).where(col(SubscriptionRow.user_id) == user_id)
        if kind is not None:
            query = query.where(col(SubscriptionRow.kind) == kind)
        if key is not None:
            query = query.where(col(SubscriptionRow.key) == key)
        with self._session() as session:
            count = session.exec(query).rowcount
            session.commit()
            return int(count or 0)

    def subscriptions(self, user_id: int | None = None, *, kind: str | None = None,
                      key: str | None = None) -> list[Subscription]:
        """Subscriptions filtered by user, kind and key."""
        query = select(SubscriptionRow)
        filters: tuple[tuple[Any, Any], ...] = (
            (SubscriptionRow.user_id, user_id), (SubscriptionRow.kind, kind), (SubscriptionRow.key, key))
        for column, value in filters:
            if value is not None:
                query = query.where(col(column) == value)
        query = query.order_by(col(SubscriptionRow.user_id), col(SubscriptionRow.kind),
                               col(SubscriptionRow.key))
        with self._session() as session:
            return [Subscription(r.user_id, r.kind, r.key) for r in session.exec(query)]

    def add_reminder(self, reminder: Reminder) -> bool:
        """Store a reminder; False when the same user+rule+kind+due exists."""
        with self._session() as session:
            exists = session.exec(select(ReminderRow.id).where(
                ReminderRow.user_id == reminder.user_id, ReminderRow.rule == reminder.rule,
                ReminderRow.kind == reminder.kind, ReminderRow.due == reminder.due)).first()
            if exists is not None:
                return False
            session.add(ReminderRow(user_id=reminder.user_id, chat_id=reminder.chat_id,
                                    rule=reminder.rule, kind=reminder.kind, due=reminder.due,
                                    text=reminder.text, extra=dict(reminder.extra)))
            return self._commit_new(session)

    def due_reminders(self, today: date) -> list[Reminder]:
        """Unsent reminders due on or before ``today``, oldest first; none about a subsidy
        already marked 已申请, 已到账 or 不想申请 (see ``bot.storage.claimed``)."""
        query = (select(ReminderRow).where(col(ReminderRow.due) <= today,
                                           col(ReminderRow.sent_at).is_(None),
                                           ~claim_settled(ReminderRow.user_id, ReminderRow.rule))
                 .order_by(col(ReminderRow.due), col(ReminderRow.id)))
        with self._session() as session:
            return [_reminder(row) for row in session.exec(query)]

    def reminders(self, user_id: int) -> list[Reminder]:
        """All reminders of a user, sent or not, by due date."""
        query = (select(ReminderRow).where(col(ReminderRow.user_id) == user_id)
                 .order_by(col(ReminderRow.due), col(ReminderRow.id)))
        with self._session() as session:
            return [_reminder(row) for row in session.exec(query)]

    def mark_reminder_sent(self, reminder_id: int, when: datetime) -> None:
        """Record that the reminder went out."""
        with self._session() as session:
            row = session.get(ReminderRow, reminder_id)
            if row is not None:
                row.sent_at = _utc(when)
                session.add(row)
                session.commit()

    def mark_update_processed(self, update_id: int) -> bool:
        """Record an update id; False when it was already processed (one raw INSERT)."""
        try:
            self._raw("INSERT INTO processed_updates (update_id, processed_at) VALUES (?, ?)",
                      (update_id, _stored_now()))
        except self.engine.dialect.loaded_dbapi.IntegrityError:
            return False
        return True

    def prune_processed_updates(self, before: datetime) -> int:
        """Forget update ids processed (and inbox updates done) before ``before``; how many."""
        query = delete(ProcessedUpdateRow).where(col(ProcessedUpdateRow.processed_at) < _utc(before))
        with self._session() as session:
            count = session.exec(query).rowcount
            session.commit()
        return int(count or 0) + self.inbox.prune(before)

    def delete_user(self, user_id: int) -> None:
        """Erase every row about the user (profile, state, subscriptions, reminders, inbox).

        The row data is overwritten before the rows are deleted; see ``bot.storage.erase``.
        """
        keys = [f"{prefix}{user_id}" for prefix in CONVERSATION_PREFIXES]
        with self._session() as session:
            erase_user(session, user_id, keys)
            session.commit()
        self.inbox.forget(user_id)

    def scrub(self) -> None:
        """Make deleted rows unreadable on disk: on SQLite, checkpoint the WAL into the zeroed pages."""
        if self.engine.dialect.name == "sqlite":
            self._raw("PRAGMA wal_checkpoint(TRUNCATE)", (), fetch=True)

    def acquire_user(self, user_id: int, holder: str) -> bool:
        """Take the user's short lease for ``holder`` if it is free or expired."""
        return locks.try_acquire(self._raw, user_id, holder)

    def renew_user(self, user_id: int, holder: str) -> bool:
        """Extend ``holder``'s lease; False when it was lost."""
        return locks.renew(self._raw, user_id, holder)

    def renew_held(self) -> int:
        """Extend every lease this process holds (the inbox's renewer thread calls it)."""
        return locks.renew_all(self._raw)

    def release_user(self, user_id: int, holder: str) -> None:
        """Give the lease back."""
        locks.release(self._raw, user_id, holder)

    def user_lock(self, user_id: int) -> AbstractAsyncContextManager[None]:
        """Hold the user across every process on this database (``async with``): one update at a time."""
        return locks.user_lease(self._raw, user_id)

    def close(self) -> None:
        """Release connections."""
        self.engine.dispose()

    def _raw(self, sql: str, params: tuple, fetch: bool = False) -> Any:
        """Run one statement on a pooled DBAPI connection: the per-update hot paths skip the ORM.

        Returns the rows with ``fetch``, else the number of rows changed.
        """
        if fetch:
            return self._run([(sql, params)], fetch=True)
        return self._run([(sql, params)])[0]

    def _batch(self, statements: list[tuple[str, tuple]], fenced: bool = False) -> list[int]:
        """Run statements in one transaction; the rows each changed. ``fenced``: when the first
        changes no row, roll everything back (the caller no longer holds what it changes)."""
        return self._run(statements, fenced=fenced)

    def _run(self, statements: list[tuple[str, tuple]], fetch: bool = False,
             fenced: bool = False) -> Any:
        """Execute ``statements`` in one transaction on a pooled DBAPI connection."""
        qmark = self.engine.dialect.paramstyle == "qmark"
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            counts: list[int] = []
            rows = None
            for sql, params in statements:
                cursor.execute(sql if qmark else sql.replace("?", "%s"), params)
                rows = cursor.fetchall() if fetch else None
                counts.append(cursor.rowcount)
                if fenced and counts[0] != 1:
                    connection.rollback()
                    return counts
            cursor.close()
            connection.commit()
            return rows if fetch else counts
        except BaseException:
            connection.rollback()
            raise
        finally:
            connection.close()

    @staticmethod
    def _commit_new(session: Session) -> bool:
        """Commit an insert; False when a concurrent writer inserted the same key first."""
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return False
        return True
