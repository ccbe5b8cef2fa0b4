"""Job fairs in the Telegram application: the outbox for the flows, the paced sender, its loop.

/fair, /fairs and /stats are flows (``bot/flows/fairs.py``) reached through the one chat
handler; this module only gives them the outbox (``Deps.outbox``) and runs the delivery with
the application: the paced sender, the schedule/progress loop, and the budget set aside for
the replies to every incoming update (replies to people go before the fair).

Wiring (composition root)::

    register(application, outbox=outbox, staff_ctx=staff_ctx, storage=storage, rate=30.0)
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.adapters.telegram.broadcast import chain, make_sender, start_delivery, stop_delivery
from bot.broadcast import Outbox, Sender, SenderConfig
from bot.flows import ChatApp
from bot.staff import StaffContext
from bot.storage import Storage

RESERVE_GROUP = -9  # right after the inbox gate (-10): budget set aside for the replies to each update
REPLY_RESERVE = 1.5  # messages set aside per update (an answer is one message, sometimes two)
# Fair sends awaiting Telegram at once: enough for 30/s at a 0.25 s round trip, few enough that
# a reply never queues behind more than this many in the bot's rate limiter (bench/README.md).
IN_FLIGHT = 8
Context = ContextTypes.DEFAULT_TYPE


@dataclass
class Fairs:
    """The delivery side of fairs (``application.bot_data["fairs"]``)."""

    outbox: Outbox
    staff: StaffContext
    storage: Storage
    sender: Sender | None = None
    interval: float = 2.0
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)


def register(application: Application, *, outbox: Outbox, staff_ctx: StaffContext,
             storage: Storage, rate: float = 30.0, progress_interval: float = 2.0,
             sender_config: SenderConfig | None = None) -> None:
    """Give the flows the outbox; run the sender and the fair loop with the application.

    ``staff_ctx`` becomes the application's staff context (the composition root passes the one
    the application was built with), so roles are read the same way for every command.
    """
    app: ChatApp = application.bot_data["app"]
    app.deps.outbox, app.deps.staff = outbox, staff_ctx
    application.bot_data["staff"] = staff_ctx
    fx = Fairs(outbox, staff_ctx, storage, interval=progress_interval)
    fx.sender = sender = make_sender(application.bot, outbox, storage,
                                     sender_config or SenderConfig(rate=rate, max_in_flight=IN_FLIGHT))
    application.bot_data["fairs"] = fx

    async def reserve_for_replies(update: Update, _context: Context) -> None:
        """Replies to people go before the fair: the sender leaves them their share of 30/s."""
        if update.effective_user is not None:
            sender.reserve(REPLY_RESERVE)

    application.add_handler(TypeHandler(Update, reserve_for_replies), group=RESERVE_GROUP)

    async def start(app: Application) -> None:
        fx.tasks = start_delivery(app.bot, sender, outbox, storage, progress_interval)

    async def stop(_app: Application) -> None:
        await stop_delivery(sender, fx.tasks)
        fx.tasks = []

    application.post_init = chain(application.post_init, start)
    application.post_shutdown = chain(stop, application.post_shutdown)
