"""python-telegram-bot errors map to the sender's outcomes; telegram_send raises them."""
from __future__ import annotations

from datetime import timedelta

import pytest
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.broadcast import Blocked, Rejected, RetryLater, Transient
from bot.broadcast.telegram_send import classify, telegram_send

CASES = [
    (RetryAfter(14), RetryLater),
    (RetryAfter(timedelta(seconds=3)), RetryLater),
    (Forbidden("Forbidden: bot was blocked by the user"), Blocked),
    (Forbidden("Forbidden: user is deactivated"), Blocked),
    (BadRequest("Bad Request: chat not found"), Blocked),
    (BadRequest("Bad Request: message is too long"), Rejected),
    (TimedOut(), Transient),
    (NetworkError("httpx.ConnectError: connection refused"), Transient),
    (NetworkError("Bad Gateway"), Transient),
    (NetworkError("Internal Server Error (500)"), Transient),
    (TelegramError("Service Unavailable (503)"), Transient),
    (TelegramError("Gateway Timeout"), Transient),
    (ChatMigrated(-100123), Rejected),
    (InvalidToken("Unauthorized"), Rejected),
    (Conflict("Conflict: terminated by other getUpdates request"), Rejected),
]


@pytest.mark.parametrize(("error", "outcome"), CASES, ids=lambda v: type(v).__name__)
def test_each_error_maps_to_its_outcome(error, outcome) -> None:
    assert type(classify(error)) is outcome


@pytest.mark.parametrize(("error", "seconds"), [(RetryAfter(14), 14.0),
                                                (RetryAfter(timedelta(seconds=2.5)), 2.5)])
def test_retry_after_keeps_the_wait(error, seconds) -> None:
    assert classify(error).seconds == seconds


class FakeBot:
    """Stands in for telegram.Bot: records the call, raises what it is told to."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error, self.calls = error, []

    async def send_message(self, **kwargs) -> None:
        self.calls.append(kwargs)
        if self.error:
            raise self.error


async def test_telegram_send_posts_plain_text_with_options() -> None:
    bot = FakeBot()
    await telegram_send(bot, disable_notification=True)(42, "招聘会")
    assert bot.calls == [{"chat_id": 42, "text": "招聘会", "disable_notification": True}]


async def test_telegram_send_raises_the_outcome_with_the_cause() -> None:
    error = RetryAfter(5)
    with pytest.raises(RetryLater) as raised:
        await telegram_send(FakeBot(error))(42, "招聘会")
    assert raised.value.seconds == 5 and raised.value.__cause__ is error
