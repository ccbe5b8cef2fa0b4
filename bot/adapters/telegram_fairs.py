"""Staff commands /fair, /fairs and /stats: shared services, the staff check, the wiring.

Wiring (composition root)::

    outbox, staff_ctx = open_fairs(settings, storage)
    register(application, outbox=outbox, staff_ctx=staff_ctx, storage=storage, rate=30.0)
"""
from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from telegram import Message, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.adapters import telegram_stats as stats
from bot.adapters.telegram_broadcast import (
    chain,
    make_sender,
    start_delivery,
    stop_delivery,
)
from bot.adapters.telegram_send import send_text
from bot.adapters.telegram_services import (
    Handler,
    chat_id_of,
    services,
)
from bot.broadcast import Outbox, Sender, SenderConfig, open_outbox
from bot.config import Settings
from bot.core.errors import InputError
from bot.staff import (
    ADMIN,
    STAFF,
    Grant,
    StaffContext,
    require,
)
from bot.staff.audit import record
from bot.storage import Storage

GROUP = -5          # before the dedupe group (-1): our handlers dedupe themselves
RESERVE_GROUP = -9  # right after the inbox gate (-10): budget set aside for the replies to each update
REPLY_RESERVE = 1.5  # messages set aside per update (an answer is one message, sometimes two)
# Fair sends awaiting Telegram at once: enough for 30/s at a 0.25 s round trip, few enough that
# a reply never queues behind more than this many in the bot's rate limiter (bench/README.md).
IN_FLIGHT = 8
Context = ContextTypes.DEFAULT_TYPE


@dataclass
class Fairs:
    """What the fair handlers share (``application.bot_data["fairs"]``)."""

    outbox: Outbox
    staff: StaffContext
    storage: Storage
    sender: Sender | None = None
    interval: float = 2.0
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)


# A fair handler: the update, its context, the shared services and the sender's user id.
FairHandler = Callable[[Update, Context, Fairs, int], Coroutine[Any, Any, None]]


def open_fairs(settings: Settings, storage: Storage) -> tuple[Outbox, StaffContext]:
    """The outbox and staff context on the bot's database (migrated by ``open_storage``)."""
    engine: Engine | None = getattr(storage, "engine", None)
    if engine is None:
        raise TypeError("fairs need the SQL storage")
    staff_ctx = StaffContext(engine=engine, admin_ids=settings.admin_ids)
    return open_outbox(settings.database_url), staff_ctx


def fairs_of(context: Context) -> Fairs:
    """The shared fair services."""
    fx: Fairs = context.application.bot_data["fairs"]
    return fx


def allowed(fx: Fairs, user_id: int, action: str, target: str = "",
            detail: dict[str, Any] | None = None) -> Grant:
    """The staff/admin grant of the user (checked on every call); audited when ``target`` given."""
    with fx.staff.transaction() as session:
        grant = require(session, fx.staff, user_id, STAFF, ADMIN, action=action)
        if target:
            record(session, fx.staff, user_id, action, target, detail)
        return grant


def staff_only(handler: FairHandler) -> Handler:
    """Once per update (dedupe), under the user's lock, refused to non-staff; stops other groups."""

    @functools.wraps(handler)
    async def wrapped(update: Update, context: Context) -> None:
        svc, user = services(context), update.effective_user
        if user is None or not svc.storage.mark_update_processed(update.update_id):
            raise ApplicationHandlerStop
        async with svc.lock(user.id):
            if update.callback_query:
                await update.callback_query.answer()
            try:
                await handler(update, context, fairs_of(context), user.id)
            except InputError as error:  # PermissionDenied included: nothing was changed
                await send_text(context.bot, chat_id_of(update), error.zh)
        raise ApplicationHandlerStop

    return wrapped



@staff_only
async def on_stats(update: Update, context: Context, fx: Fairs, user_id: int) -> None:
    """/stats: interviews, claimable subsidies and broadcasts of the staff's places."""
    grant = allowed(fx, user_id, "stats.read", "stats")
    body = await asyncio.to_thread(stats.stats_text, fx, grant, services(context).today())
    await send_text(context.bot, chat_id_of(update), body)


class _HasDraft(filters.MessageFilter):
    """Messages from a user with an open /fair draft (looked up in the DB)."""

    def __init__(self, outbox: Outbox) -> None:
        super().__init__(name="has_fair_draft")
        self.outbox = outbox

    def filter(self, message: Message) -> bool:
        return message.from_user is not None and self.outbox.get_draft(message.from_user.id) is not None


def register(application: Application, *, outbox: Outbox, staff_ctx: StaffContext,
             storage: Storage, rate: float = 30.0, progress_interval: float = 2.0,
             sender_config: SenderConfig | None = None) -> None:
    """Add /fair, /fairs, /stats and the fair buttons; run the sender with the application."""
    fx = Fairs(outbox, staff_ctx, storage, interval=progress_interval)
    fx.sender = sender = make_sender(application.bot, outbox, storage,
                                     sender_config or SenderConfig(rate=rate, max_in_flight=IN_FLIGHT))
    application.bot_data["fairs"] = fx

    async def reserve_for_replies(update: Update, _context: Context) -> None:
        """Replies to people go before the fair: the sender leaves them their share of 30/s."""
        if update.effective_user is not None:
            sender.reserve(REPLY_RESERVE)

    application.add_handler(TypeHandler(Update, reserve_for_replies), group=RESERVE_GROUP)
    from bot.adapters import telegram_fair_draft as draft  # it builds on this module's helpers
    from bot.adapters import telegram_fair_list

    application.add_handler(CommandHandler("fair", draft.on_fair), group=GROUP)
    application.add_handler(CommandHandler("stats", on_stats), group=GROUP)
    application.add_handler(CallbackQueryHandler(draft.on_fair_button, pattern=f"^{draft.PREFIX}"),
                            group=GROUP)
    application.add_handler(MessageHandler(
        filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & _HasDraft(outbox),
        draft.on_draft_text), group=GROUP)
    telegram_fair_list.register(application, GROUP)

    async def start(app: Application) -> None:
        fx.tasks = start_delivery(app.bot, sender, outbox, storage, progress_interval)

    async def stop(_app: Application) -> None:
        await stop_delivery(sender, fx.tasks)
        fx.tasks = []

    application.post_init = chain(application.post_init, start)
    application.post_shutdown = chain(stop, application.post_shutdown)
