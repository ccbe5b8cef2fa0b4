"""A dead holder never blocks its user for long, and SIGTERM stops the bot within 5 s.

The bot (a real `python -m bot run`) is made to hold a user: Telegram (the fake Bot API)
does not answer its sendMessage to that user. Then the bot is killed with SIGKILL, or
stopped with SIGTERM, while it holds the user's lease.
"""
from __future__ import annotations

import threading
import time

import pytest
from botprocess import BotProcess
from fakebotapi.harness import OfflineBot

from bot.core.clock import today
from bot.storage import open_storage

USER = 4343


class Stuck:
    """While ``hanging`` is set, sendMessage to USER hangs (Telegram slow to answer)."""

    def __init__(self) -> None:
        self.hanging, self.entered, self.release = (threading.Event() for _ in range(3))

    def fault(self, method: str, params: dict) -> None:
        """The fake Bot API's fault hook: hold the call, answer it normally afterwards."""
        if method == "sendMessage" and params.get("chat_id") == USER and self.hanging.is_set():
            self.entered.set()
            self.release.wait(60)


@pytest.fixture
def stuck(fake_server):
    hook = Stuck()
    fake_server.api.fault = hook.fault
    yield hook
    hook.release.set()


def _holding(api, bot: BotProcess, stuck: Stuck) -> None:
    """Start the bot and leave it in the middle of answering USER's /start (lease held)."""
    bot.start()
    stuck.hanging.set()
    api.push_command(USER, "start")
    assert stuck.entered.wait(30), bot.log()


async def _reference(tmp_path) -> list[str]:
    """What /start then /help get from a bot that is never killed."""
    storage = open_storage(f"sqlite:///{tmp_path / 'reference.sqlite3'}")
    async with OfflineBot(storage, as_of=today()) as bot:
        replies = await bot.send(1, "/start") + await bot.send(1, "/help")
    storage.close()
    return replies


async def test_after_kill_9_of_the_holder_the_next_message_is_answered_within_seconds(
        fake_server, tmp_path, stuck):
    expected = await _reference(tmp_path)
    api, bot = fake_server.api, BotProcess(fake_server, tmp_path)
    try:
        _holding(api, bot, stuck)
        bot.kill()
        stuck.hanging.clear()
        bot.start()
        asked = time.monotonic()
        api.push_text(USER, "/help")
        assert api.wait_for_calls(lambda: len(api.sent(USER)) >= len(expected), 30), bot.log()
        waited = time.monotonic() - asked
    finally:
        bot.stop()
    assert api.replies_to(USER) == expected  # /start once (after the restart), then /help
    assert waited < 10, f"the user waited {waited:.1f} s"


def test_sigterm_stops_within_5_seconds_while_a_user_is_held(fake_server, tmp_path, stuck):
    api, bot = fake_server.api, BotProcess(fake_server, tmp_path)
    try:
        _holding(api, bot, stuck)
        asked = time.monotonic()
        bot.process.terminate()
        bot.process.wait(30)
        stopped = time.monotonic() - asked
    finally:
        bot.stop()
    assert stopped < 5, f"SIGTERM took {stopped:.1f} s"
