"""python-telegram-bot errors map to the sender's outcomes; TelegramTransport returns them."""
from __future__ import annotations

import warnings
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

from bot.adapters.telegram.transport import TelegramTransport, classify
from bot.broadcast import Blocked, Rejected, RetryLater, Transient

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
    """Stands in for telegram.Bot: records the raw API call, raises what it is told to."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error, self.calls = error, []

    async def do_api_request(self, endpoint: str, api_kwargs: dict | None = None) -> dict:
        self.calls.append((endpoint, api_kwargs))
        if self.error:
            raise self.error
        return {"message_id": 1}


async def test_transport_posts_plain_text_with_options() -> None:
    bot = FakeBot()
    outcome = await TelegramTransport(bot, disable_notification=True).send_message(42, "招聘会")
    assert outcome is None
    assert bot.calls == [("sendMessage",
                          {"chat_id": 42, "text": "招聘会", "disable_notification": True})]


async def test_transport_passes_a_keyboard_as_json() -> None:
    bot = FakeBot()
    markup = '{"inline_keyboard": [[{"text": "报名", "url": "https://example.org"}]]}'
    await TelegramTransport(bot).send_message(42, "招聘会", reply_markup=markup)
    assert bot.calls == [("sendMessage", {"chat_id": 42, "text": "招聘会", "reply_markup": markup})]


async def test_transport_returns_the_outcome_with_the_cause() -> None:
    error = RetryAfter(5)
    outcome = await TelegramTransport(FakeBot(error)).send_message(42, "招聘会")
    assert isinstance(outcome, RetryLater)
    assert outcome.seconds == 5 and outcome.__cause__ is error


async def test_a_bug_in_the_request_is_not_taken_for_an_outcome() -> None:
    with pytest.raises(ValueError):
        await TelegramTransport(FakeBot(ValueError("bug"))).send_message(42, "招聘会")


async def test_a_real_bot_sends_through_the_validated_api_without_warnings(fake_api) -> None:
    """The real request path (PTB's Bot, the fake API checking every call against api.json):
    delivered, a keyboard accepted, 403 and 429 answers returned as outcomes, and no
    "use Bot.sendMessage instead of do_api_request" warning on every message."""
    from fakebotapi import TOKEN, OfflineRequest
    from telegram import Bot
    from telegram.warnings import PTBUserWarning

    fake_api.user(42)
    fake_api.user(43)
    markup = '{"inline_keyboard": [[{"text": "报名", "url": "https://example.org"}]]}'
    answers = {43: (403, {"ok": False, "error_code": 403,
                          "description": "Forbidden: bot was blocked by the user"}),
               44: (429, {"ok": False, "error_code": 429, "description": "Too Many Requests",
                          "parameters": {"retry_after": 3}})}
    fake_api.fault = lambda method, params: answers.get(params.get("chat_id"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.filterwarnings("always", category=PTBUserWarning, append=True)
        transport = TelegramTransport(Bot(TOKEN, request=OfflineRequest(fake_api)))
        sent = await transport.send_message(42, "招聘会", reply_markup=markup)
        blocked = await transport.send_message(43, "招聘会")
        flood = await transport.send_message(44, "招聘会")
    assert sent is None and isinstance(blocked, Blocked) and isinstance(flood, RetryLater)
    assert flood.seconds == 3
    assert [call["text"] for call in fake_api.sent(42)] == ["招聘会"]
    assert fake_api.sent(42)[0]["reply_markup"]["inline_keyboard"][0][0]["text"] == "报名"
    # (PTB's own RetryAfter deprecation notice is not about this code)
    assert [str(w.message) for w in caught if "do_api_request" in str(w.message)] == []
