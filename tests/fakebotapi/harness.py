"""Drive a built Application in-process: updates from the fake API, replies recorded by it."""
from __future__ import annotations

from datetime import date
from typing import Any, Self

from telegram import Update
from telegram.ext import Application

from bot.adapters.telegram.app import build_application
from bot.config import Settings
from bot.storage import Storage

from .api import TOKEN, FakeBotApi
from .offline import OfflineRequest


class OfflineBot:
    """The real Application with an offline request class; one call per user action."""

    def __init__(self, storage: Storage, conversation: Any = None, as_of: date = date(2026, 11, 22),
                 api: FakeBotApi | None = None, **options: Any) -> None:
        """Build the Application around ``api`` (a fresh FakeBotApi by default)."""
        self.api = api or FakeBotApi()
        self.as_of = as_of
        settings = Settings(bot_token=TOKEN, database_url="unused", telegram_api_base_url=None)
        self.application: Application = build_application(
            settings, storage, conversation, today=lambda: self.as_of,
            request=OfflineRequest(self.api), get_updates_request=OfflineRequest(self.api),
            rate_limit=False, reminder_interval=0, **options)

    async def __aenter__(self) -> Self:
        await self.application.initialize()
        await self.application.post_init(self.application)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.application.post_shutdown(self.application)
        await self.application.shutdown()

    async def process(self, raw: dict) -> list[str]:
        """Process one raw update; return the texts sent to its user because of it."""
        user_id = (raw.get("message") or raw.get("callback_query"))["from"]["id"]
        before = len(self.api.sent(user_id))
        await self.application.process_update(Update.de_json(raw, self.application.bot))
        return self.api.replies_to(user_id)[before:]

    async def send(self, user_id: int, text: str) -> list[str]:
        """The user types ``text``."""
        return await self.process(self.api.push_text(user_id, text))

    async def tap(self, user_id: int, data: str) -> list[str]:
        """The user taps the button carrying ``data``."""
        return await self.process(self.api.push_callback(user_id, data))

    def last_buttons(self, user_id: int) -> list[dict]:
        """The buttons under the last message sent to the user that had any."""
        for params in reversed(self.api.sent(user_id)):
            markup = params.get("reply_markup")
            if markup:
                return [button for row in markup["inline_keyboard"] for button in row]
        return []
