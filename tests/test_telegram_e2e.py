"""End to end: `python -m bot run` as a separate process, polling the fake Bot API over HTTP."""
from __future__ import annotations

import time

import pytest
from botprocess import BotProcess, free_port

from bot.core.render import text
from bot.storage import open_storage

USER = 4242
WAIT = 30.0


@pytest.fixture
def bot_process(fake_server, tmp_path):
    process = BotProcess(fake_server, tmp_path)
    yield process
    process.stop()


def say(api, action, *args) -> list[str]:
    """Do one user action and wait for the bot's answer (messages stop arriving)."""
    before = len(api.sent(USER))
    action(USER, *args)
    assert api.wait_for_calls(lambda: len(api.sent(USER)) > before, WAIT), "no reply"
    count = 0
    while count != len(api.sent(USER)):  # until the bot has said everything it will say
        count = len(api.sent(USER))
        api.wait_for_calls(lambda seen=count: len(api.sent(USER)) > seen, 0.3)
    return api.replies_to(USER)[before:]


def tap(api, label: str) -> list[str]:
    """Tap the button whose label contains ``label`` under the last message with buttons."""
    for params in reversed(api.sent(USER)):
        for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if label in button["text"]:
                    return say(api, api.push_callback, button["callback_data"])
    raise AssertionError(f"no button {label!r}")


def test_interview_survives_kill_9(bot_process, fake_server):
    api = fake_server.api
    bot_process.start()
    assert [c["command"] for c in api.commands][:2] == ["start", "back"]
    assert say(api, api.push_command, "start", "e2e")
    assert text("question.origin_county") in tap(api, text("interview.start_button"))[-1]
    assert text("question.person_category") in say(api, api.push_text, "马边")[-1]

    bot_process.kill()
    bot_process.start()

    assert text("question.work_place") in tap(api, text("choice.person_category.poverty_alleviated"))[-1]
    assert all(call.status == 200 for call in api.calls), [c for c in api.calls if c.status != 200]
    assert api.call_count("answerCallbackQuery") == 2
    storage = open_storage(bot_process.env["DATABASE_URL"])
    assert storage.get_user(USER).payload == "e2e"
    assert storage.load_conversation(f"tg:{USER}")["pending"] == "work_place"
    storage.close()


def test_webhook_mode_when_webhook_url_is_set(bot_process, fake_server):
    import json
    import urllib.error
    import urllib.request

    api, port = fake_server.api, free_port()
    url = f"http://127.0.0.1:{port}/telegram-hook"
    bot_process.env.update({"WEBHOOK_URL": url, "WEBHOOK_SECRET": "s3cret",
                            "WEBHOOK_LISTEN": "127.0.0.1", "WEBHOOK_PORT": str(port)})
    bot_process.start()
    assert api.wait_for_calls(lambda: api.call_count("setWebhook") == 1, WAIT), bot_process.log()
    webhook = next(c.params for c in api.calls if c.method == "setWebhook")
    assert (webhook["url"], webhook["secret_token"]) == (url, "s3cret")

    def post(update: dict, secret: str) -> int:
        request = urllib.request.Request(url, data=json.dumps(update).encode(), headers={
            "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret})
        for _ in range(100):  # PTB calls setWebhook just before its server listens
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code
            except urllib.error.URLError:
                time.sleep(0.1)
        raise AssertionError("webhook server never listened")

    forged = api.push_text(USER, "/start forged")
    assert post(forged, "wrong") == 403
    assert post(api.push_text(USER, "/start hook"), "s3cret") == 200
    assert api.wait_for_calls(lambda: len(api.sent(USER)) >= 1, WAIT), bot_process.log()
    assert api.call_count("getUpdates") == 0
