"""Small pieces of the Telegram adapter: splitting, keyboards, retries, the reminder loop."""
from __future__ import annotations

import asyncio
from datetime import date

import pytest
from fakebotapi import conversation as scripted
from fakebotapi.harness import OfflineBot
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.adapters.telegram import send as telegram_send
from bot.adapters.telegram.reminders import reminder_loop
from bot.adapters.telegram.send import Choice, keyboard, split_text, with_retry
from bot.core.render import text
from bot.storage import Reminder


@pytest.mark.parametrize("size", [1, 4096, 4097, 9000, 20000])
def test_split_text_keeps_every_character_within_the_limit(size):
    body = "\n".join(f"第{i}行补贴" for i in range(size))[:size]
    pieces = split_text(body)
    assert all(0 < len(piece) <= 4096 for piece in pieces)
    assert "".join(pieces).replace("\n", "") == body.strip().replace("\n", "")


def test_keyboard_drops_buttons_whose_data_is_over_64_bytes(caplog):
    markup = keyboard([[Choice("好", "ok"), Choice("太长", "x" * 65)], [Choice("也长", "补" * 22)]])
    assert [[b.callback_data for b in row] for row in markup.inline_keyboard] == [["ok"]]
    assert "too long" in caplog.text
    assert keyboard([]) is None


async def test_network_errors_are_retried_and_rejections_are_not(monkeypatch):
    monkeypatch.setattr(telegram_send, "RETRY_DELAY", 0)
    attempts = []

    async def flaky():
        attempts.append(1)
        if len(attempts) < 3:
            raise TimedOut() if len(attempts) == 1 else NetworkError("reset")
        return "sent"

    assert await with_retry(flaky) == "sent" and len(attempts) == 3

    async def rejected():
        attempts.append(1)
        raise BadRequest("message is too long")

    attempts.clear()
    with pytest.raises(BadRequest):
        await with_retry(rejected)
    assert len(attempts) == 1


async def test_reminder_loop_sends_due_reminders_and_survives_failures(sqlite_storage):
    async with OfflineBot(sqlite_storage, scripted) as bot:
        bot.api.user(7)
        sqlite_storage.add_reminder(Reminder(7, 7, "r1", "deadline_7", date(2026, 11, 22), "明天去申请"))
        sqlite_storage.add_reminder(Reminder(8, 8, "r1", "deadline_7", date(2026, 11, 22), "聊天不存在"))
        sqlite_storage.add_reminder(Reminder(7, 7, "r2", "deadline_7", date(2026, 12, 22), "以后"))
        task = asyncio.create_task(reminder_loop(bot.application.bot, sqlite_storage,
                                                 lambda: date(2026, 11, 22), 0.01))
        for _ in range(200):
            if not sqlite_storage.due_reminders(date(2026, 11, 22)):
                break
            await asyncio.sleep(0.01)
        task.cancel()
        assert bot.api.replies_to(7) == [text("telegram.reminder.prefix") + "明天去申请"]
        assert [r.rule for r in sqlite_storage.reminders(7) if r.sent_at is None] == ["r2"]
