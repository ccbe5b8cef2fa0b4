"""The one Telegram update handler: translate the update, call the chat app, send the turn.

Every message, command and button tap of every role goes through :func:`on_update`: it makes a
channel-neutral :class:`~bot.core.flow.Input`, asks :class:`~bot.flows.ChatApp` (the router of
every flow) for the turn, carries out the channel events (a file to send, a message to another
user, a command menu), sends the replies (then a fair's progress message below them), and
stores the chat's record with the update's "done" mark (inbox) — so a kill at any point
replays the update from the old record. A record the turn left as it was is not written.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import replace
from typing import Any

from telegram import Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.adapters.telegram import delivery
from bot.adapters.telegram.send import send_replies, send_text, with_retry
from bot.adapters.telegram.services import chat_id_of, per_user, user_of
from bot.core.flow import Input
from bot.core.render import text
from bot.core.replies import Turn
from bot.flows import ChatApp
from bot.flows.app import file_content

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 5 * 1024 * 1024   # spreadsheets and rules files; bigger ones are refused


def chat_app(context: ContextTypes.DEFAULT_TYPE) -> ChatApp:
    """The ChatApp built in the composition root."""
    app: ChatApp = context.application.bot_data["app"]
    return app


async def input_of(update: Update) -> Input:
    """What the user did, as the core sees it."""
    user = user_of(update)
    who = Input("other", user_id=user.id, chat_id=chat_id_of(update), name=user.full_name,
                ref=f"tg:{update.update_id}")
    query = update.callback_query
    if query is not None:
        return replace(who, kind="button", text=query.data or "")
    message = update.message
    if message is None:
        return who
    if message.text is not None:
        return replace(who, kind="command" if message.text.startswith("/") else "text",
                       text=message.text)
    document = message.document
    if document is not None and (document.file_size or 0) <= MAX_FILE_BYTES:
        found = await document.get_file()
        content = bytes(await found.download_as_bytearray())
        return replace(who, kind="file", text=message.caption or "",
                       file_name=document.file_name or "", file=content)
    return who


@per_user
async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handle one update of any kind for any role."""
    if update.callback_query is not None:
        with contextlib.suppress(BadRequest):   # replayed after a restart: the query is too old
            await update.callback_query.answer()
    app, running = chat_app(context), delivery.current()
    inp = await input_of(update)
    before = app.load(inp.user_id)
    turn = app.handle(inp, before)
    states = app.to_store(inp.user_id, turn, before)
    if running is None:   # outside the inbox (tests of single handlers): store first
        for key, record in states.items():
            app.deps.storage.save_conversation(key, record)
    try:
        await _channel_events(context, inp, turn)
        await send_replies(context.bot, inp.chat_id, turn.replies)
        await _after_replies(context, turn)
    except delivery.LeaseLost:
        raise
    except Exception:   # Telegram refused a reply: keep the new record, then apologise
        if running is not None:
            running.finish(states)
        raise
    if running is not None:
        running.finish(states)


async def _channel_events(context: ContextTypes.DEFAULT_TYPE, inp: Input, turn: Turn) -> None:
    """Files, messages to other users and command menus the turn asks for."""
    for event in turn.events:
        kind = event.get("type")
        if kind == "send_file":
            await _send_file(context, inp.chat_id, event)
        elif kind == "notify":
            await _notify(context, event)
        elif kind == "role_menu":   # the user's own menu, or (a role revoked) another user's
            from bot.adapters.telegram.menus import role_menu

            await role_menu(context.bot, int(event.get("chat_id") or inp.chat_id), str(event["role"]))


async def _after_replies(context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """Events shown below the replies: a fair's progress message (the fair loop then edits it)."""
    for event in turn.events:
        if event.get("type") == "fair_progress":
            await _fair_progress(context, event)


async def _fair_progress(context: ContextTypes.DEFAULT_TYPE, event: dict[str, Any]) -> None:
    """Open the progress message of a fair just started (a replay does not send it twice)."""
    from bot.adapters.telegram.broadcast import open_progress

    running = delivery.current()
    if running is not None and not running.should_send():
        return
    app = chat_app(context)
    await open_progress(context.bot, app.deps.outbox, int(event["fair_id"]), int(event["chat_id"]),
                        str(event["text"]))
    if running is not None:
        running.sent()


async def _send_file(context: ContextTypes.DEFAULT_TYPE, chat_id: int, event: dict[str, Any]) -> None:
    """Send a file (a ledger, a notice, a chart); a replay does not send it twice."""
    running = delivery.current()
    if running is not None and not running.should_send():
        return
    content = await asyncio.to_thread(file_content, event)   # a PDF or chart drawn off the loop
    name = str(event["name"])
    caption = str(event.get("caption") or "") or None
    if name.lower().endswith(".png") and event.get("photo"):
        await with_retry(lambda: context.bot.send_photo(chat_id, content, caption=caption))
    else:
        await with_retry(lambda: context.bot.send_document(chat_id, content, filename=name,
                                                           caption=caption))
    if running is not None:
        running.sent()


async def _notify(context: ContextTypes.DEFAULT_TYPE, event: dict[str, Any]) -> None:
    """A message to another user (a coordinator told about an applicant…); failures are logged."""
    try:
        await send_text(context.bot, int(event["chat_id"]), str(event["text"]),
                        event.get("buttons") or ())
    except TelegramError as error:
        log.info("could not tell chat %s: %s", event.get("chat_id"), error)


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
