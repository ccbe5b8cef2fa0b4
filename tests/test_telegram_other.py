"""A photo, sticker, voice message or location gets the pending question again, with its buttons."""
from __future__ import annotations

import pytest
from fakebotapi.harness import OfflineBot

from bot.adapters.telegram.fairs import register
from bot.broadcast import SenderConfig, open_outbox
from bot.core.render import text
from bot.staff import StaffContext, create_invite, redeem_invite

USER, ADMIN, STAFF = 9001, 1, 10
PHOTO = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
NON_TEXT = {
    "sticker": {"sticker": {"file_id": "s1", "file_unique_id": "u2", "type": "regular", "width": 512,
                            "height": 512, "is_animated": False, "is_video": False}},
    "photo": {"photo": PHOTO},
    "voice": {"voice": {"file_id": "v1", "file_unique_id": "u3", "duration": 2}},
    "location": {"location": {"latitude": 29.2, "longitude": 103.5}},
}


async def _non_text(bot: OfflineBot, user: int, kind: str) -> tuple[list[str], list[str]]:
    """Send one non-text message; the texts and button labels of the replies."""
    before = len(bot.api.sent(user))
    raw = bot.api.push_update({"message": bot.api._message(user, **NON_TEXT[kind])})
    await bot.process(raw)
    sent = bot.api.sent(user)[before:]
    labels = [b["text"] for p in sent for row in (p.get("reply_markup") or {}).get(
        "inline_keyboard", []) for b in row]
    return [p["text"] for p in sent], labels


@pytest.mark.parametrize("kind", sorted(NON_TEXT))
async def test_mid_interview_the_question_comes_again_with_its_buttons(sqlite_storage, kind) -> None:
    async with OfflineBot(sqlite_storage) as bot:
        await bot.send(USER, "/start")
        await bot.tap(USER, bot.last_buttons(USER)[0]["callback_data"])
        question = await bot.send(USER, "马边")
        buttons = [b["text"] for b in bot.last_buttons(USER)]
        texts, labels = await _non_text(bot, USER, kind)
        assert texts[0] == text("telegram.not_text") and len(texts) == 2
        assert texts[1].startswith("你家是哪一类？") and question[-1].endswith(texts[1])
        assert labels == buttons and "脱贫户" in labels
        assert (await bot.tap(USER, bot.last_buttons(USER)[0]["callback_data"]))  # still answerable


async def test_before_the_start_the_welcome_and_its_button_come_again(sqlite_storage) -> None:
    async with OfflineBot(sqlite_storage) as bot:
        texts, labels = await _non_text(bot, USER, "photo")
        assert texts[0] == text("telegram.not_text") and len(texts) == 2 and labels


async def test_staff_writing_a_fair_get_the_fair_question_again(sqlite_storage, tmp_path) -> None:
    ctx = StaffContext(engine=sqlite_storage.engine, admin_ids=frozenset({ADMIN}))  # migrated storage
    redeem_invite(ctx, STAFF, create_invite(ctx, ADMIN, "staff", counties=("马边",)).token)
    outbox = open_outbox(f"sqlite:///{tmp_path / 'outbox.sqlite3'}")
    bot = OfflineBot(sqlite_storage)
    register(bot.application, outbox=outbox, staff_ctx=ctx, storage=sqlite_storage,
             sender_config=SenderConfig(rate=200, idle_poll=0.02))
    async with bot:
        await bot.send(STAFF, "/fair")
        await bot.send(STAFF, "乐山马边专场招聘会")
        texts, labels = await _non_text(bot, STAFF, "photo")
        assert texts == [text("telegram.not_text"), text("fairs.ask.starts_at")] and labels == ["取消"]
        await bot.send(STAFF, "12月5日 9:30")
        texts, labels = await _non_text(bot, STAFF, "sticker")
        assert texts[1] == text("fairs.confirm_when", when="2026年12月5日（星期六）09:30")
        assert labels == ["对", "重新输入", "取消"]
    outbox.close()
