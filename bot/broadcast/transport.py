"""The channel a fair goes out through: one ``send_message`` that answers with an outcome.

The sender knows nothing of Telegram; an adapter implements :class:`Transport` (the Telegram
one is ``bot.adapters.telegram.transport``; tests and the benchmark use ``simulate.FakeTelegram``).
"""
from __future__ import annotations

from typing import Protocol

from bot.broadcast.outcomes import SendOutcome


class Transport(Protocol):
    """Sends one message to one chat and says how it went."""

    async def send_message(self, chat_id: int, text: str,
                           reply_markup: str | None = None) -> SendOutcome | None:
        """Send ``text`` as plain text (``reply_markup``: the channel's keyboard as JSON, or None).

        Returns None once the message is delivered, else the refusal as a value (not raised):
        :class:`~bot.broadcast.outcomes.RetryLater` (flood limit, 429),
        :class:`~bot.broadcast.outcomes.Blocked` (403, chat gone),
        :class:`~bot.broadcast.outcomes.Rejected` (400 and other permanent refusals),
        :class:`~bot.broadcast.outcomes.Transient` (5xx, timeout, network error).
        Any exception it raises is taken for a bug: the message is marked failed.
        """
        ...
