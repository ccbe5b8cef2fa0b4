"""The broadcast transport over python-telegram-bot: ``sendMessage`` posted with the public
``Bot.do_api_request``, PTB's errors mapped to the sender's outcomes.

Why ``do_api_request`` and not ``Bot.send_message``: it goes through the same request path
(the application's rate limiter included, so fair sends and replies share one budget) but
returns the answer as a dict instead of building a ``Message`` from every answer. Measured
without network: 14 µs of CPU per message, against 80 µs for ``send_message`` and 12 µs for
PTB's private posting method used before; ``bench/bench_broadcast_telegram.py`` gives the
same rate with both, so a bare ``httpx.AsyncClient`` was not needed (it would also skip that
shared rate limiter).
"""
from __future__ import annotations

import re
import warnings
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
from telegram.warnings import PTBUserWarning

from bot.broadcast.outcomes import Blocked, Rejected, RetryLater, SendOutcome, Transient

SERVER_ERROR = re.compile(r"\b5\d\d\b|internal server error|bad gateway|service unavailable"
                          r"|gateway time-?out", re.IGNORECASE)
GONE = re.compile(r"chat not found|user is deactivated|bot was blocked", re.IGNORECASE)



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


class TelegramTransport:
    """A :class:`~bot.broadcast.transport.Transport` posting ``sendMessage`` with ``bot``.

    ``options`` are extra Bot API parameters of every message (e.g. ``disable_notification=True``);
    the text is sent as plain text, so nothing in it needs escaping.
    """

    def __init__(self, bot: Bot, **options: Any) -> None:
        self.bot, self.options = bot, options
        # do_api_request warns whenever PTB has its own method for the endpoint; here the raw
        # dict answer is the point (see the module's docstring), so that one warning is not
        # wanted. Set here rather than at import: test runners reset the filters after imports.
        warnings.filterwarnings("ignore", message=r"Please use 'Bot\.sendMessage' instead",
                                category=PTBUserWarning)

    async def send_message(self, chat_id: int, text: str,
                           reply_markup: str | None = None) -> SendOutcome | None:
        """Send one message; None when Telegram took it, else the outcome of its refusal."""
        params: dict[str, Any] = {"chat_id": chat_id, "text": text, **self.options}
        if reply_markup is not None:
            params["reply_markup"] = reply_markup
        try:
            await self.bot.do_api_request("sendMessage", api_kwargs=params)
        except TelegramError as error:
            outcome = classify(error)
            outcome.__cause__ = error
            return outcome
        return None
