"""Coordinator conversations (tests/cases/staff/conversations/*.yaml) through the fake Bot API.

A scenario names the coordinator's village (invited by the admin before the first step) and how
many applicants are registered beforehand; each step is typed or tapped by ``as`` (coordinator
by default, ``admin``, ``applicant`` or ``worker``). ``{link}`` and ``{invite}`` in a typed
message are the last applicant link and invite shown to anyone. See tests/cases/staff/conversations/README.md.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from fakebotapi.harness import OfflineBot
from scenario_checks import check, telegram_buttons

from bot.staff import StaffContext, register_applicant

SCENARIO_DIR = Path(__file__).parent / "cases" / "staff" / "conversations"
SCENARIOS = sorted(SCENARIO_DIR.glob("*.yaml"))
USERS = {"admin": 9501, "coordinator": 9502, "applicant": 9503, "worker": 9504}
NOON = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)
LINK = re.compile(r"start=(lnk_\S+)")
INVITE = re.compile(r"start=(inv_\S+)")
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻"


async def _setup(bot: OfflineBot, scenario: dict) -> None:
    """The admin invites the coordinator, who registers the listed number of applicants."""
    admin, coordinator = USERS["admin"], USERS["coordinator"]
    [invite] = await bot.send(admin, f"/invite coordinator {scenario['coordinator']}")
    token = re.search(r"start=(inv_\S+)", invite)[1]
    await bot.send(coordinator, f"/start {token}")
    ctx = bot.application.bot_data["staff"]
    for n in range(scenario.get("applicants", 0)):
        register_applicant(ctx, coordinator, SURNAMES[n % len(SURNAMES)] + "小" + "明亮"[n // len(SURNAMES)])


async def _act(bot: OfflineBot, step: dict, user_id: int, shown: list[dict], tokens: dict[str, str],
               where: str, tapped: dict[int, str]) -> None:
    """Type or tap the step's input (``retap``: the user's last tapped button once more)."""
    if "send" in step:
        typed = str(step["send"])
        for name, token in tokens.items():
            typed = typed.replace("{" + name + "}", token)
        await bot.send(user_id, typed)
    elif "retap" in step:
        await bot.tap(user_id, tapped[user_id])
    else:
        match = [b for b in shown if str(step["tap"]) in b["text"]]
        assert match, f"{where}: no button {step['tap']!r} in {[b['text'] for b in shown]}"
        tapped[user_id] = match[0]["callback_data"]
        await bot.tap(user_id, tapped[user_id])


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
async def test_staff_scenario_through_telegram(path, storage):
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    staff = StaffContext(engine=storage.engine, admin_ids=frozenset({USERS["admin"]}),
                         clock=lambda: NOON)
    async with OfflineBot(storage, staff=staff, as_of=scenario["as_of"]) as bot:
        await _setup(bot, scenario)
        shown: dict[int, list[dict]] = {}
        tapped: dict[int, str] = {}
        texts, labels, files, tokens = "", [], 0, {"link": "", "invite": ""}
        for number, step in enumerate(scenario["steps"], 1):
            where, user_id = f"{path.name} step {number}", USERS[step.get("as", "coordinator")]
            before, before_files = len(bot.api.sent(user_id)), len(bot.api.documents(user_id))
            if {"send", "tap", "retap"} & set(step):
                await _act(bot, step, user_id, shown.get(user_id, []), tokens, where, tapped)
                sent = bot.api.sent(user_id)[before:]
                files = len(bot.api.documents(user_id)) - before_files
                assert sent or files, f"{where}: no reply"
                texts = "\n".join(p["text"] for p in sent)
                shown[user_id] = telegram_buttons(sent) or shown.get(user_id, [])
                labels = [b["text"] for b in telegram_buttons(sent)]
                for name, pattern in (("link", LINK), ("invite", INVITE)):
                    tokens[name] = next(iter(pattern.findall(texts)), tokens[name])
            check(step, texts, labels, where, files)
        rejected = [(c.method, c.params) for c in bot.api.calls if c.status != 200]
        assert rejected == [], f"{path.name}: the Bot API would reject {rejected}"
