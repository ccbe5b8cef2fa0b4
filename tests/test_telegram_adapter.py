"""The Telegram adapter's machinery, driven offline with a scripted conversation core."""
from __future__ import annotations

import asyncio
from datetime import date

import pytest
from fakebotapi import FakeBotApi, OfflineRequest
from fakebotapi import conversation as scripted
from fakebotapi.harness import OfflineBot

from bot.adapters.telegram.app import COMMANDS, build_application, main
from bot.adapters.telegram.reminders import send_due_reminders
from bot.config import Settings
from bot.core.render import text

USER = 501


@pytest.fixture
async def bot(sqlite_storage):
    async with OfflineBot(sqlite_storage, scripted) as offline:
        yield offline


async def test_command_menu_is_registered_at_start(bot):
    names = [command["command"] for command in bot.api.commands]
    assert names == list(COMMANDS)
    assert all(command["description"] for command in bot.api.commands)


async def test_start_keeps_the_payload_in_users_table_and_state(bot, sqlite_storage):
    replies = await bot.send(USER, "/start mabian")
    assert replies == ["welcome 2026-11-22"]
    assert sqlite_storage.get_user(USER).payload == "mabian"
    assert sqlite_storage.load_conversation(f"tg:{USER}")["payload"] == "mabian"
    assert [b["callback_data"] for b in bot.last_buttons(USER)] == ["go"]


async def test_text_and_buttons_go_through_the_core_and_state_is_stored(bot, sqlite_storage):
    await bot.send(USER, "/start")
    assert await bot.tap(USER, "go") == ["button go"]
    assert await bot.send(USER, "三个月") == ["#2 三个月"]
    assert sqlite_storage.load_conversation(f"tg:{USER}")["seen"] == ["三个月"]
    answered = [c for c in bot.api.calls if c.method == "answerCallbackQuery"]
    assert [c.status for c in answered] == [200]


async def test_core_commands_reach_the_core_as_text(bot, sqlite_storage):
    for command in ("/back", "/restart", "/review", "/help"):
        await bot.send(USER, command)
    assert sqlite_storage.load_conversation(f"tg:{USER}")["seen"] == [
        "/back", "/restart", "/review", "/help"]


async def test_a_new_application_continues_from_the_database(sqlite_storage):
    api = FakeBotApi()
    async with OfflineBot(sqlite_storage, scripted, api=api) as first:
        await first.send(USER, "一")
    async with OfflineBot(sqlite_storage, scripted, api=api) as second:
        assert await second.send(USER, "二") == ["#2 二"]


async def test_redelivered_update_is_processed_once(bot):
    raw = bot.api.push_text(USER, "你好")
    assert await bot.process(raw) == ["#1 你好"]
    assert await bot.process(raw) == []


async def test_non_text_gets_a_polite_reply(bot):
    assert await bot.process(bot.api.push_sticker(USER)) == [text("telegram.not_text")]


async def test_core_failure_is_an_apology_without_traceback(bot, caplog):
    assert await bot.send(USER, "boom") == [text("telegram.error")]
    assert "scripted failure" in caplog.text


async def test_long_reply_is_split_under_4096_with_buttons_on_the_last_piece(bot):
    replies = await bot.send(USER, "long")
    assert len(replies) == 2 and all(len(r) <= 4096 for r in replies)
    assert "".join(replies).count("很长的一段话。") == 700
    sent = bot.api.sent(USER)
    assert "reply_markup" not in sent[0] and sent[1]["reply_markup"]["inline_keyboard"]


async def test_unknown_adapter_button_is_answered_politely(bot):
    assert await bot.tap(USER, "acct:nonsense") == [text("telegram.stale_button")]


async def test_subscribe_asks_for_the_county_when_unknown_then_subscribes(bot, sqlite_storage):
    assert await bot.send(USER, "/subscribe") == [text("telegram.subscribe.ask_county")]
    assert await bot.send(USER, "不存在的县名字") == [text("telegram.subscribe.unknown_county")]
    replies = await bot.send(USER, "马边")
    assert replies and "马边彝族自治县" in replies[0]
    assert [s.key for s in sqlite_storage.subscriptions(USER)] == ["马边彝族自治县"]
    assert await bot.send(USER, "/unsubscribe") == [text("telegram.unsubscribe.done")]
    assert sqlite_storage.subscriptions(USER) == []


async def test_a_tap_cancels_the_county_question(bot):
    await bot.send(USER, "/subscribe")
    await bot.tap(USER, "go")
    assert await bot.send(USER, "三个月") == ["#2 三个月"]


async def test_subscribe_uses_the_answers(bot, sqlite_storage):
    await bot.send(USER, "county 马边彝族自治县")
    replies = await bot.send(USER, "/subscribe")
    assert replies == [text("telegram.subscribe.done", places="马边彝族自治县和绍兴市")]
    assert {(s.kind, s.key) for s in sqlite_storage.subscriptions(USER)} == {
        ("county", "马边彝族自治县"), ("city", "绍兴市")}


async def test_me_shows_what_is_stored(bot):
    await bot.send(USER, "/start fair2026")
    await bot.send(USER, "remind")
    (shown,) = await bot.send(USER, "/me")
    assert "fair2026" in shown and "2026年12月1日：快截止了" in shown and "小王" in shown


async def test_delete_asks_then_erases_everything(bot, sqlite_storage):
    await bot.send(USER, "/start x")
    await bot.send(USER, "remind")
    assert await bot.send(USER, "/delete") == [text("telegram.delete.confirm")]
    assert await bot.tap(USER, "acct:delete:no") == [text("telegram.delete.kept")]
    assert sqlite_storage.get_user(USER) is not None
    assert await bot.tap(USER, "acct:delete:yes") == [text("telegram.delete.done")]
    assert sqlite_storage.get_user(USER) is None
    assert sqlite_storage.load_conversation(f"tg:{USER}") is None
    assert sqlite_storage.reminders(USER) == []


async def test_delete_calls_the_other_parts_hooks(sqlite_storage):
    forgotten: list[int] = []
    async with OfflineBot(sqlite_storage, scripted, forget_hooks=[forgotten.append]) as bot:
        await bot.send(USER, "/delete")
        await bot.tap(USER, "acct:delete:yes")
    assert forgotten == [USER]


async def test_accepted_reminders_are_stored_once_and_sent_when_due(bot, sqlite_storage):
    await bot.send(USER, "remind")
    await bot.send(USER, "remind")
    assert [r.due for r in sqlite_storage.reminders(USER)] == [date(2026, 12, 1), date(2026, 12, 24)]
    bot_api = bot.application.bot
    assert await send_due_reminders(bot_api, sqlite_storage, date(2026, 11, 30)) == 0
    assert await send_due_reminders(bot_api, sqlite_storage, date(2026, 12, 2)) == 1
    assert bot.api.replies_to(USER)[-1] == text("telegram.reminder.prefix") + "快截止了"
    assert await send_due_reminders(bot_api, sqlite_storage, date(2026, 12, 2)) == 0


async def test_results_shown_are_stored_with_their_rules_version_once(bot, sqlite_storage):
    """Issue 9: the results event becomes the worker's assessment; a second showing adds nothing."""
    from bot.storage import assessments

    await bot.send(USER, "results")
    await bot.send(USER, "results")
    with sqlite_storage.engine.connect() as db:
        [kept] = assessments.history(db, assessments.worker_subject(USER))
    assert (kept.rules_version, kept.claims) == ("0123456789abcdef", {"r1": {"yuan": 3000, "per": "once"}})
    assert kept.as_of == bot.as_of


async def test_one_users_updates_stay_in_order_while_others_proceed(bot, sqlite_storage):
    raws = [bot.api.push_text(user, f"m{i}") for i in range(20) for user in (1, 2, 3)]
    await asyncio.gather(*(bot.process(raw) for raw in raws))
    for user in (1, 2, 3):
        assert sqlite_storage.load_conversation(f"tg:{user}")["seen"] == [f"m{i}" for i in range(20)]


def test_base_url_gets_bot_appended_once():
    settings = Settings(bot_token="1:x", database_url="sqlite://",
                        telegram_api_base_url="http://127.0.0.1:9/")
    application = build_application(settings, storage=None, conversation=scripted,  # type: ignore[arg-type]
                                    request=OfflineRequest(FakeBotApi()))
    assert application.bot.base_url == "http://127.0.0.1:9/bot1:x"


def test_main_without_token_prints_one_line(capsys):
    settings = Settings(bot_token=None, database_url="sqlite://", telegram_api_base_url=None)
    assert main(settings) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "python -m bot chat" in out


async def test_a_flooding_user_does_not_hold_up_another(fake_server, sqlite_storage):
    """Real HTTP to the fake server and the real update queue: the quiet user's answer overtakes."""
    from telegram import Update

    api = fake_server.api
    settings = Settings(bot_token=api.token, database_url="unused",
                        telegram_api_base_url=fake_server.base_url)
    application = build_application(settings, sqlite_storage, scripted,
                                    today=lambda: date(2026, 11, 22), reminder_interval=0,
                                    rate_limit=False)
    flood = [api.push_text(1, f"f{i}") for i in range(100)]
    quiet = api.push_text(2, "你好")
    async with application:
        await application.start()
        for raw in [*flood, quiet]:
            await application.update_queue.put(Update.de_json(raw, application.bot))
        for _ in range(1000):
            if len(api.sent(1)) == 100 and api.sent(2):
                break
            await asyncio.sleep(0.02)
        await application.stop()
    order = [call.params["chat_id"] for call in api.calls if call.method == "sendMessage"]
    assert order.count(1) == 100 and order.index(2) < 10, order.index(2)
    assert api.replies_to(1) == [f"#{i + 1} f{i}" for i in range(100)]


def test_main_with_a_token_the_server_refuses_says_so(fake_server, tmp_path, capsys):
    settings = Settings(bot_token="1:refused", database_url=f"sqlite:///{tmp_path / 'b.sqlite3'}",
                        telegram_api_base_url=fake_server.base_url)
    assert main(settings) == 1
    assert capsys.readouterr().out == text("telegram.bad_token") + "\n"
    assert [call.status for call in fake_server.api.calls] == [401]
