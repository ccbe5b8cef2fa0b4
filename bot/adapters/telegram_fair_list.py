"""/fairs: the latest fairs with their send time and reach; 取消 for a fair not yet sending.

Cancelling asks first (确定取消 / 不取消); the outbox cancels only a fair that has not started,
so a cancelled fair never gets recipients (``Outbox.cancel_unsent`` and ``Outbox.enqueue``).
"""
from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.adapters.telegram_fairs import Context, Fairs, allowed, staff_only
from bot.adapters.telegram_send import Choice, send_text
from bot.adapters.telegram_services import button_data, chat_id_of
from bot.broadcast import Fair
from bot.broadcast.fair_when import shown_when
from bot.core.render import text
from bot.staff import ADMIN
from bot.staff.models import stored_id

PREFIX = "fairl:"
UNSENT = ("draft", "scheduled")


def _item(fx: Fairs, fair: Fair) -> str:
    """One fair of the list: title, status, start, send time when scheduled, delivery counts."""
    send_at = shown_when(fair.send_at) if fair.status == "scheduled" and fair.send_at else ""
    return text("fairs.list_item", id=fair.id, title=fair.title, starts_at=shown_when(fair.starts_at),
                status=text(f"fairs.status.{fair.status}"), send_at=send_at,
                **fx.outbox.progress(stored_id(fair.id)))


@staff_only
async def on_fairs(update: Update, context: Context, fx: Fairs, user_id: int) -> None:
    """/fairs: the latest fairs; a 取消 button under each scheduled one."""
    grant = allowed(fx, user_id, "fair.list")
    fairs = fx.outbox.fairs(None if grant.role == ADMIN else user_id)
    buttons = [[Choice(text("fairs.button.unschedule", id=f.id), f"{PREFIX}ask:{f.id}")]
               for f in fairs if f.status == "scheduled"]
    body = "\n\n".join(_item(fx, f) for f in fairs) or text("fairs.list_empty")
    await send_text(context.bot, chat_id_of(update), body, buttons)


def _own_unsent(fx: Fairs, user_id: int, ref: str, role: str) -> Fair | None:
    """The fair the button names, when it is the user's (or they are admin) and not sending yet."""
    fair = fx.outbox.get_fair(int(ref)) if ref.isdigit() else None
    if fair is None or fair.status not in UNSENT or (fair.created_by != user_id and role != ADMIN):
        return None
    return fair


@staff_only
async def on_list_button(update: Update, context: Context, fx: Fairs, user_id: int) -> None:
    """取消 (ask), 确定取消 (cancel) or 不取消 under /fairs."""
    grant = allowed(fx, user_id, "fair.button")
    action, _, ref = button_data(update).removeprefix(PREFIX).partition(":")
    chat = chat_id_of(update)
    fair = _own_unsent(fx, user_id, ref, grant.role)
    if action == "keep":
        await send_text(context.bot, chat, text("fairs.kept"))
    elif fair is None:
        await send_text(context.bot, chat, text("fairs.too_late"))
    elif action == "ask":
        when = shown_when(fair.send_at) if fair.send_at else ""
        await send_text(context.bot, chat, text("fairs.confirm_cancel", title=fair.title, when=when), [[
            Choice(text("fairs.button.cancel_yes"), f"{PREFIX}yes:{fair.id}"),
            Choice(text("fairs.button.cancel_no"), f"{PREFIX}keep:{fair.id}")]])
    elif action == "yes":
        allowed(fx, user_id, "fair.cancel", f"fair:{fair.id}")
        cancelled = fx.outbox.cancel_unsent(stored_id(fair.id))
        await send_text(context.bot, chat, text("fairs.cancelled" if cancelled else "fairs.too_late"))
    else:
        await send_text(context.bot, chat, text("telegram.stale_button"))


def register(application: Application, group: int) -> None:
    """Add /fairs and its buttons (called by ``telegram_fairs.register``)."""
    application.add_handler(CommandHandler("fairs", on_fairs), group=group)
    application.add_handler(CallbackQueryHandler(on_list_button, pattern=f"^{PREFIX}"), group=group)
