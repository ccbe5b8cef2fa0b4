"""Fair delivery over Telegram: recipients, the message, progress edited in place, the report."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application

from bot.adapters.telegram.transport import TelegramTransport
from bot.broadcast import Fair, Outbox, Sender, SenderConfig
from bot.broadcast.drafts import ProgressMessage
from bot.broadcast.message import compose, local_when, progress_text, report_text
from bot.core.render import text
from bot.flows.fairs import begin_fair
from bot.staff.audience import fair_recipients as recipients
from bot.staff.models import stored_id
from bot.storage import Storage

log = logging.getLogger(__name__)
Lifecycle = Callable[[Application], Coroutine[Any, Any, None]]  # post_init / post_shutdown

__all__ = ["compose", "local_when", "progress_text", "recipients", "report_text", "start_fair"]


async def start_fair(bot: Bot, outbox: Outbox, storage: Storage, fair: Fair, chat_id: int) -> int:
    """A scheduled fair is due: enqueue its recipients and open its progress message.

    Return how many recipients it has (0: cancelled just before, or nobody subscribed).
    """
    counts = await asyncio.to_thread(begin_fair, outbox, storage, fair)
    if counts is None:  # cancelled just before it started
        return 0
    if counts["total"] == 0:
        await bot.send_message(chat_id, text("fairs.nobody"))
        return 0
    await bot.send_message(chat_id, text("fairs.started", n=counts["total"]))
    await open_progress(bot, outbox, stored_id(fair.id), chat_id, progress_text(fair, counts))
    return counts["total"]


async def open_progress(bot: Bot, outbox: Outbox, fair_id: int, chat_id: int, body: str) -> None:
    """Send a fair's progress message; the fair loop edits it as the counts move."""
    message = await bot.send_message(chat_id, body)
    outbox.watch(fair_id, chat_id, message.message_id, body)


async def show_progress(bot: Bot, outbox: Outbox, watched: ProgressMessage) -> None:
    """Edit the progress message if the counts moved; send the report once the fair is done."""
    fair = outbox.get_fair(watched.fair_id)
    if fair is None:
        return
    fair_id = stored_id(fair.id)
    counts = outbox.progress(fair_id)
    body = progress_text(fair, counts)
    if body != watched.last_text and watched.message_id is not None:
        try:
            await bot.edit_message_text(body, chat_id=watched.chat_id, message_id=watched.message_id)
        except BadRequest as error:  # e.g. the staff deleted it: the report still follows
            log.warning("progress message of fair %s not edited: %s", fair_id, error)
    outbox.shown(fair_id, body)
    if fair.status == "done" and outbox.claim_report(fair_id):
        try:
            await bot.send_message(watched.chat_id, report_text(fair, counts))
        except TelegramError:
            outbox.shown(fair_id, body, reported=False)  # try again next round
            raise


async def fair_loop(bot: Bot, outbox: Outbox, storage: Storage, interval: float) -> None:
    """Forever: start scheduled fairs when due and refresh progress messages (throttled)."""
    while True:
        try:
            now = datetime.now(UTC)
            for fair in outbox.due_fairs(now):
                if outbox.claim_scheduled(stored_id(fair.id), now):
                    await start_fair(bot, outbox, storage, fair, fair.created_by)
            for watched in outbox.watched():
                await show_progress(bot, outbox, watched)
        except TelegramError as error:  # a network hiccup: try again next round
            log.warning("fair progress round failed: %s", error)
        except Exception:
            log.exception("fair progress round failed")
        await asyncio.sleep(interval)


def make_sender(bot: Bot, outbox: Outbox, storage: Storage,
                config: SenderConfig | None = None) -> Sender:
    """The paced sender over ``bot``; a user who blocked the bot loses every subscription."""
    return Sender(outbox, TelegramTransport(bot), compose,
                  config=config or SenderConfig(), on_blocked=storage.unsubscribe)


def start_delivery(bot: Bot, sender: Sender, outbox: Outbox, storage: Storage,
                   interval: float) -> list[asyncio.Task[Any]]:
    """Start the paced sender and the schedule/progress loop (the sender task first)."""
    return [asyncio.create_task(sender.run()),
            asyncio.create_task(fair_loop(bot, outbox, storage, interval))]


async def stop_delivery(sender: Sender, tasks: list[asyncio.Task[Any]]) -> None:
    """Stop the sender (sends in flight finish; after 10 s they end uncertain) and the loop."""
    if not tasks:
        return
    sender.stop()
    tasks[1].cancel()
    for task, seconds in ((tasks[0], 10.0), (tasks[1], 1.0)):
        with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=seconds)


def chain(first: Lifecycle | None, then: Lifecycle | None) -> Lifecycle:
    """A lifecycle callback (post_init / post_shutdown) running ``first`` (if any), then ``then``."""

    async def both(application: Application) -> None:
        if first is not None:
            await first(application)
        if then is not None:
            await then(application)

    return both
