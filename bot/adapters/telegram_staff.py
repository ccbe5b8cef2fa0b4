"""Staff plumbing for Telegram: the StaffContext, role checks on every call, the staff chat mode."""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Engine, delete
from sqlmodel import col
from telegram import Update
from telegram.ext import ContextTypes

from bot.adapters.telegram_send import send_text
from bot.adapters.telegram_services import (
    Handler,
    Services,
    chat_id_of,
    per_user,
    services,
    user_id_of,
)
from bot.core.errors import InputError
from bot.core.render import text
from bot.staff import (
    ADMIN,
    COORDINATOR,
    STAFF,
    WORKER,
    Applicant,
    PermissionDenied,
    StaffContext,
    get_applicant,
    role_of,
)

log = logging.getLogger(__name__)

PREFIX = "stf:"
MODE_KEY = "tgstaff:"
ROLE_COMMANDS = {  # fair, fairs, stats: bot/adapters/telegram_fairs.py
    ADMIN: ("invite", "invites", "applicants", "ledger", "fair", "fairs", "stats"),
    STAFF: ("applicants", "ledger", "fair", "fairs", "stats"),
    COORDINATOR: ("apply", "applicants", "service", "ledger", "done"),
    WORKER: (),
}


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


def mode_key(user_id: int) -> str:
    """Storage key of what a coordinator is doing in the chat (registering, on behalf…)."""
    return f"{MODE_KEY}{user_id}"


def mode(svc: Services, user_id: int) -> dict:
    """The user's staff chat mode ({} when none), from the database."""
    return svc.storage.load_conversation(mode_key(user_id)) or {}


def set_mode(svc: Services, user_id: int, value: dict) -> None:
    """Store the staff chat mode (an empty dict ends it)."""
    if value or mode(svc, user_id):
        svc.storage.save_conversation(mode_key(user_id), value)


def forget_mode(engine: Engine) -> Callable[[int], None]:
    """A /delete hook erasing the staff chat mode row (storage's delete_user knows only its keys)."""
    from bot.storage.tables import ConversationRow

    def hook(user_id: int) -> None:
        """Delete the user's staff mode row."""
        with engine.begin() as connection:
            connection.execute(delete(ConversationRow).where(
                col(ConversationRow.key) == mode_key(user_id)))

    return hook


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


def help_text(user_role: str) -> str:
    """The commands of the role, one per line, with the worker's own at the end."""
    lines = [text("tgstaff.help.head", role=text(f"staff.role.{user_role}"))]
    lines += [text("tgstaff.help.line", command=name, words=text(f"tgstaff.command.{name}"))
              for name in ROLE_COMMANDS[user_role]]
    lines.append(text("tgstaff.help.worker"))
    return "\n".join(lines)


def args_of(context: ContextTypes.DEFAULT_TYPE) -> list[str]:
    """The command's arguments."""
    return list(context.args or [])


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The worker-side Services (storage, clock)."""
    return services(context)


def today(context: ContextTypes.DEFAULT_TYPE) -> date:
    """Today in the users' time zone (the bot's clock)."""
    return services_of(context).today()


def own_applicant(context: ContextTypes.DEFAULT_TYPE, user_id: int, applicant_id: int,
                  action: str) -> Applicant:
    """The applicant if ``user_id`` is their coordinator; staff and admins only read, so are refused."""
    person = get_applicant(staff_of(context), user_id, applicant_id)
    if person.coordinator_id != user_id:
        raise PermissionDenied(action)
    return person
