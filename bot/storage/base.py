"""The storage interface the adapters use; one SQL implementation lives in ``sql.py``."""
from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from bot.storage.inbox import Inbox


@dataclass(frozen=True)
class UserRecord:
    """What the bot keeps about one Telegram user."""

    user_id: int
    chat_id: int
    name: str
    first_seen: datetime
    payload: str | None = None


@dataclass(frozen=True)
class Subscription:
    """One announcement subscription: a kind ("county" or "city") and a place key."""

    user_id: int
    kind: str
    key: str


@dataclass(frozen=True)
class Reminder:
    """A reminder to send on ``due`` to ``user_id`` (chat ``chat_id``)."""

    user_id: int
    chat_id: int
    rule: str
    kind: str
    due: date
    text: str
    id: int | None = None
    sent_at: datetime | None = None
    extra: dict = field(default_factory=dict)


@runtime_checkable
class Storage(Protocol):
    """Users, conversation state, subscriptions, reminders and processed updates."""

    def upsert_user(self, user_id: int, chat_id: int, name: str,
                    payload: str | None = None) -> UserRecord:
        """Create or refresh a user; keep first_seen, keep an older payload unless a new one comes."""

    def get_user(self, user_id: int) -> UserRecord | None:
        """The user, or None."""

    def load_conversation(self, key: str) -> dict | None:
        """The saved conversation state for ``key`` (``tg:<id>``, ``terminal:<name>``)."""

    def save_conversation(self, key: str, state: dict) -> None:
        """Store the conversation state for ``key``, replacing the old one."""

    def record_assessment(self, user_id: int, event: dict) -> bool:
        """Keep what a ``results`` event says the worker could claim (rules version, day, claims)."""

    def subscribe(self, user_id: int, kind: str, key: str) -> bool:
        """Add a subscription; False when it already existed."""

    def unsubscribe(self, user_id: int, kind: str | None = None,
                    key: str | None = None) -> int:
        """Remove matching subscriptions of the user; return how many."""

    def subscriptions(self, user_id: int | None = None, *, kind: str | None = None,
                      key: str | None = None) -> list[Subscription]:
        """Subscriptions filtered by user, kind and key."""

    def add_reminder(self, reminder: Reminder) -> bool:
        """Store a reminder; False when the same user+rule+kind+due exists."""

    def due_reminders(self, today: date) -> list[Reminder]:
        """Unsent reminders due on or before ``today``, oldest first."""

    def reminders(self, user_id: int) -> list[Reminder]:
        """All reminders of a user, sent or not, by due date."""

    def mark_reminder_sent(self, reminder_id: int, when: datetime) -> None:
        """Record that the reminder went out."""

    def mark_update_processed(self, update_id: int) -> bool:
        """Record an update id; False when it was already processed."""

    def prune_processed_updates(self, before: datetime) -> int:
        """Forget update ids processed before ``before`` (Telegram redelivers for a day at most)."""

    inbox: Inbox
    """Updates recorded before they are handled (see ``bot.storage.inbox``)."""

    def delete_user(self, user_id: int) -> None:
        """Erase every row about the user (profile, state, subscriptions, reminders, inbox)."""

    def scrub(self) -> None:
        """After deletions: make the deleted data unreadable on disk where the database allows."""

    def acquire_user(self, user_id: int, holder: str) -> bool:
        """Take the user's short lease (see ``bot.storage.locks``) for ``holder``; False if held."""

    def renew_user(self, user_id: int, holder: str) -> bool:
        """Extend ``holder``'s lease on the user; False when it was lost."""

    def renew_held(self) -> int:
        """Extend every user lease this process holds; how many."""
        ...

    def release_user(self, user_id: int, holder: str) -> None:
        """Give the user's lease back."""

    def user_lock(self, user_id: int) -> AbstractAsyncContextManager[None]:
        """``async with storage.user_lock(uid):`` one user's updates, one at a time, across processes."""

    def close(self) -> None:
        """Release connections."""
