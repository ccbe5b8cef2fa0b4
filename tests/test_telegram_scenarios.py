"""Every conversation scenario (tests/cases/conversations/*.yaml) through the Telegram adapter."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fakebotapi.harness import OfflineBot
from scenario_checks import check, telegram_buttons

SCENARIO_DIR = Path(__file__).parent / "cases" / "conversations"
SCENARIOS = sorted(SCENARIO_DIR.glob("*.yaml"))
USER = 9001


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
async def test_scenario_through_telegram(path, sqlite_storage):
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    async with OfflineBot(sqlite_storage, as_of=scenario["as_of"]) as bot:
        texts, shown = "", []
        for number, step in enumerate(scenario["steps"], 1):
            where = f"{path.name} step {number}"
            before = len(bot.api.sent(USER))
            if "send" in step:
                await bot.send(USER, str(step["send"]))
            elif "tap" in step:
                match = [b for b in shown if str(step["tap"]) in b["text"]]
                assert match, f"{where}: no button {step['tap']!r} in {[b['text'] for b in shown]}"
                await bot.tap(USER, match[0]["callback_data"])
            if {"send", "tap"} & set(step):
                sent = bot.api.sent(USER)[before:]
                assert sent, f"{where}: no reply"
                texts, shown = "\n".join(p["text"] for p in sent), telegram_buttons(sent)
            check(step, texts, [b["text"] for b in shown], where)
        rejected = [(c.method, c.params) for c in bot.api.calls if c.status != 200]
        assert rejected == [], f"{path.name}: the Bot API would reject {rejected}"
