"""Reminders: send the ones a user accepted (stored by the ChatApp) when due (dates in China)."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden

from bot.adapters.telegram.send import send_text
from bot.core.render import text
from bot.staff.models import stored_id
from bot.storage import Storage

log = logging.getLogger(__name__)

KEEP_UPDATE_IDS = timedelta(days=2)  # Telegram keeps an unconfirmed update for 24 hours


async def send_due_reminders(bot: Bot, storage: Storage, today: date) -> int:
    """Send every reminder due by ``today`` and mark it sent; return how many went out."""
    sent = 0
    for reminder in storage.due_reminders(today):
        try:
            await send_text(bot, reminder.chat_id, text("telegram.reminder.prefix") + reminder.text)
            sent += 1
        except (Forbidden, BadRequest) as error:  # blocked the bot or chat gone: do not retry
            log.warning("reminder %s not deliverable: %s", reminder.id, error)
        storage.mark_reminder_sent(stored_id(reminder.id), datetime.now(UTC))
    return sent


async def reminder_loop(bot: Bot, storage: Storage, today: Callable[[], date],
                        interval: float) -> None:
    """Send due reminders (and forget old update ids) every ``interval`` seconds until cancelled."""
    while True:
        try:
            await send_due_reminders(bot, storage, today())
            storage.prune_processed_updates(datetime.now(UTC) - KEEP_UPDATE_IDS)
        except asyncio.CancelledError:
            raise
        except Exception:  # keep the loop alive; the next round retries
            log.exception("sending reminders failed")
        await asyncio.sleep(interval)
