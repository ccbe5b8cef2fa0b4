"""End to end through the fake Bot API: admin invites, a coordinator registers and interviews an
applicant on their behalf, lists, records a 131 service, exports the ledger, deletes the applicant."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO

import pytest
from fakebotapi import FakeBotApi
from fakebotapi.harness import OfflineBot
from openpyxl import load_workbook

from bot.core.render import text
from bot.staff import StaffContext

ADMIN, COORDINATOR, WORKER = 9001, 9002, 9003
NOON = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)  # 12:00 in China, the bot's "today"
# The applicant of spec/examples/01: 马边 → 绍兴柯桥, 8 months of social insurance.
INTERVIEW = [("tap", "go"), ("send", "马边"), ("tap", "a:person_category:poverty_alleviated"),
             ("send", "浙江绍兴柯桥"), ("send", "2024年3月"), ("tap", "a:first_arrival_same:yes"),
             ("send", "32个月"), ("tap", "a:renting_self:yes"), ("tap", "a:certificate_level:none")]


@pytest.fixture
async def bot(storage):
    """The bot on each storage backend (SQLite, PostgreSQL)."""
    staff = StaffContext(engine=storage.engine, admin_ids=frozenset({ADMIN}), clock=lambda: NOON)
    api = FakeBotApi()
    api.user(ADMIN)  # the admin has opened the chat before: their menu is set at start
    async with OfflineBot(storage, staff=staff, api=api) as offline:
        yield offline


async def make_coordinator(bot: OfflineBot, user_id: int = COORDINATOR, village: str = "民主村") -> str:
    """The admin invites, the user opens the link; returns the invite reply."""
    [reply] = await bot.send(ADMIN, f"/invite coordinator 马边 {village}")
    token = re.search(r"https://t\.me/bangfutong_bot\?start=(inv_\S+)", reply)[1]
    assert await bot.send(user_id, f"/start {token}") == [
        text("tgstaff.welcome", who=text("staff.invite.done", role="coordinator",
                                         county="马边彝族自治县", village=village, places=""))]
    return reply


def ledger_rows(bot: OfflineBot, user_id: int) -> list[dict]:
    """The rows of the last ledger sent to ``user_id``, as header -> cell."""
    sent = bot.api.documents(user_id)[-1]
    assert sent.file_name.endswith(".xlsx")
    header, *rows = load_workbook(BytesIO(sent.data)).active.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


async def test_coordinator_flow_end_to_end(bot):
    invite = await make_coordinator(bot)
    assert "马边彝族自治县民主村" in invite and "2026年11月29日" in invite
    assert await bot.send(COORDINATOR, "/apply") == [text("tgstaff.apply.ask_name")]
    assert await bot.send(COORDINATOR, "阿木") == [text("tgstaff.apply.ask_phone")]
    replies = await bot.tap(COORDINATOR, "reg:skip")
    assert replies[:2] == [text("tgstaff.apply.done", name="阿木", county="马边彝族自治县",
                                village="民主村"), text("tgstaff.behalf.start", name="阿木")]
    for action, value in INTERVIEW:
        replies = await getattr(bot, action)(COORDINATOR, value)
    assert "就业稳岗补贴" in replies[0] and "3000元" in replies[0]
    assert {"text": text("tgstaff.behalf.leave"), "callback_data": "bh:leave"} in bot.last_buttons(COORDINATOR)
    assert await bot.tap(COORDINATOR, "bh:leave") == [text("tgstaff.behalf.left")]
    assert bot.api.replies_to(WORKER) == []  # the applicant never got a message

    [listing] = await bot.send(COORDINATOR, "/applicants")
    assert "阿木" in listing and "就业稳岗补贴" in listing and "2026年12月31日" in listing
    applicant_id = re.match(r"(\d+)\. 阿木", listing)[1]
    assert f"bh:open:{applicant_id}" in [b["callback_data"] for b in bot.last_buttons(COORDINATOR)]
    await bot.send(COORDINATOR, f"/service {applicant_id}")
    [guidance] = [b["callback_data"] for b in bot.last_buttons(COORDINATOR)
                  if b["callback_data"].startswith(f"apl:svk:{applicant_id}:guidance:")]
    assert await bot.tap(COORDINATOR, guidance) == [
        text("tgstaff.service.done", kind=text("staff.service.guidance"))]

    await bot.send(COORDINATOR, "/ledger")
    [row] = ledger_rows(bot, COORDINATOR)
    assert row[text("staff.ledger.col.name")] == "阿木"
    assert "一次性3000元" in row[text("staff.ledger.col.amounts")]
    assert row[text("staff.ledger.col.services")].startswith(text("staff.service.guidance") + " 1/1")

    await bot.tap(COORDINATOR, f"apl:del:{applicant_id}")
    assert await bot.tap(COORDINATOR, f"apl:dely:{applicant_id}") == [text("tgstaff.delete.done")]
    assert await bot.send(COORDINATOR, "/ledger") == [text("staff.list.empty")]
    assert len(bot.api.documents(COORDINATOR)) == 1  # no second, empty file


async def test_reopening_an_applicant_resumes_their_interview(bot):
    await make_coordinator(bot)
    await bot.send(COORDINATOR, "/apply 阿木 13812345678")
    await bot.tap(COORDINATOR, "go")
    await bot.send(COORDINATOR, "马边")
    await bot.send(COORDINATOR, "/done")
    assert await bot.send(COORDINATOR, "你好") != []  # back in their own conversation
    [listing] = await bot.send(COORDINATOR, "/applicants")
    applicant_id = re.match(r"(\d+)\. 阿木", listing)[1]
    replies = await bot.tap(COORDINATOR, f"bh:open:{applicant_id}")
    assert replies[0] == text("tgstaff.behalf.start", name="阿木")
    resume = bot.last_buttons(COORDINATOR)[0]["callback_data"]  # "接着来": their answers are kept
    assert "你家是哪一类" in (await bot.tap(COORDINATOR, resume))[-1]  # the question after the county


async def test_bad_name_or_phone_keeps_the_registration_open(bot):
    await make_coordinator(bot)
    await bot.send(COORDINATOR, "/apply")
    assert await bot.send(COORDINATOR, "名" * 51) == [text("staff.applicant.not_a_name")]
    assert await bot.send(COORDINATOR, "阿木") == [text("tgstaff.apply.ask_phone")]
    assert await bot.send(COORDINATOR, "123") == [text("staff.applicant.not_a_phone")]
    assert (await bot.send(COORDINATOR, "13812345678"))[0].startswith("登记好了")


async def test_invite_is_one_time_and_admin_can_withdraw(bot):
    [reply] = await bot.send(ADMIN, "/invite staff 马边,乐山市")
    token = re.search(r"start=(inv_\S+)", reply)[1]
    assert "马边彝族自治县，乐山市" in reply
    await bot.send(ADMIN, "/invites")
    [cancel] = bot.last_buttons(ADMIN)
    assert await bot.tap(ADMIN, cancel["callback_data"]) == [text("tgstaff.invites.cancelled")]
    assert await bot.send(WORKER, f"/start {token}") == [text("staff.invite.unknown")]
    assert await bot.send(ADMIN, "/invites") == [text("tgstaff.invites.none")]


async def test_help_and_menu_list_the_commands_of_the_role(bot):
    await make_coordinator(bot)
    menu = [c["command"] for c in bot.api.scoped_commands[f"chat:{COORDINATOR}"]]
    assert menu[:2] == ["start", "back"] and "apply" in menu and "invite" not in menu
    assert "apply" not in [c["command"] for c in bot.api.commands]  # workers' menu unchanged
    [coordinator_help] = await bot.send(COORDINATOR, "/help")
    assert "/apply" in coordinator_help and "/invite" not in coordinator_help
    assert "invite" in [c["command"] for c in bot.api.scoped_commands[f"chat:{ADMIN}"]]
    [admin_help] = await bot.send(ADMIN, "/help")
    assert "/invite" in admin_help
    worker_help = await bot.send(WORKER, "/help")
    assert not any("/apply" in reply or "/invite" in reply for reply in worker_help)


async def test_county_staff_read_the_list_and_ledger_without_buttons(bot):
    await make_coordinator(bot)
    await bot.send(COORDINATOR, "/apply 阿木")
    [reply] = await bot.send(ADMIN, "/invite staff 马边")
    token = re.search(r"start=(inv_\S+)", reply)[1]
    await bot.send(WORKER, f"/start {token}")
    [listing] = await bot.send(WORKER, "/applicants")
    assert "阿木" in listing and bot.api.sent(WORKER)[-1].get("reply_markup") is None
    await bot.send(WORKER, "/ledger")
    assert [row[text("staff.ledger.col.name")] for row in ledger_rows(bot, WORKER)] == ["阿木"]


async def test_a_revoked_coordinator_falls_back_to_the_worker_flow(bot):
    from bot.staff import revoke_role

    await make_coordinator(bot)
    await bot.send(COORDINATOR, "/apply 阿木")  # now acting on behalf
    revoke_role(bot.application.bot_data["staff"], ADMIN, COORDINATOR)
    replies = await bot.send(COORDINATOR, "马边")
    assert text("staff.denied") not in replies and replies  # their own interview answers
    assert await bot.send(COORDINATOR, "/applicants") == [text("staff.denied")]


async def test_an_applicant_deleted_meanwhile_ends_the_on_behalf_mode(bot):
    from bot.staff import delete_applicant, list_applicants

    await make_coordinator(bot)
    await bot.send(COORDINATOR, "/apply 阿木")
    ctx = bot.application.bot_data["staff"]
    [summary] = list_applicants(ctx, COORDINATOR, NOON.date())
    delete_applicant(ctx, COORDINATOR, summary.applicant.id)
    assert await bot.send(COORDINATOR, "马边") == [text("staff.applicant.unknown")]
    assert text("staff.applicant.unknown") not in await bot.send(COORDINATOR, "马边")


async def test_remind_me_on_behalf_stores_reminders_for_the_coordinator_naming_the_applicant(bot, storage):
    await make_coordinator(bot)
    await bot.send(COORDINATOR, "/apply 阿木")
    for action, value in INTERVIEW:
        await getattr(bot, action)(COORDINATOR, value)
    [remind] = [b["callback_data"] for b in bot.last_buttons(COORDINATOR)
                if b["text"] == text("interview.remind_button")]
    [saved] = await bot.tap(COORDINATOR, remind)
    stored = [r for r in storage.reminders(COORDINATOR) if r.sent_at is None]
    assert stored and all(r.text.startswith("阿木的补贴：") and r.chat_id == COORDINATOR for r in stored)
    assert "阿木" in saved and all(f"{r.due.month}月{r.due.day}日" in saved for r in stored)
    assert storage.reminders(WORKER) == []


async def test_a_home_county_corrected_in_the_interview_is_the_ledgers_county(bot):
    await make_coordinator(bot)
    await bot.send(COORDINATOR, "/apply 阿木")
    await bot.tap(COORDINATOR, "go")
    await bot.send(COORDINATOR, "/back")  # back to the home county the registration filled in
    assert "峨边彝族自治县" in (await bot.send(COORDINATOR, "峨边"))[0]
    await bot.tap(COORDINATOR, "a:person_category:poverty_alleviated")
    await bot.send(COORDINATOR, "/done")
    await bot.send(COORDINATOR, "/ledger")
    [row] = ledger_rows(bot, COORDINATOR)
    assert row[text("staff.ledger.col.county")] == "峨边彝族自治县"


async def test_invite_for_an_unknown_place_is_refused(bot):
    [reply] = await bot.send(ADMIN, "/invite staff 火星市")
    assert "没找到“火星市”" in reply and "start=" not in reply
    assert await bot.send(ADMIN, "/invites") == [text("tgstaff.invites.none")]
