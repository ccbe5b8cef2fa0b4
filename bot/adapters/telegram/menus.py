"""The command menu of each chat: the worker's commands, plus a privileged role's."""
from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.core.render import text
from bot.flows.start import ROLE_COMMANDS
from bot.staff import ADMIN

# The worker's commands, in the menu of every chat (a role adds its own: ROLE_COMMANDS).
COMMANDS = ("start", "back", "restart", "review", "claims", "notice", "help", "subscribe", "unsubscribe",
            "me", "delete")

log = logging.getLogger(__name__)


async def role_menu(bot: Bot, chat_id: int, role_name: str) -> None:
    """Set the chat's menu to the worker's commands plus the role's (failures only logged)."""

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
