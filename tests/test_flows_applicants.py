"""The applicant flows (tests/cases/flows/applicants/*.yaml) straight through ChatApp, no channel.

A small runner: each step is typed or tapped by ``as`` through :meth:`ChatApp.handle`, the
record stored as an adapter would (only when it changed); the step's replies, buttons and
``send_file`` events are checked (see the README next to the cases).
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from flow_runner import Chats
from openpyxl import load_workbook
from scenario_checks import check

from bot.core import conversation
from bot.core.replies import MAX_BUTTON_DATA
from bot.flows import ChatApp, Deps
from bot.flows.data import APPLICANTS
from bot.staff import StaffContext, create_invite, redeem_invite, register_applicant
from bot.storage import Storage

CASES = sorted(p for kind in ("applicants", "claims")
               for p in (Path(__file__).parent / "cases" / "flows" / kind).glob("*.yaml"))
USERS = {"admin": 9701, "coordinator": 9702, "applicant": 9703, "worker": 9704, "staff": 9705}
NOON = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)
LINK = re.compile(r"start=(lnk_\S+)")
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻"
TELEGRAM_MAX_BUTTONS = 100


class Chat(Chats):
    """ChatApp with the users' last screens, as a channel would keep them (``flow_runner``)."""

    link: str = ""

    def act(self, user_id: int, kind: str, value: str = "", **file: Any) -> Any:  # type: ignore[override]
        """One input: the replies' texts, their button rows, the turn's events."""
        turn = super().act(user_id, kind, value, **file)
        return [reply.text for reply in turn.replies], [reply.buttons for reply in turn.replies], turn.events


def chat_for(storage: Storage, scenario: dict) -> Chat:
    """The coordinator (and staff) invited, the listed number of applicants registered."""
    as_of = scenario["as_of"]
    ctx = StaffContext(engine=storage.engine, admin_ids=frozenset({USERS["admin"]}),
                       clock=lambda: NOON)
    county, village = scenario["coordinator"].split()
    invite = create_invite(ctx, USERS["admin"], "coordinator", county=county, village=village)
    redeem_invite(ctx, USERS["coordinator"], invite.token)
    if scenario.get("staff"):
        invite = create_invite(ctx, USERS["admin"], "staff", counties=tuple(scenario["staff"].split()))
        redeem_invite(ctx, USERS["staff"], invite.token)
    for n in range(scenario.get("applicants", 0)):
        register_applicant(ctx, USERS["coordinator"],
                           SURNAMES[n % len(SURNAMES)] + "小" + "明亮"[n // len(SURNAMES)])
    return Chat(ChatApp(Deps(storage, ctx, lambda: as_of, conversation)))


def _input(chat: Chat, step: dict, user_id: int, where: str) -> tuple[str, str]:
    """The step's input as (kind, text)."""
    if "send" in step:
        typed = str(step["send"]).replace("{link}", chat.link)
        return ("command" if typed.startswith("/") else "text"), typed
    if "retap" in step:
        return "button", chat.tapped[user_id]
    screen = chat.shown.get(USERS[step.get("from", step.get("as", "coordinator"))], [])
    match = [b for b in screen if str(step["tap"]) in b.label]
    assert match, f"{where}: no button {step['tap']!r} in {[b.label for b in screen]}"
    chat.tapped[user_id] = match[0].data
    return "button", match[0].data


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_applicant_flow(path, sqlite_storage):
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    chat = chat_for(sqlite_storage, scenario)
    for number, step in enumerate(scenario["steps"], 1):
        where, user_id = f"{path.name} step {number}", USERS[step.get("as", "coordinator")]
        kind, typed = _input(chat, step, user_id, where)
        texts, buttons, events = chat.act(user_id, kind, typed)
        files = [e for e in events if e.get("type") == "send_file"]
        assert texts or files, f"{where}: no reply"
        for rows in buttons:   # what Telegram accepts under one message
            assert sum(len(row) for row in rows) < TELEGRAM_MAX_BUTTONS, where
            assert all(len(b.data.encode()) <= MAX_BUTTON_DATA for row in rows for b in row), where
        joined = "\n".join(texts)
        chat.link = next(iter(LINK.findall(joined)), chat.link)
        labels = [b.label for rows in buttons for row in rows for b in row]
        check(step, joined, labels, where, len(files))


@pytest.fixture
def coordinator_chat(sqlite_storage) -> Chat:
    """A coordinator of 马边 民主村, nobody registered."""
    return chat_for(sqlite_storage, {"as_of": date(2026, 11, 22), "coordinator": "马边 民主村"})


def test_ledger_is_a_send_file_event_with_the_applicants_workbook(coordinator_chat):
    chat, coordinator = coordinator_chat, USERS["coordinator"]
    chat.act(coordinator, "command", "/apply 阿木")
    chat.act(coordinator, "command", "/done")
    texts, _, events = chat.act(coordinator, "command", "/ledger")
    [event] = events
    assert event["type"] == "send_file" and event["name"].endswith(".xlsx") and texts == []
    assert event["caption"] and not event["photo"]
    sheet = load_workbook(BytesIO(event["data"])).active
    assert "阿木" in [cell for row in sheet.iter_rows(values_only=True) for cell in row]


def test_the_search_waits_in_the_record_and_ends_with_the_name(coordinator_chat):
    chat, coordinator = coordinator_chat, USERS["coordinator"]
    chat.act(coordinator, "button", f"{APPLICANTS}find")
    assert chat.app.load(coordinator)["flow"] == {"name": "applicants", "state": {"step": "search"}}
    chat.act(coordinator, "text", "阿木")
    assert "flow" not in (chat.app.load(coordinator) or {})


def test_a_search_text_travels_in_ascii_page_buttons_and_comes_back(sqlite_storage):
    scenario = {"as_of": date(2026, 11, 22), "coordinator": "马边 民主村", "applicants": 40}
    chat, coordinator = chat_for(sqlite_storage, scenario), USERS["coordinator"]
    _, buttons, _ = chat.act(coordinator, "command", "/applicants 小明")
    [following] = [b.data for rows in buttons for row in rows for b in row if "下一页" in b.label]
    assert following.isascii()
    texts, _, _ = chat.act(coordinator, "button", following)
    assert "名字里有“小明”的" in texts[0] and "第2页" in texts[0]


def test_a_list_or_a_refusal_stores_no_record(coordinator_chat):
    chat = coordinator_chat
    chat.act(USERS["coordinator"], "command", "/applicants")
    chat.act(USERS["worker"], "button", f"{APPLICANTS}svc:1")
    assert chat.app.load(USERS["coordinator"]) is None and chat.app.load(USERS["worker"]) is None


def test_back_on_behalf_goes_to_the_applicants_interview_not_the_coordinators(coordinator_chat):
    chat, coordinator = coordinator_chat, USERS["coordinator"]
    chat.act(coordinator, "command", "/apply 阿木")
    chat.act(coordinator, "button", "go")
    texts, buttons, _ = chat.act(coordinator, "command", "/back")
    record = chat.app.load(coordinator)
    assert set(record) == {"flow"} and record["flow"]["name"] == "behalf_interview"
    assert "结束代办" in [b.label for rows in buttons for row in rows for b in row], texts
    chat.act(coordinator, "command", "/applicants")   # any other command leaves it
    assert "flow" not in (chat.app.load(coordinator) or {})


def test_a_replayed_update_registers_and_answers_once(coordinator_chat):
    """After a crash the inbox hands the same update (same ref) to the flows again, from the
    record as it was: /apply registers nobody new, the interview on behalf takes the answer once."""
    from bot.core.flow import Input
    from bot.staff import get_applicant
    from bot.staff.applicants import own_applicants

    app, coordinator = coordinator_chat.app, USERS["coordinator"]

    def twice(kind: str, text: str, ref: str) -> list[str]:
        before = app.load(coordinator)
        turns = [app.handle(Input(kind, text, coordinator, coordinator, ref=ref), before)
                 for _ in range(2)]   # handled, killed before "done", handled again
        for key, record in app.to_store(coordinator, turns[-1], before).items():
            app.deps.storage.save_conversation(key, record)
        return ["\n".join(r.text for r in turn.replies) for turn in turns]

    first, again = twice("command", "/apply 阿木", "tg:500")
    assert "登记好了：阿木" in first and "登记好了：阿木" in again
    [amu] = own_applicants(app.deps.staff, coordinator)
    twice("button", "go", "tg:501")
    twice("text", "建档立卡户", "tg:502")
    answers = get_applicant(app.deps.staff, coordinator, amu.id).state["answers"]
    assert [a["q"] for a in answers] == ["origin_county", "person_category"]   # once, not twice
