"""What the Telegram handlers share: storage, the conversation core, the clock, per-user locks."""
from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from telegram import Update, User
from telegram.ext import ContextTypes

from bot.storage import Storage

# A coroutine function, as PTB's handler classes require.
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


@dataclass
class Services:
    """The handlers' dependencies, kept in ``application.bot_data["services"]``."""

    storage: Storage
    conversation: Any
    today: Callable[[], date]
    locks: weakref.WeakValueDictionary = field(default_factory=weakref.WeakValueDictionary)
    forget_hooks: tuple[Callable[[int], Any], ...] = ()

    def load_state(self, user_id: int) -> dict | None:
        """The user's interview state, read from storage on every update."""
        return self.storage.load_conversation(conversation_key(user_id))

    def save_state(self, user_id: int, state: dict) -> None:
        """Write the user's interview state to storage."""
        self.storage.save_conversation(conversation_key(user_id), state)

    def pending(self, user_id: int) -> dict:
        """What the adapter itself waits for from the user (e.g. a county), from storage."""
        return self.storage.load_conversation(pending_key(user_id)) or {}

    def set_pending(self, user_id: int, pending: dict) -> None:
        """Remember (in storage, so a restart keeps it) what the adapter waits for."""
        if pending or self.pending(user_id):
            self.storage.save_conversation(pending_key(user_id), pending)

    def forget(self, user_id: int) -> None:
        """Erase everything stored about the user, here and in the other parts' tables (hooks)."""
        self.storage.delete_user(user_id)
        for hook in self.forget_hooks:
            hook(user_id)
        self.storage.scrub()  # after every part erased its rows (SQLite: WAL checkpoint)

    def lock(self, user_id: int) -> asyncio.Lock:
        """The lock that keeps one user's updates in order."""
        lock = self.locks.get(user_id)
        if lock is None:
            lock = asyncio.Lock()
            self.locks[user_id] = lock
        return lock


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The Services of this application."""
    return context.application.bot_data["services"]


def conversation_key(user_id: int) -> str:
    """Storage key of a Telegram user's interview state."""
    return f"tg:{user_id}"


def pending_key(user_id: int) -> str:
    """Storage key of what the adapter itself waits for from the user (e.g. a county)."""
    return f"tgpending:{user_id}"


def chat_id_of(update: Update) -> int:
    """Where to answer: the chat of the update, else the user's private chat."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    return user_id_of(update)


def user_of(update: Update) -> User:
    """Who sent the update (messages, commands and button taps always have a sender)."""
    if update.effective_user is None:
        raise ValueError(f"update {update.update_id} has no user")
    return update.effective_user


def user_id_of(update: Update) -> int:
    """The Telegram id of the update's sender."""
    return user_of(update).id


def message_text(update: Update) -> str:
    """The text of the update's message (text handlers only get messages with text)."""
    if update.message is None or update.message.text is None:
        raise ValueError(f"update {update.update_id} has no message text")
    return update.message.text


def button_data(update: Update) -> str:
    """The data of the tapped inline button (button handlers only get taps with data)."""
    if update.callback_query is None or update.callback_query.data is None:
        raise ValueError(f"update {update.update_id} has no button data")
    return update.callback_query.data


def per_user(handler: Handler) -> Handler:
    """Run ``handler`` under the user's lock so one user's updates stay in order."""

    @functools.wraps(handler)
    async def wrapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Wait for the user's earlier updates, then handle this one."""
        user = update.effective_user
        if user is None:
            return
        # The in-process lock keeps order here; the storage lease keeps it across processes.
        async with services(context).lock(user.id), services(context).storage.user_lock(user.id):
            await handler(update, context)

    return wrapped
