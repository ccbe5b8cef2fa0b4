"""Typed answers through the conversation core (tests/cases/answers*.yaml): the runner.

A case is typed while its question is pending; the outcome is the value recorded, or
"confirm" (shown back with 是 / 不是 buttons), "pick" (value buttons) or "ask again".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from bot.core import conversation as conv
from bot.core import interview as iv
from bot.core.questions import catalogue

CASES = Path(__file__).parent / "cases"


@dataclass
class Outcome:
    case: dict
    got: object

    @property
    def passed(self) -> bool:
        want = self.case["expect"]
        if isinstance(want, date):
            want = want.isoformat()
        return self.got == want


def load(name: str) -> tuple[dict, list[dict]]:
    """(file header, cases) of a conversation answer-case file."""
    data = yaml.safe_load((CASES / name).read_text(encoding="utf-8"))
    header = {"as_of": data["as_of"], "facts": data.get("facts", {})}
    return header, data.get("conversation", data.get("cases", []))


def state_asking(key: str, facts: dict) -> dict:
    """A conversation state whose pending question is ``key`` (its own facts not answered)."""
    state = iv.new_state()
    own = set(catalogue()[key].facts)
    state["facts"] = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in facts.items() if k not in own}
    state["phase"], state["pending"] = "asking", key
    return state


def outcome(case: dict, header: dict) -> Outcome:
    """What the core made of one typed answer."""
    key = case["ask"]
    facts = {**header["facts"], **case.get("facts", {})}
    turn = conv.handle_text(state_asking(key, facts), str(case["text"]), as_of=header["as_of"])
    fact = catalogue()[key].facts[0]
    data = [b.data for r in turn.replies for row in r.buttons for b in row]
    recorded = {k: v for k, v in turn.state["facts"].items() if k in catalogue()[key].facts}
    if turn.state.get("confirm") and f"ok:{key}" in data and not recorded:
        return Outcome(case, "confirm")
    if turn.state.get("options") and not recorded and any(d.startswith(f"a:{key}:") for d in data):
        return Outcome(case, "pick")
    if recorded:
        value = recorded.get(fact, next(iter(recorded.values())))
        return Outcome(case, value)
    if turn.state.get("pending") == key:
        return Outcome(case, "ask again")
    return Outcome(case, f"moved on to {turn.state.get('pending')}")
