"""Check a Bot API call against the official description (``../shared/telegram-bot-api/api.json``).

:func:`check_call` returns ``None`` for a call the real server would accept, else
``(error_code, description)`` as the real server words it.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

API_JSON = Path(__file__).resolve().parents[2] / ".." / "shared" / "telegram-bot-api" / "api.json"
PRIMITIVES = {"Integer", "Float", "String", "Boolean", "True", "InputFile"}
MAX_BUTTONS = 100  # a reply markup with more inline buttons is refused by the real server
BUTTON_LOOKS = {"text", "icon_custom_emoji_id", "style"}  # not the button's action
COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
TEXT_LIMITS = {"sendMessage": ("text", 4096), "editMessageText": ("text", 4096)}


class Rejected(Exception):
    """The call breaks the API description."""


@lru_cache(maxsize=1)
def api() -> dict:
    """The parsed api.json."""
    return json.loads(API_JSON.resolve().read_text(encoding="utf-8"))


def method_spec(name: str) -> dict | None:
    """The method's description, or None when the API has no such method (case-insensitive)."""
    methods = api()["methods"]
    return methods.get(name) or next(
        (spec for key, spec in methods.items() if key.lower() == name.lower()), None)


def _check_primitive(value: Any, kind: str) -> bool:
    if kind == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "Float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "Boolean":
        return isinstance(value, bool)
    if kind == "True":
        return value is True
    if kind == "String":
        return isinstance(value, str)
    return True  # InputFile: any upload or file id


def check_value(value: Any, kind: str, where: str) -> None:
    """Raise Rejected unless ``value`` fits the API type ``kind`` (e.g. "Array of BotCommand")."""
    if kind.startswith("Array of "):
        if not isinstance(value, list):
            raise Rejected(f"{where}: expected an Array")
        for index, item in enumerate(value):
            check_value(item, kind[len("Array of "):], f"{where}[{index}]")
        return
    if kind in PRIMITIVES:
        if not _check_primitive(value, kind):
            raise Rejected(f"{where}: expected {kind}")
        return
    spec = api()["types"].get(kind)
    if spec is None:
        raise Rejected(f"{where}: unknown type {kind}")
    if spec.get("subtypes"):
        check_any(value, spec["subtypes"], where)
        return
    check_object(value, spec, where)


def check_any(value: Any, kinds: list[str], where: str) -> None:
    """Raise Rejected unless ``value`` fits one of ``kinds``."""
    errors = []
    for kind in kinds:
        try:
            check_value(value, kind, where)
            return
        except Rejected as error:
            errors.append(str(error))
    coded = [error for error in errors if re.search(r"[A-Z_]{5,}$", error)]
    if coded or len(errors) == 1:
        raise Rejected((coded or errors)[0])
    raise Rejected(f"{where}: fits none of {kinds}")


def check_object(value: Any, spec: dict, where: str) -> None:
    """Raise Rejected unless ``value`` is an object with the type's fields only."""
    if not isinstance(value, dict):
        raise Rejected(f"{where}: expected an object {spec['name']}")
    fields = {field["name"]: field for field in spec.get("fields", [])}
    for name in value:
        if name not in fields:
            raise Rejected(f"{where}: unknown field {name}")
    for name, field in fields.items():
        if name in value:
            check_any(value[name], field["types"], f"{where}.{name}")
        elif field["required"]:
            raise Rejected(f"{where}: field {name} is required")
    _check_semantics(spec["name"], value, where)


def _check_semantics(kind: str, value: dict, where: str) -> None:
    """Limits the descriptions state in words."""
    if kind == "InlineKeyboardButton":
        actions = [name for name in value if name not in BUTTON_LOOKS]
        if len(actions) != 1:
            raise Rejected("BUTTON_TYPE_INVALID")
        if not value["text"]:
            raise Rejected("BUTTON_TEXT_INVALID")
        data = value.get("callback_data")
        if data is not None and not 1 <= len(data.encode("utf-8")) <= 64:
            raise Rejected("BUTTON_DATA_INVALID")
    buttons = sum(len(row) for row in value.get("inline_keyboard", []))
    if kind == "InlineKeyboardMarkup" and buttons > MAX_BUTTONS:  # the server's, not in the words
        raise Rejected("REPLY_MARKUP_TOO_LONG")
    if kind == "BotCommand":
        if not COMMAND_NAME.match(value["command"]):
            raise Rejected("BOT_COMMAND_INVALID")
        if not 1 <= len(value["description"]) <= 256:
            raise Rejected("BOT_COMMAND_DESCRIPTION_INVALID")


def check_call(method: str, params: dict[str, Any]) -> tuple[int, str] | None:
    """None when the real server accepts the call, else (error_code, description)."""
    spec = method_spec(method)
    if spec is None:
        return 404, "Not Found"
    fields = {field["name"]: field for field in spec.get("fields", [])}
    try:
        for name in params:
            if name not in fields:
                raise Rejected(f"unknown parameter {name}")
        for name, field in fields.items():
            if name in params:
                check_any(params[name], field["types"], name)
            elif field["required"]:
                raise Rejected(f"parameter {name} is required")
        _check_text(spec["name"], params)
    except Rejected as error:
        return 400, f"Bad Request: {error}"
    return None


def _check_text(method: str, params: dict[str, Any]) -> None:
    """Message text must be 1..4096 characters; parse_mode must be a known one."""
    if method in TEXT_LIMITS:
        name, limit = TEXT_LIMITS[method]
        if not params[name].strip():
            raise Rejected("message text is empty")
        if len(params[name]) > limit:
            raise Rejected("message is too long")
    if "parse_mode" in params and params["parse_mode"] not in ("HTML", "Markdown", "MarkdownV2"):
        raise Rejected(f"unsupported parse_mode {params['parse_mode']}")
    if method == "answerCallbackQuery" and len(params.get("text", "")) > 200:
        raise Rejected("MESSAGE_TOO_LONG")


def decode_form(method: str, form: dict[str, str]) -> dict[str, Any]:
    """Turn form-encoded values into JSON values the way the server does (by declared type)."""
    spec = method_spec(method) or {"fields": []}
    types = {field["name"]: field["types"] for field in spec.get("fields", [])}
    decoded: dict[str, Any] = {}
    for name, raw in form.items():
        if types.get(name) == ["String"]:
            decoded[name] = raw
            continue
        try:
            decoded[name] = json.loads(raw)
        except ValueError:
            decoded[name] = raw
    return decoded
