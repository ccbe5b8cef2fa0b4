"""Every conversation scenario (tests/cases/conversations/*.yaml) through the Telegram adapter."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fakebotapi.harness import OfflineBot

SCENARIO_DIR = Path(__file__).parent / "cases" / "conversations"
SCENARIOS = sorted(SCENARIO_DIR.glob("*.yaml"))
USER = 9001


def _buttons(sent: list[dict]) -> list[dict]:
    """Every button under the given sent messages."""
    return [button for params in sent
            for row in (params.get("reply_markup") or {}).get("inline_keyboard", []) for button in row]


def _check(step: dict, texts: str, labels: list[str], where: str) -> None:
    for wanted in step.get("expect", []):
        assert wanted in texts, f"{where}: expected {wanted!r} in:\n{texts}"
    for unwanted in step.get("expect_not", []):
        assert unwanted not in texts, f"{where}: did not expect {unwanted!r} in:\n{texts}"
    for label in step.get("expect_buttons", []):
        assert any(label in shown for shown in labels), f"{where}: no button {label!r} in {labels}"


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
                texts, shown = "\n".join(p["text"] for p in sent), _buttons(sent)
            _check(step, texts, [b["text"] for b in shown], where)
        rejected = [(c.method, c.params) for c in bot.api.calls if c.status != 200]
        assert rejected == [], f"{path.name}: the Bot API would reject {rejected}"
