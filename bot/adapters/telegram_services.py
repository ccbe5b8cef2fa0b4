"""What the Telegram handlers share: storage, the conversation core, the clock, per-user locks."""
from __future__ import annotations

import asyncio
import functools
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.storage import Storage

STATE_CACHE_SIZE = 10_000
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


@dataclass
class Services:
    """The handlers' dependencies, kept in ``application.bot_data["services"]``."""

    storage: Storage
    conversation: Any
    today: Callable[[], date]
    locks: weakref.WeakValueDictionary = field(default_factory=weakref.WeakValueDictionary)
    pending_cache: dict[int, dict] = field(default_factory=dict)
    state_cache: OrderedDict = field(default_factory=OrderedDict)

    def load_state(self, user_id: int) -> dict | None:
        """The user's interview state: from this process's cache, else from storage."""
        if user_id in self.state_cache:
            self.state_cache.move_to_end(user_id)
            return self.state_cache[user_id]
        state = self.storage.load_conversation(conversation_key(user_id))
        self._cache_state(user_id, state)
        return state

    def save_state(self, user_id: int, state: dict) -> None:
        """Write the state to storage (the truth) and to the cache."""
        self.storage.save_conversation(conversation_key(user_id), state)
        self._cache_state(user_id, state)

    def _cache_state(self, user_id: int, state: dict | None) -> None:
        self.state_cache[user_id] = state
        self.state_cache.move_to_end(user_id)
        while len(self.state_cache) > STATE_CACHE_SIZE:
            self.state_cache.popitem(last=False)

    def pending(self, user_id: int) -> dict:
        """What the adapter waits for from the user (read from storage once per process)."""
        if user_id not in self.pending_cache:
            self.pending_cache[user_id] = self.storage.load_conversation(pending_key(user_id)) or {}
        return self.pending_cache[user_id]

    def set_pending(self, user_id: int, pending: dict) -> None:
        """Remember (in storage too, so a restart keeps it) what the adapter waits for."""
        if pending != self.pending(user_id):
            self.storage.save_conversation(pending_key(user_id), pending)
        self.pending_cache[user_id] = pending

    def forget(self, user_id: int) -> None:
        """Erase the user from storage and from this process's caches."""
        self.storage.delete_user(user_id)
        self.pending_cache.pop(user_id, None)
        self.state_cache.pop(user_id, None)

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
    return update.effective_user.id  # type: ignore[union-attr]


def per_user(handler: Handler) -> Handler:
    """Run ``handler`` under the user's lock so one user's updates stay in order."""

    @functools.wraps(handler)
    async def wrapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        if user is None:
            return
        async with services(context).lock(user.id):
            await handler(update, context)

    return wrapped
