"""The fake Bot API rejects what the real server rejects (checked against api.json)."""
from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from fakebotapi import TOKEN

CHAT = 77
OK_BUTTON = {"text": "好", "callback_data": "ok"}


def call(server, method: str, params: dict, *, form: bool = False, token: str = TOKEN) -> tuple[int, dict]:
    """POST one call as JSON or form-encoded (non-strings JSON-encoded, as PTB does)."""
    if form:
        fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
        body, kind = urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded"
    else:
        body, kind = json.dumps(params).encode(), "application/json"
    request = urllib.request.Request(f"{server.base_url}/bot{token}/{method}", data=body,
                                     headers={"Content-Type": kind})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def message(text="你好", **extra) -> dict:
    return {"chat_id": CHAT, "text": text, **extra}


def keyboard(*rows) -> dict:
    return {"reply_markup": {"inline_keyboard": list(rows)}}


REJECTED = [
    ("unknown method", "sendMesage", message(), 404, "Not Found"),
    ("unknown parameter", "sendMessage", message(colour="red"), 400, "unknown parameter colour"),
    ("missing text", "sendMessage", {"chat_id": CHAT}, 400, "parameter text is required"),
    ("empty text", "sendMessage", message("  "), 400, "message text is empty"),
    ("text over 4096", "sendMessage", message("字" * 4097), 400, "message is too long"),
    ("wrong type", "sendMessage", message(disable_notification="yes"), 400, "expected Boolean"),
    ("callback data over 64 bytes", "sendMessage",
     message(**keyboard([{"text": "a", "callback_data": "x" * 65}])), 400, "BUTTON_DATA_INVALID"),
    ("callback data over 64 bytes in UTF-8", "sendMessage",
     message(**keyboard([{"text": "a", "callback_data": "补" * 22}])), 400, "BUTTON_DATA_INVALID"),
    ("button without action", "sendMessage", message(**keyboard([{"text": "a"}])), 400,
     "BUTTON_TYPE_INVALID"),
    ("button with two actions", "sendMessage",
     message(**keyboard([{"text": "a", "callback_data": "x", "url": "https://x.org"}])), 400,
     "BUTTON_TYPE_INVALID"),
    ("keyboard rows not arrays", "sendMessage", message(**keyboard(OK_BUTTON)), 400, "fits none"),
    ("unknown button field", "sendMessage",
     message(**keyboard([{**OK_BUTTON, "colour": "red"}])), 400, "fits none"),
    ("bad parse mode", "sendMessage", message(parse_mode="BBCode"), 400, "unsupported parse_mode"),
    ("unknown chat", "sendMessage", {"chat_id": 999, "text": "x"}, 400, "chat not found"),
    ("bad command name", "setMyCommands", {"commands": [{"command": "Start!", "description": "x"}]},
     400, "BOT_COMMAND_INVALID"),
    ("unknown callback query", "answerCallbackQuery", {"callback_query_id": "nope"}, 400,
     "query is too old"),
    ("edit a missing message", "editMessageText", {"chat_id": CHAT, "message_id": 999, "text": "x"},
     400, "message to edit not found"),
]


@pytest.mark.parametrize("form", [False, True], ids=["json", "form"])
@pytest.mark.parametrize("case", REJECTED, ids=[case[0] for case in REJECTED])
def test_rejects_what_the_real_server_rejects(fake_server, case, form):
    _, method, params, status, words = case
    fake_server.api.user(CHAT)
    got_status, body = call(fake_server, method, params, form=form)
    assert (got_status, body["ok"], body["error_code"]) == (status, False, status)
    assert words in body["description"]
    assert fake_server.api.calls[-1].status == status


@pytest.mark.parametrize("form", [False, True], ids=["json", "form"])
def test_accepts_a_valid_message_and_records_it(fake_server, form):
    fake_server.api.user(CHAT)
    params = message("字" * 4096, **keyboard([OK_BUTTON, {"text": "网", "url": "https://x.org"}]))
    status, body = call(fake_server, "sendMessage", params, form=form)
    assert status == 200 and body["result"]["chat"]["id"] == CHAT
    assert fake_server.api.sent(CHAT) == [params]


def test_wrong_token_is_unauthorized(fake_server):
    assert call(fake_server, "getMe", {}, token="1:bad")[0] == 401


def test_edit_of_an_unchanged_message_is_refused(fake_server):
    fake_server.api.user(CHAT)
    sent = call(fake_server, "sendMessage", message("一"))[1]["result"]
    edit = {"chat_id": CHAT, "message_id": sent["message_id"], "text": "一"}
    assert "not modified" in call(fake_server, "editMessageText", edit)[1]["description"]
    assert call(fake_server, "editMessageText", {**edit, "text": "二"})[0] == 200
    markup = {"chat_id": CHAT, "message_id": sent["message_id"], **keyboard([OK_BUTTON])}
    assert call(fake_server, "editMessageReplyMarkup", markup)[0] == 200


def test_callback_query_is_answered_once(fake_server):
    query = fake_server.api.push_callback(CHAT, "go")["callback_query"]
    assert call(fake_server, "answerCallbackQuery", {"callback_query_id": query["id"]})[0] == 200
    assert call(fake_server, "answerCallbackQuery", {"callback_query_id": query["id"]})[0] == 400


def test_get_updates_long_polls_and_offset_confirms(fake_server):
    threading.Timer(0.2, fake_server.api.push_text, (CHAT, "来了")).start()
    started = time.monotonic()
    status, body = call(fake_server, "getUpdates", {"timeout": 5})
    assert status == 200 and body["result"][0]["message"]["text"] == "来了"
    assert 0.1 < time.monotonic() - started < 4
    next_offset = body["result"][0]["update_id"] + 1
    assert call(fake_server, "getUpdates", {"offset": next_offset, "timeout": 0})[1]["result"] == []


def test_commands_round_trip(fake_server):
    commands = [{"command": "start", "description": "开始"}]
    assert call(fake_server, "setMyCommands", {"commands": commands}, form=True)[0] == 200
    assert call(fake_server, "getMyCommands", {})[1]["result"] == commands


# -- uploads (sendDocument / sendPhoto) and injected faults ------------------------------------

def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    """Encode a multipart/form-data body as PTB does (non-strings JSON-encoded)."""
    boundary = "----fakeboundary7MA4YWxk"
    parts = []
    for name, value in fields.items():
        value = value if isinstance(value, str) else json.dumps(value)
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     .encode() + value.encode() + b"\r\n")
    for name, (file_name, data, mime) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{file_name}"\r\nContent-Type: {mime}\r\n\r\n'.encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def upload(server, method: str, fields: dict, files: dict) -> tuple[int, dict]:
    body, kind = _multipart(fields, files)
    request = urllib.request.Request(f"{server.base_url}/bot{TOKEN}/{method}", data=body,
                                     headers={"Content-Type": kind})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


XLSX = b"PK\x03\x04 pretend spreadsheet \x00\xff"


def test_send_document_multipart_records_bytes_and_name(fake_server):
    fake_server.api.user(CHAT)
    status, body = upload(fake_server, "sendDocument", {"chat_id": CHAT, "caption": "台账"},
                          {"document": ("台账.xlsx", XLSX, "application/octet-stream")})
    assert status == 200 and body["result"]["document"]["file_name"] == "台账.xlsx"
    [sent] = fake_server.api.documents(CHAT)
    assert (sent.method, sent.file_name, sent.data, sent.caption) == ("sendDocument", "台账.xlsx",
                                                                      XLSX, "台账")


def test_send_photo_multipart_and_attach_uri(fake_server):
    fake_server.api.user(CHAT)
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    status, body = upload(fake_server, "sendPhoto", {"chat_id": CHAT, "photo": "attach://chart"},
                          {"chart": ("chart.png", png, "image/png")})
    assert status == 200 and body["result"]["photo"][0]["file_size"] == len(png)
    assert fake_server.api.documents()[0].data == png
    again = call(fake_server, "sendPhoto", {"chat_id": CHAT, "photo": body["result"]["photo"][0]["file_id"]})
    assert again[0] == 200 and len(fake_server.api.documents()) == 2


UPLOAD_REJECTED = [
    ("unknown parameter", {"chat_id": CHAT, "colour": "red"}, "unknown parameter colour"),
    ("missing chat", {}, "parameter chat_id is required"),
    ("unknown chat", {"chat_id": 999}, "chat not found"),
]


@pytest.mark.parametrize("case", UPLOAD_REJECTED, ids=[case[0] for case in UPLOAD_REJECTED])
def test_upload_is_validated_against_api_json(fake_server, case):
    _, fields, words = case
    fake_server.api.user(CHAT)
    status, body = upload(fake_server, "sendDocument", fields, {"document": ("a.txt", b"x", "text/plain")})
    assert status == 400 and words in body["description"]
    assert fake_server.api.documents() == []


def test_unknown_file_id_is_refused(fake_server):
    fake_server.api.user(CHAT)
    status, body = call(fake_server, "sendDocument", {"chat_id": CHAT, "document": "no-such-file"})
    assert status == 400 and "file identifier" in body["description"]


FAULTS = {
    429: {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
          "parameters": {"retry_after": 1}},
    500: {"ok": False, "error_code": 500, "description": "Internal Server Error"},
    403: {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
}


@pytest.mark.parametrize("status", sorted(FAULTS))
def test_fault_hook_answers_instead_of_the_method(fake_server, status):
    api = fake_server.api
    api.user(CHAT)
    seen = []

    def fault(method, params):
        seen.append((method, params.get("chat_id")))
        return (status, FAULTS[status]) if method == "sendMessage" and params["text"] == "坏" else None

    api.fault = fault
    assert call(fake_server, "sendMessage", message("坏")) == (status, FAULTS[status])
    assert call(fake_server, "sendMessage", message("好"))[0] == 200
    assert seen == [("sendMessage", CHAT), ("sendMessage", CHAT)]
    assert [c.status for c in api.calls] == [status, 200] and api.replies_to(CHAT) == ["好"]


async def test_ptb_uploads_and_sees_injected_faults_offline(fake_api):
    from fakebotapi import OfflineRequest
    from telegram import Bot
    from telegram.error import Forbidden, RetryAfter

    fake_api.user(CHAT)
    bot = Bot(TOKEN, request=OfflineRequest(fake_api))
    async with bot:
        message_sent = await bot.send_document(CHAT, XLSX, filename="台账.xlsx", caption="台账")
        assert message_sent.document.file_name == "台账.xlsx"
        await bot.send_photo(CHAT, b"\x89PNGdata", filename="chart.png")
        fake_api.fault = lambda method, params: (429, FAULTS[429]) if method == "sendMessage" else None
        with pytest.raises(RetryAfter) as retry:
            await bot.send_message(CHAT, "x")
        assert "Retry in 1 seconds" in str(retry.value)
        fake_api.fault = lambda method, params: (403, FAULTS[403])
        with pytest.raises(Forbidden):
            await bot.send_message(CHAT, "x")
    assert [(f.method, f.file_name, f.data[:4]) for f in fake_api.documents(CHAT)] == [
        ("sendDocument", "台账.xlsx", XLSX[:4]), ("sendPhoto", "chart.png", b"\x89PNG")]


def test_scoped_commands_are_kept_apart_from_the_default_menu(fake_server):
    default = [{"command": "start", "description": "开始"}]
    mine = default + [{"command": "apply", "description": "登记"}]
    call(fake_server, "setMyCommands", {"commands": default})
    assert call(fake_server, "setMyCommands", {"commands": mine,
                                               "scope": {"type": "chat", "chat_id": CHAT}})[0] == 200
    assert call(fake_server, "getMyCommands", {})[1]["result"] == default
    scoped = call(fake_server, "getMyCommands", {"scope": {"type": "chat", "chat_id": CHAT}})
    assert scoped[1]["result"] == mine
    assert fake_server.api.scoped_commands == {f"chat:{CHAT}": mine}


async def test_ptb_uploads_over_http_with_a_chinese_file_name(fake_server):
    from telegram import Bot

    fake_server.api.user(CHAT)
    bot = Bot(TOKEN, base_url=f"{fake_server.base_url}/bot")
    async with bot:
        sent = await bot.send_document(CHAT, XLSX, filename="实名制台账-20261122.xlsx", caption="台账")
    assert sent.document.file_name == "实名制台账-20261122.xlsx"
    [upload] = fake_server.api.documents(CHAT)
    assert (upload.file_name, upload.data, upload.caption) == ("实名制台账-20261122.xlsx", XLSX, "台账")
