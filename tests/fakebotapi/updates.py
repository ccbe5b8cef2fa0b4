"""Updates a test feeds to the bot through the fake Bot API (as Telegram would send them)."""
from __future__ import annotations

import itertools
import time
import uuid
from typing import Any

_sticker_ids = itertools.count(1)


class UpdateFactory:
    """Mixin of FakeBotApi: build updates for a user and queue them for getUpdates."""

    users: dict[int, dict]

    def user(self, user_id: int, first_name: str = "小王") -> dict:
        """The user (registered, so the bot may message their private chat)."""
        if user_id not in self.users:
            self.users[user_id] = {"id": user_id, "is_bot": False, "first_name": first_name,
                                   "language_code": "zh-hans"}
        return self.users[user_id]

    def chat(self, chat_id: int) -> dict:
        """The private chat with a user."""
        return {"id": chat_id, "type": "private", "first_name": self.users[chat_id]["first_name"]}

    def push_update(self, payload: dict[str, Any]) -> dict:
        """Queue an update (``payload`` without update_id) and return it."""
        with self._cond:
            update = {"update_id": next(self._update_ids), **payload}
            self._updates.append(update)
            self._cond.notify_all()
        return update

    def _message(self, user_id: int, **content: Any) -> dict:
        self.user(user_id)
        message = {"message_id": next(self._ids), "date": int(time.time()),
                   "chat": self.chat(user_id), "from": self.users[user_id], **content}
        self.messages[(user_id, message["message_id"])] = message
        return message

    def push_text(self, user_id: int, text: str) -> dict:
        """The user types ``text`` (a leading /command gets its entity, as Telegram adds)."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split()[0])
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self.push_update({"message": self._message(user_id, **content)})

    def push_command(self, user_id: int, command: str, argument: str = "") -> dict:
        """The user sends ``/command [argument]``."""
        return self.push_text(user_id, f"/{command} {argument}".strip())

    def push_sticker(self, user_id: int) -> dict:
        """The user sends a sticker."""
        number = next(_sticker_ids)
        sticker = {"file_id": f"sticker{number}", "file_unique_id": f"u{number}", "type": "regular",
                   "width": 512, "height": 512, "is_animated": False, "is_video": False}
        return self.push_update({"message": self._message(user_id, sticker=sticker)})

    def push_callback(self, user_id: int, data: str, message_id: int | None = None) -> dict:
        """The user taps a button with ``data`` under ``message_id`` (default: the bot's last message)."""
        self.user(user_id)
        if message_id is None:
            mine = [m for (chat, _), m in self.messages.items()
                    if chat == user_id and m["from"].get("is_bot")]
            message = mine[-1] if mine else self._message(user_id, text="…")
        else:
            message = self.messages[(user_id, message_id)]
        query_id = uuid.uuid4().hex
        with self._cond:
            self.open_queries.add(query_id)
        return self.push_update({"callback_query": {
            "id": query_id, "from": self.users[user_id], "chat_instance": str(user_id),
            "message": message, "data": data}})
