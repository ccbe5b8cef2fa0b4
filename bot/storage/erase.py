"""Erase one user's rows so their data is not left readable (/delete).

Each row is first overwritten with blanks, then deleted. On SQLite (``secure_delete=ON``, see
``bot.storage.engine``) the freed space is zeroed, and ``SqlStorage.scrub`` checkpoints the WAL
so no older page version stays in it. On PostgreSQL an UPDATE writes a new row version and
leaves the old one as a dead tuple: the blanking shortens how long the real values live in
later versions, but the original tuple stays in the table's pages until (auto)vacuum reclaims
it and new rows overwrite the space (README "Deleting data" says so).
"""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, update
from sqlmodel import Session

from bot.storage import assessments
from bot.storage.tables import ConversationRow, ReminderRow, SubscriptionRow, UserRow

BLANK_TIME = datetime(1970, 1, 1, tzinfo=UTC)


def erase_user(session: Session, user_id: int, conversation_keys: list[str]) -> None:
    """Blank, then delete, the user's profile, conversation states, subscriptions and reminders."""
    in_keys = ConversationRow.key.in_(conversation_keys)  # type: ignore[attr-defined]
    steps = [
        (update(ReminderRow).where(ReminderRow.user_id == user_id)  # type: ignore[arg-type]
         .values(text="", extra={}),
         delete(ReminderRow).where(ReminderRow.user_id == user_id)),  # type: ignore[arg-type]
        (update(SubscriptionRow).where(SubscriptionRow.user_id == user_id)  # type: ignore[arg-type]
         .values(created_at=BLANK_TIME),
         delete(SubscriptionRow).where(SubscriptionRow.user_id == user_id)),  # type: ignore[arg-type]
        (update(ConversationRow).where(in_keys).values(state={}, updated_at=BLANK_TIME),
         delete(ConversationRow).where(in_keys)),
        (update(UserRow).where(UserRow.user_id == user_id)  # type: ignore[arg-type]
         .values(name="", payload=None, first_seen=BLANK_TIME),
         delete(UserRow).where(UserRow.user_id == user_id)),  # type: ignore[arg-type]
    ]
    for blank, remove in steps:
        session.execute(blank)
        session.execute(remove)
    assessments.forget(session, assessments.worker_subject(user_id))
