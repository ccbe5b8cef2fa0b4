"""Handlers that pass the user's input to the conversation core and show its replies."""
from __future__ import annotations

import contextlib
import logging
from typing import Any

from telegram import Update, User
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.adapters import telegram_account as account
from bot.adapters import telegram_delivery as delivery
from bot.adapters import telegram_staff_routes as staff_routes
from bot.adapters.telegram_reminders import store_reminders
from bot.adapters.telegram_send import send_replies, send_text
from bot.adapters.telegram_services import chat_id_of, conversation_key, per_user, services
from bot.core.render import text

log = logging.getLogger(__name__)

CORE_COMMANDS = ("back", "restart", "review", "help")


async def apply_turn(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Any) -> None:
    """Act on the turn's events, send its replies and store its state.

    From the inbox (the bot), the state is stored with the "done" mark in one transaction after
    the replies: a crash before it replays the update from the old state, and the replies
    already sent are skipped (see ``telegram_delivery``). Outside it the state is saved first.
    """
    svc, running = services(context), delivery.current()
    user_id, chat_id = _user(update).id, chat_id_of(update)
    if running is None:
        svc.save_state(user_id, turn.state)
    for event in turn.events:
        if event.get("type") == "reminders_accepted":
            store_reminders(svc.storage, user_id, chat_id, event)  # idempotent: safe to replay
    try:
        await send_replies(context.bot, chat_id, turn.replies)
        if any(event.get("type") == "subscribe" for event in turn.events):
            await account.subscribe_from_answers(update, context, turn.state)
    except delivery.LeaseLost:
        raise
    except Exception:  # Telegram refused a reply: keep the state (as before), then apologise
        if running is not None:
            running.finish({conversation_key(user_id): turn.state})
        raise
    if running is not None:
        running.finish({conversation_key(user_id): turn.state})


def _user(update: Update) -> User:
    """The update's user (``per_user`` handlers only run for updates that have one)."""
    assert update.effective_user is not None
    return update.effective_user


def _typed(update: Update) -> str:
    """The text of the update's message (the text handlers only see messages with text)."""
    assert update.message is not None
    return update.message.text or ""


def _state(context: ContextTypes.DEFAULT_TYPE, update: Update) -> dict | None:
    """The stored interview state of the update's user."""
    return services(context).load_state(_user(update).id)


@per_user
async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet the user and start (or resume) the interview; keep the deep-link payload."""
    svc, user = services(context), _user(update)
    payload = context.args[0][:64] if context.args else None
    staff_routes.leave_mode(context, user.id)
    svc.storage.upsert_user(user.id, chat_id_of(update), user.full_name, payload)
    account.clear_pending(svc, user.id)
    turn = svc.conversation.start(_state(context, update), as_of=svc.today(), payload=payload)
    await apply_turn(update, context, turn)


@per_user
async def on_core_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Pass /back, /restart, /review and /help to the conversation core (or the applicant's)."""
    svc, user_id = services(context), _user(update).id
    command = _typed(update).split()[0].split("@")[0]
    role_help = staff_routes.staff_help(context, user_id) if command == "/help" else None
    if role_help:
        await send_text(context.bot, chat_id_of(update), role_help)
        return
    if command != "/help" and await staff_routes.mode_text(update, context, command):
        return
    account.clear_pending(svc, user_id)
    turn = svc.conversation.handle_text(_state(context, update), command, as_of=svc.today())
    await apply_turn(update, context, turn)


@per_user
async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a typed message: a coordinator's open flow, a pending question, else the interview."""
    if await staff_routes.mode_text(update, context, _typed(update)):
        return
    if await account.answer_pending(update, context):
        return
    svc, message = services(context), _typed(update)
    turn = svc.conversation.handle_text(_state(context, update), message, as_of=svc.today())
    await apply_turn(update, context, turn)


@per_user
async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a tapped button: adapter buttons here, the rest through the core."""
    query, svc = update.callback_query, services(context)
    assert query is not None  # CallbackQueryHandler
    with contextlib.suppress(BadRequest):  # replayed after a restart: the query is too old
        await query.answer()
    data = query.data or ""
    if data.startswith(staff_routes.PREFIX):
        await staff_routes.on_staff_button(update, context, data)
        return
    if data and not data.startswith(account.PREFIX) and await staff_routes.mode_button(
            update, context, data):
        return
    account.clear_pending(svc, _user(update).id)  # a tap means they moved on
    if data.startswith(account.PREFIX):
        await account.on_account_button(update, context, data)
        return
    if not data:
        await send_text(context.bot, chat_id_of(update), text("telegram.stale_button"))
        return
    turn = svc.conversation.handle_button(_state(context, update), data, as_of=svc.today())
    await apply_turn(update, context, turn)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure and apologise to the user in one short sentence."""
    if isinstance(context.error, delivery.LeaseLost):
        log.warning("update %s left to the process that took its user over", context.error)
        return
    log.error("update failed: %r", context.error, exc_info=context.error)
    if isinstance(update, Update) and (update.effective_chat or update.effective_user):
        try:
            await send_text(context.bot, chat_id_of(update), text("telegram.error"))
        except Exception:
            log.exception("could not send the apology")
