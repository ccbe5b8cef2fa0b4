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


def test_a_campaign_reaches_the_unclaimed_once_a_week(sqlite_storage):
    chat = chat_for(sqlite_storage, {"as_of": date(2026, 11, 22), "coordinator": "马边 民主村",
                                     "staff": "马边"})
    for worker in (USERS["worker"], OTHER_WORKER, MARKED_WORKER):
        _interview(chat, worker)
    _tap(chat, MARKED_WORKER, "记录申领情况")
    _tap(chat, MARKED_WORKER, "稳岗")
    _tap(chat, MARKED_WORKER, "已申请")
    _tap(chat, MARKED_WORKER, "今天")
    coordinator = USERS["coordinator"]
    chat.act(coordinator, "command", "/apply 阿木")
    _tap(chat, coordinator, "开始")
    for typed in ON_BEHALF:
        chat.act(coordinator, "text", typed)
    chat.act(coordinator, "command", "/done")

    staff = USERS["staff"]
    texts, _, _ = chat.act(staff, "command", "/campaign")
    assert "选一项补贴" in texts[0]
    items = [b.label for b in chat.shown[staff]]
    [steady] = [label for label in items if "稳岗" in label]
    assert "2026年12月31日截止" in steady and "3人" in steady   # two workers and 阿木; not the one who marked
    texts, _, _ = _tap(chat, staff, "稳岗")
    assert "将提醒3人：2人直接收到消息，1人没有用帮扶通" in texts[0] and "已经记录申领情况的1人不发" in texts[0]
    assert "3000元" in texts[1] and "2026年12月31日截止" in texts[1]
    texts, _, _ = _tap(chat, staff, "发送")
    assert "3条消息" in texts[0]
    queued = _queued(sqlite_storage)
    assert sorted(user for user, _ in queued) == sorted([USERS["worker"], OTHER_WORKER, coordinator])
    call_list = next(body for user, body in queued if user == coordinator)
    assert "阿木" in call_list and "打电话" in call_list

    texts, _, _ = chat.act(staff, "command", "/campaign")   # the same week: nobody to tell again
    assert not any("稳岗" in b.label for b in chat.shown.get(staff, []) if b.data.startswith("cmp:"))
    assert len(_queued(sqlite_storage)) == 3


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
