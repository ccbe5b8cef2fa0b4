"""Turn core replies into Telegram messages: plain text, split at 4096, inline keyboards."""
from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, NamedTuple, TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError

from bot.adapters.telegram import delivery

log = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
RETRIES = 3
RETRY_DELAY = 0.2  # seconds, doubled per attempt
T = TypeVar("T")


class Choice(NamedTuple):
    """An adapter-level button (same shape as the core's ``Button``)."""

    label: str
    data: str


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters, at line ends where possible."""
    text = text.strip() or "…"
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip("\n")
    pieces.append(text)
    return [piece for piece in pieces if piece]


def keyboard(rows: Sequence[Sequence[Any]]) -> InlineKeyboardMarkup | None:
    """An inline keyboard from rows of core ``Button``s; buttons with over-long data are dropped."""
    markup_rows = []
    for row in rows:
        buttons = []
        for button in row:
            if len(button.data.encode("utf-8")) > MAX_CALLBACK_DATA or not button.data:
                log.error("callback data too long or empty, button dropped: %r", button.data)
                continue
            buttons.append(InlineKeyboardButton(button.label[:64] or "…", callback_data=button.data))
        if buttons:
            markup_rows.append(buttons)
    return InlineKeyboardMarkup(markup_rows) if markup_rows else None


async def with_retry(call: Callable[[], Awaitable[T]], attempts: int = RETRIES) -> T:
    """Await ``call()``, retrying network failures (not rejected requests) with a short backoff."""
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except (BadRequest, Forbidden):
            raise
        except NetworkError:
            if attempt == attempts:
                raise
            log.warning("network error, retry %d/%d", attempt, attempts - 1)
            await asyncio.sleep(RETRY_DELAY * 2 ** attempt)
    raise AssertionError("unreachable")


async def send_text(bot: Bot, chat_id: int, text: str, buttons: Sequence[Sequence[Any]] = ()) -> None:
    """Send ``text`` (split if long) with the buttons under the last piece.

    Inside an inbox update each piece is counted: a replay skips the pieces already sent.
    """
    pieces = split_text(text)
    markup = keyboard(buttons)
    running = delivery.current()
    for index, piece in enumerate(pieces):
        if running is not None and not running.should_send():
            continue  # a replay after a crash: the user has this message already
        last = index == len(pieces) - 1
        await with_retry(functools.partial(bot.send_message, chat_id, piece,
                                           reply_markup=markup if last else None))
        if running is not None:
            running.sent()


async def send_replies(bot: Bot, chat_id: int, replies: Sequence[Any]) -> None:
    """Send every core ``Reply`` in order."""
    for reply in replies:
        await send_text(bot, chat_id, reply.text, reply.buttons)
