"""A photo, sticker, voice message or location: say only text is read, then ask again.

The reply repeats what the chat is waiting for, with its buttons: the open /fair question
for staff, else the interview's current screen (the core's ``resume``; after the results,
the 修改回答 / 重新开始 hint rather than the whole result again).
telegram_bot.py registers it for ``filters.UpdateType.MESSAGE & ~filters.TEXT``.
"""
from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.adapters.telegram_fair_draft import repeat_question
from bot.adapters.telegram_send import send_replies, send_text
from bot.adapters.telegram_services import chat_id_of, per_user, services
from bot.core import screens
from bot.core.render import text


def current_screen(conversation: Any, state: dict | None, as_of: Any) -> list[Any]:
    """The replies that show the interview's current screen again (none for a core without resume)."""
    if state and state.get("phase") == "done":
        return list(screens.current(state).replies)
    resume = getattr(conversation, "resume", None)
    return list(resume(state, as_of=as_of).replies) if resume else []


@per_user
async def on_other_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Only text is read: say so, then repeat the pending question with its buttons."""
    svc, user = services(context), update.effective_user
    if user is None:   # already deduplicated by skip_duplicates (group -1)
        return
    chat = chat_id_of(update)
    await send_text(context.bot, chat, text("telegram.not_text"))
    if await repeat_question(update, context, user.id):
        return
    await send_replies(context.bot, chat,
                       current_screen(svc.conversation, svc.load_state(user.id), svc.today()))
