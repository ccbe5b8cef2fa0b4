"""Staff job fairs in the real Application (offline Bot API): create, preview, send, progress, report."""
from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from fakebotapi.harness import OfflineBot
from sqlalchemy import func, select, update

from bot.adapters.telegram.fairs import REPLY_RESERVE, register
from bot.broadcast import FakeClock, SenderConfig, open_outbox
from bot.broadcast.tables import DRAFTS, FAIRS, OUTBOX
from bot.core.render import text
from bot.staff import StaffContext, Subject, create_invite, mark_claim, redeem_invite
from bot.staff.models import AuditRow

ADMIN, STAFF, OTHER_STAFF, COORD, WORKER = 1, 10, 11, 20, 30
MABIAN = "马边彝族自治县"
SUBSCRIBERS = list(range(1000, 1012))
ANSWERS = ["乐山马边专场招聘会", "12月5日 9:30", "对", "马边县人力资源市场", "马边县人社局", "马边",
           "岗位300个，带身份证"]  # "对": the time shown back (2026年12月5日（星期六）09:30) is right


@pytest.fixture
def setup(sqlite_storage, tmp_path):
    ctx = StaffContext(engine=sqlite_storage.engine, admin_ids=frozenset({ADMIN}))  # migrated storage
    for user, role, places in ((STAFF, "staff", {"counties": ("马边",)}),
                               (OTHER_STAFF, "staff", {"counties": ("沐川",)}),
                               (COORD, "coordinator", {"county": "马边", "village": "民建村"})):
        redeem_invite(ctx, user, create_invite(ctx, ADMIN, role, **places).token)
    outbox = open_outbox(f"sqlite:///{tmp_path / 'outbox.sqlite3'}")
    yield sqlite_storage, ctx, outbox
    outbox.close()


def _bot(setup, api=None) -> OfflineBot:
    storage, ctx, outbox = setup
    bot = OfflineBot(storage, api=api)
    register(bot.application, outbox=outbox, staff_ctx=ctx, storage=storage,
             progress_interval=0.05,
             sender_config=SenderConfig(rate=200, idle_poll=0.02, backoff_base=0.01))
    for user in SUBSCRIBERS:
        bot.api.user(user)
        storage.upsert_user(user, user, "老乡")
        storage.subscribe(user, "county", MABIAN)
    storage.subscribe(2000, "county", "沐川县")  # another county: never reached
    return bot


async def _create(bot: OfflineBot, user: int) -> list[str]:
    """The staff member answers every /fair question; return the replies to the last answer."""
    await bot.send(user, "/fair")
    for answer in ANSWERS:
        replies = await bot.send(user, answer)
    return replies


def _draft(storage, user: int) -> dict | None:
    """The user's open /fair draft: the fair flow's state in their chat record (None: none open)."""
    flow = (storage.load_conversation(f"tg:{user}") or {}).get("flow") or {}
    return flow.get("state") if flow.get("name") == "fair_draft" else None


def _counts(outbox) -> tuple[int, int, int]:
    with outbox.engine.connect() as db:
        return tuple(db.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (FAIRS, OUTBOX, DRAFTS))


async def _wait(predicate, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


async def test_create_preview_send_progress_report(setup) -> None:
    _storage, _ctx, outbox = setup
    async with _bot(setup) as bot:
        replies = await _create(bot, STAFF)
        assert replies[0] == text("fairs.preview_head")
        preview = replies[1]
        assert "乐山马边专场招聘会" in preview and "2026年12月5日 09:30" in preview
        assert "岗位300个" in preview and replies[2] == text("fairs.reach", n=len(SUBSCRIBERS))
        labels = [b["text"] for b in bot.last_buttons(STAFF)]
        assert labels == ["立即发送", "定时发送", "取消"]
        await bot.tap(STAFF, bot.last_buttons(STAFF)[0]["callback_data"])
        fair = outbox.fairs()[0]
        await _wait(lambda: fair.id not in [w.fair_id for w in outbox.watched()])
        delivered = {uid: bot.api.replies_to(uid) for uid in SUBSCRIBERS}
        assert all(texts == [preview] for texts in delivered.values())
        assert bot.api.replies_to(2000) == []
        edits = [c.params for c in bot.api.calls
                 if c.method == "editMessageText" and c.status == 200]
        assert edits and edits[-1]["chat_id"] == STAFF
        assert f"已发送 {len(SUBSCRIBERS)}" in edits[-1]["text"] and "剩余 0" in edits[-1]["text"]
        report = bot.api.replies_to(STAFF)[-1]
        assert f"共{len(SUBSCRIBERS)}人：已发送 {len(SUBSCRIBERS)}" in report
        listing = (await bot.send(STAFF, "/fairs"))[0]
        assert "已发完" in listing and f"已发送{len(SUBSCRIBERS)}" in listing


async def test_blocked_user_is_unsubscribed_and_reported(setup) -> None:
    storage, _ctx, outbox = setup
    async with _bot(setup) as bot:
        blocked = SUBSCRIBERS[3]
        bot.api.fault = lambda method, params: (
            (403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"})
            if method == "sendMessage" and params["chat_id"] == blocked else None)
        await _create(bot, STAFF)
        await bot.tap(STAFF, bot.last_buttons(STAFF)[0]["callback_data"])
        await _wait(lambda: not outbox.watched() and outbox.fairs()[0].status == "done")
        assert storage.subscriptions(blocked) == []
        assert storage.subscriptions(SUBSCRIBERS[0])
        assert "已屏蔽 1" in bot.api.replies_to(STAFF)[-1]


async def test_schedule_then_due_fair_is_sent(setup) -> None:
    _storage, _ctx, outbox = setup
    async with _bot(setup) as bot:
        await _create(bot, STAFF)
        await bot.tap(STAFF, bot.last_buttons(STAFF)[1]["callback_data"])
        assert (await bot.send(STAFF, "12月1日 8:00")) == [
            text("fairs.confirm_when", when="2026年12月1日（星期二）08:00")]
        assert (await bot.tap(STAFF, "fair:when_ok")) == [
            text("fairs.scheduled", when="2026年12月1日（星期二）08:00")]
        fair = outbox.fairs()[0]
        assert fair.status == "scheduled" and _counts(outbox)[1] == 0
        outbox.set_fair_status(fair.id, "scheduled", send_at=outbox.clock.now())  # time passes
        await _wait(lambda: outbox.get_fair(fair.id).status == "done" and not outbox.watched())
        assert all(len(bot.api.replies_to(uid)) == 1 for uid in SUBSCRIBERS)


async def test_cancel_sends_nothing(setup) -> None:
    _storage, _ctx, outbox = setup
    async with _bot(setup) as bot:
        await _create(bot, STAFF)
        await bot.tap(STAFF, bot.last_buttons(STAFF)[2]["callback_data"])
        assert outbox.fairs()[0].status == "cancelled" and _counts(outbox)[1] == 0
        assert (await bot.tap(STAFF, f"fair:send:{outbox.fairs()[0].id}")) == [text("fairs.stale")]


@pytest.mark.parametrize("user", [WORKER, COORD])
@pytest.mark.parametrize("command", ["/fair", "/fairs", "/stats"])
async def test_worker_and_coordinator_are_refused(setup, user, command) -> None:
    storage, _ctx, outbox = setup
    async with _bot(setup) as bot:
        before = _counts(outbox)
        assert await bot.send(user, command) == [text("staff.denied")]
        assert await bot.send(user, "乐山马边专场招聘会") != [text("fairs.ask.starts_at")]
        assert _counts(outbox) == before and _draft(storage, user) is None


async def test_refused_button_changes_nothing(setup) -> None:
    _storage, _ctx, outbox = setup
    async with _bot(setup) as bot:
        await _create(bot, STAFF)
        fair_id = outbox.fairs()[0].id
        for user in (WORKER, COORD):
            assert await bot.tap(user, f"fair:send:{fair_id}") == [text("staff.denied")]
        assert await bot.tap(OTHER_STAFF, f"fair:send:{fair_id}") == [text("fairs.stale")]
        assert outbox.get_fair(fair_id).status == "draft" and _counts(outbox)[1] == 0


async def test_staff_cannot_target_a_county_they_do_not_serve(setup) -> None:
    storage, _ctx, _outbox = setup
    async with _bot(setup) as bot:
        await bot.send(STAFF, "/fair")
        for answer in ANSWERS[:5]:
            await bot.send(STAFF, answer)
        replies = await bot.send(STAFF, "沐川")
        assert replies == [text("fairs.bad.place", name="沐川县", places=MABIAN)]
        assert _draft(storage, STAFF)["step"] == "targets"


async def test_draft_survives_a_restart(setup) -> None:
    storage, _ctx, _outbox = setup
    async with _bot(setup) as bot:
        await bot.send(STAFF, "/fair")
        await bot.send(STAFF, ANSWERS[0])
    async with _bot(setup, api=bot.api) as again:  # same server: update ids go on
        assert await again.send(STAFF, ANSWERS[1]) == [
            text("fairs.confirm_when", when="2026年12月5日（星期六）09:30")]
        assert await again.send(STAFF, ANSWERS[2]) == [text("fairs.ask.place")]
        assert _draft(storage, STAFF)["fields"]["title"] == ANSWERS[0]


async def test_stats_counts_interviews_and_fairs(setup) -> None:
    storage, ctx, _outbox = setup
    storage.save_conversation("tg:1000", {"facts": {"origin_county": "马边"}})
    storage.save_conversation("tg:2000", {"facts": {"origin_county": "沐川"}})
    async with _bot(setup) as bot:
        body = (await bot.send(STAFF, "/stats"))[0]
        assert "问过补贴的人：1" in body and MABIAN in body and "沐川" not in body
        assert "招聘会：0场" in body
        photos = [c for c in bot.api.calls if c.method == "sendPhoto" and c.status == 200]
        assert len(photos) == 1   # the chart, drawn off the event loop, accepted by the Bot API
    with ctx.transaction() as session:
        assert session.scalars(select(AuditRow).where(AuditRow.action == "stats.read")).all()


async def test_stats_never_shows_zero_yuan_for_a_subsidy_without_a_figure(setup) -> None:
    """重庆's transport help sets no amount: /stats says so instead of adding 0元."""
    storage, _ctx, _outbox = setup
    storage.save_conversation("tg:1000", {"facts": {
        "origin_county": "巫溪县", "person_category": "poverty_alleviated", "work_province": "广东"}})
    async with _bot(setup) as bot:
        bot.as_of = date(2025, 6, 1)
        body = (await bot.send(ADMIN, "/stats"))[0]
    county = next(line for line in body.splitlines() if line.startswith("巫溪县"))
    assert "文件未定金额" in county and "元" not in county
    policies = body.split("按补贴")[1].split("金额按文件")[0]
    assert "文件未定金额" in policies and "0元" not in policies


async def test_stats_show_claims_applied_and_received(setup) -> None:
    """A worker marked 重庆's transport help 已到账 with 800元: /stats counts it, the document's
    missing figure stays 文件未定金额, the received money is what he entered."""
    storage, ctx, _outbox = setup
    storage.save_conversation("tg:1000", {"facts": {
        "origin_county": "巫溪县", "person_category": "poverty_alleviated", "work_province": "广东"}})
    mark_claim(ctx, 1000, Subject.worker(1000), "chongqing.cross_province_transport", "received",
               amount="800元", as_of=date(2025, 6, 1))
    async with _bot(setup) as bot:
        bot.as_of = date(2025, 6, 1)
        body = (await bot.send(ADMIN, "/stats"))[0]
    progress = body.split("申领进度按老家县：")[1]
    county = next(line for line in progress.splitlines() if line.startswith("巫溪县"))
    assert "已申请1项（文件未定金额" in county and county.endswith("已到账1项（800元）")
    policy = next(line for line in body.split("申领进度按补贴：")[1].splitlines()
                  if "已到账1项" in line)
    assert policy.endswith("已申请1项（文件未定金额），已到账1项（800元）")


class _ProtocolOnly:
    """The storage seen only through the Storage protocol (no SQL shortcut)."""

    def __init__(self, storage) -> None:
        self.subscriptions, self.get_user = storage.subscriptions, storage.get_user


def test_recipients_once_per_user_through_sql_and_protocol(sqlite_storage) -> None:
    from bot.adapters.telegram.broadcast import recipients

    sqlite_storage.upsert_user(5, 500, "老乡")
    for user, county in ((5, MABIAN), (5, "沐川县"), (6, MABIAN), (7, "峨边彝族自治县")):
        sqlite_storage.subscribe(user, "county", county)
    sqlite_storage.subscribe(5, "city", "乐山市")
    wanted = [(5, 500), (6, 6)]  # user 6 never wrote /start here: private chat id = user id
    counties = [MABIAN, "沐川县"]
    assert recipients(sqlite_storage, counties) == wanted
    assert recipients(_ProtocolOnly(sqlite_storage), counties) == wanted


async def test_role_taken_away_mid_draft_frees_the_chat(setup) -> None:
    from bot.staff import revoke_role

    storage, ctx, outbox = setup
    async with _bot(setup) as bot:
        await bot.send(STAFF, "/fair")
        assert _draft(storage, STAFF) == {"step": "title", "fields": {}}
        revoke_role(ctx, ADMIN, STAFF)
        assert await bot.send(STAFF, ANSWERS[0]) == [text("staff.denied")]
        assert _draft(storage, STAFF) is None and outbox.fairs() == []


def test_one_process_wins_the_report_and_the_scheduled_start(tmp_path) -> None:
    outbox = open_outbox(f"sqlite:///{tmp_path / 'outbox.sqlite3'}")
    fair = outbox.create_fair(title="招聘会", starts_at=outbox.clock.now(), place_or_link="县人才市场",
                              organiser="县人社局", target_counties=[MABIAN], created_by=STAFF,
                              status="scheduled", send_at=outbox.clock.now())
    now = outbox.clock.now()
    assert [outbox.claim_scheduled(fair.id, now) for _ in range(2)] == [True, False]
    assert outbox.get_fair(fair.id).status == "scheduled" and outbox.finish_fairs() == []
    later = now + timedelta(seconds=301)  # the winner died before enqueueing: another retries
    assert [outbox.claim_scheduled(fair.id, later) for _ in range(2)] == [True, False]
    outbox.watch(fair.id, STAFF, 7, "进度")
    assert [outbox.claim_report(fair.id) for _ in range(2)] == [True, False]
    outbox.shown(fair.id, "新进度")  # a late progress edit keeps the report claimed
    assert outbox.watched() == [] and outbox.claim_report(fair.id) is False
    outbox.close()


LINKED_ONLY = 3000  # an applicant's own account: never subscribed, reached through the link


def _link(ctx, name: str, account: int) -> None:
    """The coordinator registers ``name`` in 马边 and the worker opens their one-time link."""
    from bot.staff import create_link, redeem_link, register_applicant

    applicant = register_applicant(ctx, COORD, name)
    redeem_link(ctx, account, create_link(ctx, COORD, applicant.id).token)


def test_recipients_include_linked_applicants_of_the_county_once(setup) -> None:
    from bot.adapters.telegram.broadcast import recipients

    storage, ctx, _outbox = setup
    storage.subscribe(5, "county", MABIAN)
    _link(ctx, "阿木", LINKED_ONLY)
    _link(ctx, "阿依", 5)  # subscribed and linked
    assert recipients(storage, [MABIAN]) == [(5, 5), (LINKED_ONLY, LINKED_ONLY)]
    assert recipients(storage, ["沐川县"]) == []


async def test_a_fair_reaches_linked_applicants_exactly_once(setup) -> None:
    _storage, ctx, outbox = setup
    async with _bot(setup) as bot:
        bot.api.user(LINKED_ONLY)
        _link(ctx, "阿木", LINKED_ONLY)
        _link(ctx, "阿依", SUBSCRIBERS[0])
        replies = await _create(bot, STAFF)
        assert replies[2] == text("fairs.reach", n=len(SUBSCRIBERS) + 1)
        await bot.tap(STAFF, bot.last_buttons(STAFF)[0]["callback_data"])
        await _wait(lambda: not outbox.watched() and outbox.fairs()[0].status == "done")
        assert bot.api.replies_to(LINKED_ONLY) == [replies[1]]
        assert bot.api.replies_to(SUBSCRIBERS[0]) == [replies[1]]
        assert _counts(outbox)[1] == len(SUBSCRIBERS) + 1
        assert f"共{len(SUBSCRIBERS) + 1}人：已发送 {len(SUBSCRIBERS) + 1}" in bot.api.replies_to(STAFF)[-1]


@pytest.fixture
def at_2046(setup, tmp_path):
    """The same people, with the outbox clock at 2026-11-25 20:46 China time (12:46 UTC)."""
    storage, ctx, _outbox = setup
    outbox = open_outbox(f"sqlite:///{tmp_path / 'clocked.sqlite3'}",
                         clock=FakeClock(datetime(2026, 11, 25, 12, 46, tzinfo=UTC)))
    yield storage, ctx, outbox
    outbox.close()


async def test_a_time_earlier_today_is_asked_about_never_moved_to_next_year(at_2046) -> None:
    storage, _ctx, _outbox = at_2046
    async with _bot(at_2046) as bot:
        await bot.send(STAFF, "/fair")
        await bot.send(STAFF, ANSWERS[0])
        assert await bot.send(STAFF, "11月25日 20:00") == [
            text("fairs.confirm_when_past", when="2026年11月25日（星期三）20:00")]
        labels = [b["text"] for b in bot.last_buttons(STAFF)]
        assert labels == ["对，就是这个时间", "重新输入", "取消"]
        assert await bot.tap(STAFF, "fair:when_retype") == [text("fairs.ask.starts_at")]
        assert await bot.send(STAFF, "11月25日 21:00") == [
            text("fairs.confirm_when", when="2026年11月25日（星期三）21:00")]
        assert await bot.send(STAFF, "11月26日 9:00") == [   # a retype replaces the time shown
            text("fairs.confirm_when", when="2026年11月26日（星期四）09:00")]
        assert await bot.send(STAFF, "对") == [text("fairs.ask.place")]
        assert _draft(storage, STAFF)["fields"]["starts_at"] == "2026-11-26T01:00:00+00:00"


async def test_a_send_time_already_past_is_refused(at_2046) -> None:
    _storage, _ctx, outbox = at_2046
    async with _bot(at_2046) as bot:
        await _create(bot, STAFF)
        await bot.tap(STAFF, bot.last_buttons(STAFF)[1]["callback_data"])
        assert await bot.send(STAFF, "11月25日 20:00") == [
            text("fairs.bad.send_past", when="2026年11月25日（星期三）20:00")]
        assert outbox.fairs()[0].status == "draft"


async def _schedule_one(bot: OfflineBot, outbox) -> int:
    await _create(bot, STAFF)
    await bot.tap(STAFF, bot.last_buttons(STAFF)[1]["callback_data"])
    await bot.send(STAFF, "12月1日 8:00")
    await bot.tap(STAFF, "fair:when_ok")
    return outbox.fairs()[0].id


async def test_fairs_shows_the_send_time_and_a_scheduled_fair_can_be_cancelled(setup) -> None:
    _storage, _ctx, outbox = setup
    async with _bot(setup) as bot:
        fair_id = await _schedule_one(bot, outbox)
        [listing] = await bot.send(STAFF, "/fairs")
        assert "开始：2026年12月5日（星期六）09:30\n  定时发送：2026年12月1日（星期二）08:00\n" in listing
        [button] = bot.last_buttons(STAFF)
        assert button["text"] == f"取消第{fair_id}场"
        assert await bot.tap(STAFF, button["callback_data"]) == [text(
            "fairs.confirm_cancel", title=ANSWERS[0], when="2026年12月1日（星期二）08:00")]
        assert [b["text"] for b in bot.last_buttons(STAFF)] == ["确定取消", "不取消"]
        assert await bot.tap(STAFF, f"fairl:yes:{fair_id}") == [text("fairs.cancelled")]
        assert outbox.get_fair(fair_id).status == "cancelled"
        with outbox.engine.begin() as db:   # its send time comes: the fair loop must skip it
            db.execute(update(FAIRS).where(FAIRS.c.id == fair_id)
                       .values(send_at=outbox.clock.now() - timedelta(minutes=1)))
        await asyncio.sleep(0.5)            # ten rounds of the fair loop and the sender
        assert _counts(outbox)[1] == 0 and all(bot.api.replies_to(u) == [] for u in SUBSCRIBERS)
        assert await bot.tap(STAFF, f"fairl:yes:{fair_id}") == [text("fairs.too_late")]
        [listing] = await bot.send(STAFF, "/fairs")
        assert "已取消" in listing and "定时发送" not in listing
        assert bot.api.sent(STAFF)[-1].get("reply_markup") is None


async def test_keeping_a_scheduled_fair_and_others_cannot_cancel_it(setup) -> None:
    _storage, _ctx, outbox = setup
    async with _bot(setup) as bot:
        fair_id = await _schedule_one(bot, outbox)
        await bot.send(STAFF, "/fairs")
        await bot.tap(STAFF, bot.last_buttons(STAFF)[0]["callback_data"])
        assert await bot.tap(STAFF, f"fairl:keep:{fair_id}") == [text("fairs.kept")]
        assert await bot.tap(OTHER_STAFF, f"fairl:yes:{fair_id}") == [text("fairs.too_late")]
        assert await bot.tap(WORKER, f"fairl:yes:{fair_id}") == [text("staff.denied")]
        assert outbox.get_fair(fair_id).status == "scheduled"


def test_a_fair_cancelled_after_its_start_was_claimed_gets_no_recipients(setup) -> None:
    _storage, _ctx, outbox = setup
    fair = outbox.create_fair(title="t", starts_at=outbox.clock.now(), place_or_link="p",
                              organiser="o", target_counties=[MABIAN], details="", created_by=STAFF)
    outbox.set_fair_status(fair.id, "scheduled", send_at=outbox.clock.now())
    assert outbox.claim_scheduled(fair.id, outbox.clock.now())
    assert outbox.cancel_unsent(fair.id)
    assert outbox.enqueue(fair.id, [(1, 1), (2, 2)]) == 0
    assert outbox.get_fair(fair.id).status == "cancelled" and _counts(outbox)[1] == 0
    started = outbox.create_fair(title="t", starts_at=outbox.clock.now(), place_or_link="p",
                                 organiser="o", target_counties=[MABIAN], details="",
                                 created_by=STAFF)
    outbox.enqueue(started.id, [(1, 1)])
    assert not outbox.cancel_unsent(started.id) and outbox.get_fair(started.id).status == "sending"


async def test_every_incoming_update_sets_budget_aside_for_its_replies(setup) -> None:
    async with _bot(setup) as bot:
        reserved: list[float] = []
        bot.application.bot_data["fairs"].sender.reserve = reserved.append
        await bot.send(WORKER, "你好")
        await bot.tap(STAFF, "fair:quit")
        assert reserved == [REPLY_RESERVE, REPLY_RESERVE]
