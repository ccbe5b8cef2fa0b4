"""The Telegram bot (python-telegram-bot v22): the Application is built here and only here."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Sequence
from datetime import date, datetime
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

from telegram import BotCommand, Update
from telegram.error import InvalidToken
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.adapters.telegram.inbox import Inbox, InboxQueue
from bot.adapters.telegram.log_setup import setup_logging
from bot.adapters.telegram.menus import COMMANDS, admin_menus
from bot.adapters.telegram.reminders import reminder_loop
from bot.adapters.telegram.run import run
from bot.adapters.telegram.services import Services
from bot.config import Settings
from bot.core.render import text
from bot.flows import ChatApp, Deps
from bot.staff import StaffContext
from bot.storage import Storage, open_storage
from bot.storage.engine import private_dir

__all__ = ["COMMANDS", "build_application", "main"]

log = logging.getLogger(__name__)

REMINDER_INTERVAL = 60.0
INBOX_GROUP = -10  # first of all: every update is recorded and ordered before any handler sees it


def _clock(settings: Settings) -> Callable[[], date]:
    """Today's date in the users' time zone."""
    zone = ZoneInfo(settings.timezone)
    return lambda: datetime.now(zone).date()


def _default_conversation() -> ModuleType:
    """The real conversation core (imported late: tests inject their own)."""
    from bot.core import conversation

    return conversation




def _add_handlers(application: Application) -> None:
    """Wire every handler: the inbox first, then the one chat handler (errors end in an apology)."""
    from bot.adapters.telegram import chat

    inbox: Inbox = application.bot_data["inbox"]
    application.add_handler(TypeHandler(Update, inbox.gate), group=INBOX_GROUP)
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE, chat.on_update))
    application.add_handler(CallbackQueryHandler(chat.on_update))
    application.add_error_handler(chat.on_error)


async def _post_init(application: Application) -> None:
    """Register the command menu and start the reminder task."""
    commands = [BotCommand(name, text(f"telegram.command.{name}")) for name in COMMANDS]
    await application.bot.set_my_commands(commands)
    staff = application.bot_data.get("staff")
    if staff is not None:
        await admin_menus(application.bot, staff.admin_ids)
    app: ChatApp = application.bot_data["app"]
    app.deps.bot_username = application.bot.username or app.deps.bot_username
    inbox: Inbox = application.bot_data["inbox"]
    if "inbox_started" not in application.bot_data:
        application.bot_data["inbox_started"] = True
        inbox.start()
    svc: Services = application.bot_data["services"]
    interval = application.bot_data.get("reminder_interval", REMINDER_INTERVAL)
    if interval:
        application.bot_data["reminder_task"] = asyncio.create_task(
            reminder_loop(application.bot, svc.storage, svc.today, interval))


async def _post_shutdown(application: Application) -> None:
    """Stop the inbox sweep and the reminder task."""
    inbox: Inbox = application.bot_data["inbox"]
    await inbox.stop()
    application.bot_data.pop("inbox_started", None)
    task = application.bot_data.pop("reminder_task", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _staff_context(settings: Settings, storage: Storage) -> StaffContext | None:
    """The staff services on the storage's database (None for a storage without an engine).

    The staff tables are there: opening the SQL storage migrated the database to head.
    """
    engine = getattr(storage, "engine", None)
    if engine is None:
        return None
    return StaffContext(engine=engine, admin_ids=settings.admin_ids)


def build_application(settings: Settings, storage: Storage, conversation: Any = None, *,
                      today: Callable[[], date] | None = None,
                      request: BaseRequest | None = None,
                      get_updates_request: BaseRequest | None = None,
                      rate_limit: bool = True,
                      reminder_interval: float = REMINDER_INTERVAL,
                      forget_hooks: Sequence[Callable[[int], Any]] = (),
                      staff: StaffContext | None = None) -> Application:
    """Build the one Application from settings, storage and the conversation core.

    ``forget_hooks`` are called with the user id after /delete erased the storage rows, so
    other parts (broadcasts) erase theirs; the staff tables are erased by the app itself. ``staff``
    defaults to a StaffContext on the storage's engine with ``settings.admin_ids``.
    """
    queue = InboxQueue()
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (ApplicationBuilder().token(settings.bot_token or "").update_queue(queue)
               .concurrent_updates(256).post_init(_post_init).post_shutdown(_post_shutdown))
    if settings.telegram_api_base_url:
        base = settings.telegram_api_base_url.rstrip("/")
        builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    if request is not None:
        builder = builder.request(request).get_updates_request(get_updates_request or request)
    application = builder.build()
    queue.inbox = application.bot_data["inbox"] = Inbox(application, storage)
    staff = staff or _staff_context(settings, storage)
    application.bot_data["staff"] = staff
    application.bot_data["services"] = Services(storage, today or _clock(settings))
    application.bot_data["app"] = ChatApp(Deps(
        storage, staff, today or _clock(settings), conversation or _default_conversation(),
        forget_hooks=tuple(forget_hooks)))
    application.bot_data["reminder_interval"] = reminder_interval
    _add_handlers(application)
    return application


def main(settings: Settings) -> int:
    """Run the bot until stopped (webhook when WEBHOOK_URL is set, else polling)."""
    if not settings.bot_token:
        print(text("telegram.no_token"))
        return 0
    setup_logging(settings.bot_token)
    os.umask(0o077)  # every file the bot writes (database, ledgers) is the owner's only
    private_dir(settings.data_dir)
    from bot.adapters.telegram.fairs import register as register_fairs
    from bot.broadcast import open_outbox

    storage = open_storage(settings.database_url)
    outbox = open_outbox(settings.database_url)
    application = build_application(settings, storage, forget_hooks=(outbox.forget_user,))
    register_fairs(application, outbox=outbox, staff_ctx=application.bot_data["staff"], storage=storage,
                   rate=settings.broadcast_rate)
    from bot.core.clock import today
    from bot.core.warmup import warm_up

    warm_up(today())
    try:
        run(application, settings)
    except InvalidToken:
        print(text("telegram.bad_token"))
        return 1
    finally:
        outbox.close()
        storage.close()
    return 0
