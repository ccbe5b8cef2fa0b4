"""What the Telegram handlers share: storage, the clock, per-user locks, who sent an update."""
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
    """The handlers' shared services, kept in ``application.bot_data["services"]``."""

    storage: Storage
    today: Callable[[], date]
    locks: weakref.WeakValueDictionary = field(default_factory=weakref.WeakValueDictionary)

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
