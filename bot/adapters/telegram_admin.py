"""Admin commands in Telegram: /invite (one-time deep links), /invites (list, withdraw); redemption."""
from __future__ import annotations

import logging
from datetime import datetime

from telegram import Bot, BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.adapters.telegram_send import Choice
from bot.adapters.telegram_services import chat_id_of, user_id_of
from bot.adapters.telegram_staff import (
    PREFIX,
    ROLE_COMMANDS,
    args_of,
    bot_username,
    privileged,
    say,
    staff_of,
)
from bot.core.clock import CHINA
from bot.core.errors import InputError
from bot.core.render import text
from bot.staff import (
    ADMIN,
    COORDINATOR,
    STAFF,
    cancel_invite,
    create_invite,
    invite_link,
    is_link_token,
    pending_invites,
    redeem_invite,
    redeem_link,
    welcome_text,
)

log = logging.getLogger(__name__)
CANCEL = f"{PREFIX}inv:"


def local_time(moment: datetime) -> str:
    """A UTC moment as China time, 2026年11月29日 20:00."""
    local = moment.astimezone(CHINA)
    return text("tgstaff.when", day=local.date(), time=local.strftime("%H:%M"))


def _places(words: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Staff places from ``马边,乐山市`` or separate words: cities end in 市, the rest are counties."""
    items = [p.strip() for word in words for p in word.replace("，", ",").replace("、", ",").split(",")]
    items = [p for p in items if p]
    return (tuple(p for p in items if not p.endswith("市")),
            tuple(p for p in items if p.endswith("市")))


@privileged(ADMIN)
async def on_invite(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/invite coordinator <县> <村> | /invite staff <县或市>[,…] -> a one-time deep link."""
    args, admin_id = args_of(context), user_id_of(update)
    kind = args[0].lower() if args else ""
    if kind == COORDINATOR and len(args) >= 3:
        invite = create_invite(staff_of(context), admin_id, COORDINATOR, county=args[1],
                               village=" ".join(args[2:]))
    elif kind == STAFF and len(args) >= 2:
        counties, cities = _places(args[1:])
        invite = create_invite(staff_of(context), admin_id, STAFF, counties=counties, cities=cities)
    else:
        await say(update, context, text("tgstaff.invite.usage"))
        return
    username = await bot_username(context)
    await say(update, context, text(
        "tgstaff.invite.link", link=invite_link(username, invite.token), role=invite.role,
        place=f"{invite.county or ''}{invite.village or ''}",
        places=text("staff.list_separator").join(invite.counties + invite.cities),
        until=local_time(invite.expires_at)))


@privileged(ADMIN)
async def on_invites(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/invites: the open invites, each with a button to withdraw it."""
    pending = pending_invites(staff_of(context), user_id_of(update))
    if not pending:
        await say(update, context, text("tgstaff.invites.none"))
        return
    lines, buttons = [], []
    for number, item in enumerate(pending, 1):
        places = (f"{item.county}{item.village}" if item.village
                  else text("staff.list_separator").join(item.counties + item.cities))
        lines.append(text("tgstaff.invites.item", n=number, role=text(f"staff.role.{item.role}"),
                          places=places, until=local_time(item.expires_at)))
        buttons.append([Choice(text("tgstaff.invites.cancel", n=number), CANCEL + item.ref)])
    await say(update, context, "\n".join(lines), buttons)


async def on_cancel_button(update: Update, context: ContextTypes.DEFAULT_TYPE, ref: str) -> None:
    """Withdraw an invite (the service checks the admin role)."""
    cancel_invite(staff_of(context), user_id_of(update), ref)
    await say(update, context, text("tgstaff.invites.cancelled"))


async def redeem(update: Update, context: ContextTypes.DEFAULT_TYPE, token: str) -> None:
    """/start <invite token>: take the role, welcome, and show the role's commands in the menu."""
    user_id = user_id_of(update)
    if is_link_token(token):
        await bind_applicant(update, context, token)
        return
    try:
        grant = redeem_invite(staff_of(context), user_id, token)
    except InputError as error:
        await say(update, context, error.zh)
        return
    await say(update, context, text("tgstaff.welcome", who=welcome_text(grant)))
    await _role_menu(context, chat_id_of(update), grant.role)


async def bind_applicant(update: Update, context: ContextTypes.DEFAULT_TYPE, token: str) -> None:
    """/start <applicant link>: bind the worker's account to their record and welcome them."""
    try:
        person = redeem_link(staff_of(context), user_id_of(update), token)
    except InputError as error:
        await say(update, context, error.zh)
        return
    await say(update, context, text("tgstaff.link.welcome", name=person.name,
                                    county=person.county, village=person.village))


async def _role_menu(context: ContextTypes.DEFAULT_TYPE, chat_id: int, role_name: str) -> None:
    """The command menu of this chat: the worker's commands plus the role's."""
    await role_menu(context.bot, chat_id, role_name)


async def role_menu(bot: Bot, chat_id: int, role_name: str) -> None:
    """Set the chat's menu to the worker's commands plus the role's (failures only logged)."""
    from bot.adapters.telegram_bot import COMMANDS

    commands = [BotCommand(name, text(f"telegram.command.{name}")) for name in COMMANDS]
    commands += [BotCommand(name, text(f"tgstaff.command.{name}")) for name in ROLE_COMMANDS[role_name]]
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    except TelegramError as error:  # e.g. an admin who never opened the chat; /help still works
        log.info("no menu for chat %s: %s", chat_id, error)


async def admin_menus(bot: Bot, admin_ids: frozenset[int]) -> None:
    """At start: the admins' menus (admins come from settings, not from an invite)."""
    for admin_id in sorted(admin_ids):
        await role_menu(bot, admin_id, ADMIN)
