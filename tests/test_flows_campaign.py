"""/campaign (政策找人) through the ChatApp: the count, the preview, the messages queued in the
outbox, nobody twice in a week, and people who marked the subsidy left out."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from test_flows_applicants import USERS, chat_for

from bot.broadcast.tables import OUTBOX
from bot.staff import create_invite, redeem_invite

TYPED = ["/start", "开始", "我老家马边县", "建档立卡户", "绍兴柯桥", "2024年2月 第一次来", "两年半", "对", "没有"]
OTHER_WORKER, MARKED_WORKER = 9801, 9802
ON_BEHALF = ["建档立卡户", "绍兴柯桥", "2024年2月 第一次来", "两年半", "对", "没有"]


def _interview(chat, user_id: int) -> None:
    for typed in TYPED:
        chat.act(user_id, "command" if typed.startswith("/") else "text", typed)


def _tap(chat, user_id: int, label: str) -> tuple[list[str], list, list]:
    [button] = [b for b in chat.shown[user_id] if label in b.label][:1]
    return chat.act(user_id, "button", button.data)


def _queued(storage) -> list[tuple[int, str]]:
    with storage.engine.connect() as db:
        return [(row.user_id, row.text) for row in db.execute(select(OUTBOX.c.user_id, OUTBOX.c.text))]


def test_workers_and_coordinators_may_not_run_a_campaign(sqlite_storage):
    chat = chat_for(sqlite_storage, {"as_of": date(2026, 11, 22), "coordinator": "马边 民主村"})
    for user in (USERS["worker"], USERS["coordinator"]):
        texts, _, _ = chat.act(user, "command", "/campaign")
        assert len(texts) == 1 and "没有权限" in texts[0]


def test_staff_of_another_county_do_not_see_these_people(sqlite_storage):
    chat = chat_for(sqlite_storage, {"as_of": date(2026, 11, 22), "coordinator": "马边 民主村"})
    _interview(chat, USERS["worker"])
    ctx = chat.app.deps.staff
    redeem_invite(ctx, 9901, create_invite(ctx, USERS["admin"], "staff", counties=("峨边",)).token)
    texts, _, _ = chat.act(9901, "command", "/campaign")
    assert "没有人" in texts[0]
