"""Fair drafts (the staff's guided creation, kept in the DB), progress messages, fair lists, /delete."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, desc, insert, select, update

from bot.broadcast.tables import DRAFTS, FAIRS, OUTBOX, PROGRESS, Fair


@dataclass(frozen=True)
class Draft:
    """Where a staff member is in the /fair questions, and what they answered so far."""

    user_id: int
    step: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class ProgressMessage:
    """The message that shows a fair's progress to the staff member who sent it."""

    fair_id: int
    chat_id: int
    message_id: int | None
    last_text: str
    reported: bool


class DraftsMixin:
    """Part of :class:`~bot.broadcast.outbox.Outbox`: drafts, progress messages, listings."""

    engine: Engine

    def get_draft(self, user_id: int) -> Draft | None:
        """The user's open draft, or None."""
        with self.engine.connect() as db:
            row = db.execute(select(DRAFTS).where(DRAFTS.c.user_id == user_id)).first()
        return Draft(row.user_id, row.step, dict(row.fields or {})) if row else None

    def save_draft(self, user_id: int, step: str, fields: dict[str, Any], now: datetime) -> None:
        """Create or replace the user's draft."""
        with self.engine.begin() as db:
            db.execute(delete(DRAFTS).where(DRAFTS.c.user_id == user_id))
            db.execute(insert(DRAFTS).values(user_id=user_id, step=step, fields=dict(fields),
                                             updated_at=now))

    def drop_draft(self, user_id: int) -> None:
        """Forget the user's draft."""
        with self.engine.begin() as db:
            db.execute(delete(DRAFTS).where(DRAFTS.c.user_id == user_id))

    def watch(self, fair_id: int, chat_id: int, message_id: int | None, text: str) -> None:
        """Remember the progress message of a fair."""
        with self.engine.begin() as db:
            db.execute(delete(PROGRESS).where(PROGRESS.c.fair_id == fair_id))
            db.execute(insert(PROGRESS).values(fair_id=fair_id, chat_id=chat_id,
                                               message_id=message_id, last_text=text,
                                               reported=False))

    def watched(self) -> list[ProgressMessage]:
        """Progress messages whose final report has not gone out yet."""
        query = select(PROGRESS).where(PROGRESS.c.reported.is_(False)).order_by(PROGRESS.c.fair_id)
        with self.engine.connect() as db:
            return [ProgressMessage(r.fair_id, r.chat_id, r.message_id, r.last_text, r.reported)
                    for r in db.execute(query)]

    def shown(self, fair_id: int, text: str, reported: bool | None = None) -> None:
        """Record what the progress message now says (and, when given, whether the report went)."""
        values = {"last_text": text} | ({} if reported is None else {"reported": reported})
        with self.engine.begin() as db:
            db.execute(update(PROGRESS).where(PROGRESS.c.fair_id == fair_id).values(**values))

    def claim_report(self, fair_id: int) -> bool:
        """Take the job of sending the fair's final report (one process wins)."""
        with self.engine.begin() as db:
            return db.execute(update(PROGRESS).where(PROGRESS.c.fair_id == fair_id,
                                                     PROGRESS.c.reported.is_(False))
                              .values(reported=True)).rowcount == 1

    def claim_scheduled(self, fair_id: int, now: datetime, lease: float = 300.0) -> bool:
        """Take the job of starting a due scheduled fair (one process wins).

        The fair stays ``scheduled`` (a ``sending`` fair without rows would count as done) with
        ``send_at`` pushed ``lease`` seconds on, so another process retries if this one dies
        before :meth:`enqueue` moves it to ``sending``.
        """
        with self.engine.begin() as db:
            return db.execute(update(FAIRS).where(FAIRS.c.id == fair_id,
                                                  FAIRS.c.status == "scheduled",
                                                  FAIRS.c.send_at <= now)
                              .values(send_at=now + timedelta(seconds=lease))).rowcount == 1

    def fairs(self, created_by: int | None = None, limit: int = 20) -> list[Fair]:
        """The latest fairs, newest first (of one creator when given); notices are not fairs."""
        query = select(FAIRS).where(FAIRS.c.kind == "fair").order_by(desc(FAIRS.c.id)).limit(limit)
        if created_by is not None:
            query = query.where(FAIRS.c.created_by == created_by)
        with self.engine.connect() as db:
            return [Fair.model_validate(dict(r)) for r in db.execute(query).mappings()]

    def forget_user(self, user_id: int) -> int:
        """/delete: erase the user's outbox rows and draft; return how many outbox rows."""
        with self.engine.begin() as db:
            db.execute(delete(DRAFTS).where(DRAFTS.c.user_id == user_id))
            return db.execute(delete(OUTBOX).where(OUTBOX.c.user_id == user_id)).rowcount
