"""``send(chat_id, text)`` over python-telegram-bot, with its errors mapped to send outcomes."""
from __future__ import annotations

import re
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.broadcast.outcomes import Blocked, Rejected, RetryLater, SendOutcome, Transient

SERVER_ERROR = re.compile(r"\b5\d\d\b|internal server error|bad gateway|service unavailable"
                          r"|gateway time-?out", re.IGNORECASE)
GONE = re.compile(r"chat not found|user is deactivated|bot was blocked", re.IGNORECASE)
Post = Callable[[str, dict[str, Any]], Awaitable[object]]  # (Bot API method, its parameters)


def _seconds(error: RetryAfter) -> float:
    """``retry_after`` in seconds (an int or a timedelta, depending on the PTB setting)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def classify(error: TelegramError) -> SendOutcome:
    """The outcome a python-telegram-bot error stands for."""
    if isinstance(error, RetryAfter):
        return RetryLater(_seconds(error), str(error))
    if isinstance(error, Forbidden):
        return Blocked(str(error))
    if isinstance(error, BadRequest):  # a subclass of NetworkError: check it first
        return Blocked(str(error)) if GONE.search(str(error)) else Rejected(str(error))
    if isinstance(error, TimedOut | NetworkError):
        return Transient(str(error))
    if isinstance(error, ChatMigrated):
        return Rejected(f"chat migrated to {error.new_chat_id}")
    if SERVER_ERROR.search(str(error)):
        return Transient(str(error))
    return Rejected(f"{type(error).__name__}: {error}")


def telegram_send(bot: Bot, **options: Any) -> Callable[[int, str], Awaitable[None]]:
    """A ``send`` for :class:`~bot.broadcast.sender.Sender` that posts with ``bot.send_message``.

    ``options`` go to ``send_message`` (e.g. ``disable_web_page_preview``); the text is sent as
    plain text, so nothing in it needs escaping.
    """

    post = _raw_post(bot, options)

    async def send(chat_id: int, text: str) -> None:
        """Send one message; raise the outcome when Telegram refuses."""
        try:
            if post is not None:
                await post("sendMessage", {"chat_id": chat_id, "text": text})
            else:
                await bot.send_message(chat_id=chat_id, text=text, **options)
        except TelegramError as error:
            raise classify(error) from error

    return send


def _raw_post(bot: Bot, options: dict[str, Any]) -> Post | None:
    """PTB's own request path without building a ``Message`` from each answer (about a third of
    the sender's CPU at 200/s): only for a real ``Bot`` and no extra options."""
    post: Post | None = getattr(bot, "_post", None)
    return post if isinstance(bot, Bot) and not options and callable(post) else None
