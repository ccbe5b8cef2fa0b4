"""Fair delivery over Telegram: recipients, the message, progress edited in place, the report."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from telegram import Bot
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application

from bot.adapters.telegram_transport import TelegramTransport
from bot.broadcast import Fair, Outbox, Sender, SenderConfig
from bot.broadcast.drafts import ProgressMessage
from bot.core.render import render, text
from bot.staff.models import stored_id, table_of
from bot.storage import Storage

log = logging.getLogger(__name__)
CHINA = ZoneInfo("Asia/Shanghai")
Lifecycle = Callable[[Application], Coroutine[Any, Any, None]]  # post_init / post_shutdown


def local_when(moment: datetime) -> str:
    """A stored UTC time as the workers read it: 2026年12月5日 09:30 (China time)."""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(CHINA)
    return text("fairs.when", day=local.date(), time=local.strftime("%H:%M"))


def compose(fair: Fair) -> str:
    """The message every recipient gets (the preview shows exactly this)."""
    return render("fair_message", title=fair.title, starts_at=local_when(fair.starts_at),
                  place=fair.place_or_link, organiser=fair.organiser, details=fair.details)


def recipients(storage: Storage, counties: Iterable[str]) -> list[tuple[int, int]]:
    """(user_id, chat_id) of the workers subscribed for these home counties, each once.

    With the SQL storage, applicants a coordinator registered there whose own Telegram account
    is linked (``staff_applicants.telegram_id``) are included too, still each once.
    """
    counties = list(counties)
    if hasattr(storage, "engine"):  # the SQL storage: one query instead of one per subscriber
        return _sql_recipients(storage.engine, counties)
    found: dict[int, int] = {}
    for county in counties:
        for sub in storage.subscriptions(kind="county", key=county):
            if sub.user_id not in found:
                user = storage.get_user(sub.user_id)
                found[sub.user_id] = user.chat_id if user else sub.user_id
    return sorted(found.items())


def _sql_recipients(engine: Engine, counties: list[str]) -> list[tuple[int, int]]:
    """The same as :func:`recipients`, joined in the database (subscribers and linked applicants)."""
    from sqlalchemy import select, union

    from bot.staff.models import ApplicantRow
    from bot.storage.tables import SubscriptionRow, UserRow

    subs, users, people = table_of(SubscriptionRow), table_of(UserRow), table_of(ApplicantRow)
    wanted = union(
        select(subs.c.user_id.label("user_id"))
        .where(subs.c.kind == "county", subs.c.key.in_(counties)),
        select(people.c.telegram_id.label("user_id"))
        .where(people.c.telegram_id.is_not(None), people.c.county.in_(counties),
               people.c.fairs_opt_out.is_(False))).subquery()
    query = (select(wanted.c.user_id, users.c.chat_id)
             .join(users, users.c.user_id == wanted.c.user_id, isouter=True))
    with engine.connect() as db:
        found = {int(row.user_id): int(row.user_id if row.chat_id is None else row.chat_id)
                 for row in db.execute(query)}
    return sorted(found.items())


def progress_text(fair: Fair, counts: dict[str, int]) -> str:
    """The progress message: sent / failed / blocked / uncertain / left."""
    return text("fairs.progress", title=fair.title, **counts)


def report_text(fair: Fair, counts: dict[str, int]) -> str:
    """The final delivery report."""
    return render("fair_report", title=fair.title, **counts)


async def start_fair(bot: Bot, outbox: Outbox, storage: Storage, fair: Fair, chat_id: int) -> int:
    """Enqueue a fair's recipients and open its progress message; return how many were added."""
    fair_id = stored_id(fair.id)
    added = await asyncio.to_thread(outbox.enqueue, fair_id, recipients(storage, fair.target_counties))
    counts = outbox.progress(fair_id)
    latest = outbox.get_fair(fair_id)
    if latest is not None and latest.status == "cancelled":  # cancelled just before it started
        return 0
    if counts["total"] == 0:
        await bot.send_message(chat_id, text("fairs.nobody"))
        return 0
    await bot.send_message(chat_id, text("fairs.started", n=counts["total"]))
    body = progress_text(fair, counts)
    message = await bot.send_message(chat_id, body)
    outbox.watch(fair_id, chat_id, message.message_id, body)
    return added


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
