"""The fake Bot API's behaviour, independent of HTTP: state, methods, recorded calls, updates."""
from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass
from typing import Any

from .files import Fault, FileMethods
from .queries import CallQueries
from .schema import check_call, method_spec
from .updates import UpdateFactory

TOKEN = "123456:TEST-token"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "帮扶通", "username": "bangfutong_bot",
            "can_join_groups": False, "can_read_all_group_messages": False,
            "supports_inline_queries": False}


def scope_key(scope: dict) -> str:
    """A BotCommandScope as a dictionary key: ``chat:77``, ``all_private_chats``…"""
    return ":".join(str(scope[k]) for k in ("type", "chat_id", "user_id") if k in scope)


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    status: int
    at: float = 0.0  # time.monotonic() when answered


class FakeBotApi(UpdateFactory, CallQueries, FileMethods):
    """A Bot API that records calls, validates them against api.json and serves queued updates.

    ``fault`` (settable): ``fault(method, params) -> None | (status, body)`` is asked before a
    valid call is handled; a tuple is answered as is (429, 500, 403…) and recorded.
    """

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.commands: list[dict] = []  # the default menu (no scope)
        self.scoped_commands: dict[str, list[dict]] = {}  # per scope, keyed by scope_key()
        self.messages: dict[tuple[int, int], dict] = {}
        self.open_queries: set[str] = set()
        self.users: dict[int, dict] = {}
        self._updates: list[dict] = []
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._cond = threading.Condition()
        self.closed = False
        self.files: list = []  # SentFile, see documents()
        self.fault: Fault | None = None

    # -- the bot's side -------------------------------------------------------------
    def handle(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, dict]:
        """Answer one call as (HTTP status, JSON body)."""
        if token != self.token:
            return self._record(method, params, 401, "Unauthorized")
        problem = check_call(method, params)
        if problem is None:
            name = method_spec(method)["name"]
            injected = self.injected_fault(name, params)
            if injected is not None:
                self._record(name, params, injected[0])
                return injected
            problem_or_result = getattr(self, f"_{name}", self._true)(params)
            if isinstance(problem_or_result, tuple):
                problem = problem_or_result
            else:
                self._record(name, params, 200)
                return 200, {"ok": True, "result": problem_or_result}
        return self._record(method, params, *problem)

    def _record(self, method: str, params: dict, status: int, error: str = "") -> tuple[int, dict]:
        with self._cond:
            self.calls.append(Call(method, params, status, time.monotonic()))
            self._cond.notify_all()
        if status == 200:
            return status, {"ok": True, "result": True}
        return status, {"ok": False, "error_code": status, "description": error}

    def _true(self, params: dict) -> bool:
        return True

    def _getMe(self, params: dict) -> dict:
        return BOT_USER

    def bot_user(self) -> dict:
        """The bot's own User object."""
        return BOT_USER

    def _setMyCommands(self, params: dict) -> bool:
        if params.get("scope", {"type": "default"}) == {"type": "default"}:
            self.commands = params["commands"]
        else:
            self.scoped_commands[scope_key(params["scope"])] = params["commands"]
        return True

    def _getMyCommands(self, params: dict) -> list:
        scope = params.get("scope", {"type": "default"})
        if scope == {"type": "default"}:
            return self.commands
        return self.scoped_commands.get(scope_key(scope), self.commands)

    def _getUpdates(self, params: dict) -> list:
        offset, limit = params.get("offset", 0), params.get("limit", 100)
        deadline = time.monotonic() + float(params.get("timeout", 0))
        with self._cond:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and not self.closed and time.monotonic() < deadline:
                self._cond.wait(max(0.0, min(0.5, deadline - time.monotonic())))
            return list(self._updates[:limit])

    def _chat_error(self, chat_id: Any) -> tuple[int, str] | None:
        if chat_id not in self.users:
            return 400, "Bad Request: chat not found"
        return None

    def _sendMessage(self, params: dict) -> dict | tuple[int, str]:
        problem = self._chat_error(params["chat_id"])
        if problem:
            return problem
        return self._store_message(params["chat_id"], params["text"], params.get("reply_markup"), True)

    def _editMessageText(self, params: dict) -> dict | tuple[int, str]:
        key = (params.get("chat_id"), params.get("message_id"))
        old = self.messages.get(key)
        if old is None:
            return 400, "Bad Request: message to edit not found"
        markup = params.get("reply_markup")
        if old["text"] == params["text"] and old.get("reply_markup") == markup:
            return 400, "Bad Request: message is not modified"
        return self._store_message(key[0], params["text"], markup, True, message_id=key[1])

    def _editMessageReplyMarkup(self, params: dict) -> dict | tuple[int, str]:
        key = (params.get("chat_id"), params.get("message_id"))
        old = self.messages.get(key)
        if old is None:
            return 400, "Bad Request: message to edit not found"
        markup = params.get("reply_markup")
        if old.get("reply_markup") == markup:
            return 400, "Bad Request: message is not modified"
        return self._store_message(key[0], old["text"], markup, True, message_id=key[1])

    def _answerCallbackQuery(self, params: dict) -> bool | tuple[int, str]:
        with self._cond:
            if params["callback_query_id"] not in self.open_queries:
                return 400, ("Bad Request: query is too old and response timeout expired "
                             "or query ID is invalid")
            self.open_queries.discard(params["callback_query_id"])
        return True

    def _store_message(self, chat_id: int, text: str, markup: dict | None, from_bot: bool,
                       message_id: int | None = None) -> dict:
        message = {"message_id": message_id or next(self._ids), "date": int(time.time()),
                   "chat": self.chat(chat_id), "from": BOT_USER if from_bot else self.users[chat_id],
                   "text": text}
        if markup:
            message["reply_markup"] = markup
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def close(self) -> None:
        """Wake every long poll so the server can stop."""
        with self._cond:
            self.closed = True
            self._cond.notify_all()
