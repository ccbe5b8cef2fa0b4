"""Through the fake Bot API: a coordinator gives an applicant their own link, the worker opens it."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fakebotapi.harness import OfflineBot

from bot.core.render import text
from bot.staff import StaffContext, get_applicant

ADMIN, COORDINATOR, WORKER, NEIGHBOUR = 9101, 9102, 9103, 9104
NOON = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)
LINK = re.compile(r"https://t\.me/bangfutong_bot\?start=(lnk_\S+)")


@pytest.fixture
async def bot(storage):
    """The bot on each storage backend, with a coordinator of 马边 民主村."""
    staff = StaffContext(engine=storage.engine, admin_ids=frozenset({ADMIN}), clock=lambda: NOON)
    async with OfflineBot(storage, staff=staff) as offline:
        [invite] = await offline.send(ADMIN, "/invite coordinator 马边 民主村")
        token = re.search(r"start=(inv_\S+)", invite)[1]
        await offline.send(COORDINATOR, f"/start {token}")
        yield offline


def buttons_under(bot: OfflineBot, user_id: int, body: str) -> list[str]:
    """The callback data of the buttons under the message ``body`` sent to the user."""
    for params in bot.api.sent(user_id):
        if params.get("text") == body and params.get("reply_markup"):
            return [b["callback_data"] for row in params["reply_markup"]["inline_keyboard"] for b in row]
    return []


async def registered(bot: OfflineBot) -> int:
    """The coordinator registers 阿木 and leaves the interview; returns the applicant id."""
    await bot.send(COORDINATOR, "/apply 阿木")
    await bot.send(COORDINATOR, "/done")
    [listing] = await bot.send(COORDINATOR, "/applicants")
    return int(re.match(r"(\d+)\. 阿木", listing)[1])


async def test_link_from_apply_and_list_binds_the_worker_once(bot, storage):
    applicant_id = await registered(bot)
    link_button = f"apl:lnk:{applicant_id}"
    done = text("tgstaff.apply.done", name="阿木", county="马边彝族自治县", village="民主村")
    assert buttons_under(bot, COORDINATOR, done) == [link_button]
    assert link_button in [b["callback_data"] for b in bot.last_buttons(COORDINATOR)]
    [given] = await bot.tap(COORDINATOR, link_button)
    assert "阿木" in given and "2026年11月29日" in given
    token = LINK.search(given)[1]
    assert await bot.send(WORKER, f"/start {token}") == [text(
        "tgstaff.link.welcome", name="阿木", county="马边彝族自治县", village="民主村")]
    ctx = bot.application.bot_data["staff"]
    assert get_applicant(ctx, COORDINATOR, applicant_id).telegram_id == WORKER
    assert storage.load_conversation(f"tg:{WORKER}") is None  # their own interview untouched
    assert await bot.send(NEIGHBOUR, f"/start {token}") == [text("staff.link.used")]
    assert await bot.send(WORKER, f"/start {token}") == [text("staff.link.used")]
    assert get_applicant(ctx, COORDINATOR, applicant_id).telegram_id == WORKER
    assert bot.api.replies_to(COORDINATOR)[-1] == given  # the coordinator is not disturbed


async def test_worker_delete_blanks_the_link_and_keeps_the_record(bot):
    applicant_id = await registered(bot)
    [given] = await bot.tap(COORDINATOR, f"apl:lnk:{applicant_id}")
    await bot.send(WORKER, f"/start {LINK.search(given)[1]}")
    await bot.send(WORKER, "/delete")
    assert await bot.tap(WORKER, "acct:delete:yes") == [text("telegram.delete.done")]
    person = get_applicant(bot.application.bot_data["staff"], COORDINATOR, applicant_id)
    assert (person.name, person.telegram_id) == ("阿木", None)


async def test_a_worker_cannot_make_a_link(bot):
    applicant_id = await registered(bot)
    assert await bot.tap(WORKER, f"apl:lnk:{applicant_id}") == [text("staff.denied")]
    assert not any(LINK.search(reply) for reply in bot.api.replies_to(WORKER))
