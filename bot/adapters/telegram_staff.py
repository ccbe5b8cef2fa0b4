"""What the remaining old-style admin handlers (/invite, /invites: telegram_admin.py) still use.

Everything else a coordinator, HR staff or an admin does is a flow (``bot/flows``); this module
goes once /invite and /invites are flows too.
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.adapters.telegram_send import send_text
from bot.adapters.telegram_services import Handler, chat_id_of, per_user, user_id_of
from bot.core.errors import InputError
from bot.core.render import text
from bot.flows.start import ROLE_COMMANDS
from bot.staff import WORKER, StaffContext, role_of

__all__ = ["PREFIX", "ROLE_COMMANDS", "answer_errors", "args_of", "bot_username", "privileged",
           "say", "staff_of"]

log = logging.getLogger(__name__)

PREFIX = "stf:"   # the old staff buttons; only /invites' 作废 is left


def staff_ctx(context: ContextTypes.DEFAULT_TYPE) -> StaffContext | None:
    """The StaffContext built in the composition root (None when the storage has no engine)."""
    ctx: StaffContext | None = context.application.bot_data.get("staff")
    return ctx


def staff_of(context: ContextTypes.DEFAULT_TYPE) -> StaffContext:
    """The StaffContext, for handlers that only run for a staff role (which needs one)."""
    ctx = staff_ctx(context)
    if ctx is None:
        raise RuntimeError("staff services are not configured")
    return ctx


async def bot_username(context: ContextTypes.DEFAULT_TYPE) -> str:
    """The bot's @username (for t.me deep links); every bot account has one."""
    me = await context.bot.get_me()
    if not me.username:
        raise RuntimeError("the bot has no username")
    return me.username


def role(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> str:
    """The user's role, read from the database on every call (worker without staff services)."""
    ctx = staff_ctx(context)
    return role_of(ctx, user_id).role if ctx is not None else WORKER


async def say(update: Update, context: ContextTypes.DEFAULT_TYPE, message: str,
              buttons: Sequence[Sequence[Any]] = ()) -> None:
    """Answer in the update's chat."""
    await send_text(context.bot, chat_id_of(update), message, buttons)


def privileged(*roles: str) -> Callable[[Handler], Handler]:
    """Run the handler only for ``roles`` (checked now, in the database); refusals change nothing.

    The services check again inside; any InputError they raise is answered in its Chinese words.
    """

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def checked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            """Refuse other roles, else run the handler and word its refusals."""
            if role(context, user_id_of(update)) not in roles:
                await say(update, context, text("staff.denied"))
                return
            await answer_errors(handler, update, context)

        return per_user(checked)

    return wrap


async def answer_errors(handler: Handler, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Run ``handler``; an InputError (PermissionDenied included) becomes its Chinese sentence."""
    try:
        await handler(update, context)
    except InputError as error:
        log.info("staff call refused: %s", error.en)
        await say(update, context, error.zh)


def args_of(context: ContextTypes.DEFAULT_TYPE) -> list[str]:
    """The command's arguments."""
    return list(context.args or [])
