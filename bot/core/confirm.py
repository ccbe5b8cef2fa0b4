"""Confirming an uncertain answer: "你是说：普通农村，不是脱贫户？" [是] [不是，重新选].

The answer waits in ``state["confirm"]`` (JSON-able) until the person presses ``ok:<key>``
or ``no:<key>`` or types 是/对/不是; anything else typed is read as a new answer.
"""
from __future__ import annotations

import re
from typing import Any

from bot.core.answers import clean
from bot.core.presenter import answer_label, control_row, question_reply, question_text
from bot.core.questions import catalogue
from bot.core.readers import Parsed
from bot.core.render import text
from bot.core.replies import Button, Reply

YES = re.compile(r"(是|对|嗯|好|行|没错|对的|是的|对头|确定|yes|ok|y)[的啊呀吧了!！。]*")
NO = re.compile(r"(不是|不对|错了|不|否|没有|no|n)[的啊呀吧了!！。]*")


def hold(state: dict[str, Any], key: str, parsed: Parsed) -> Reply:
    """Keep an uncertain answer aside and ask the person to confirm it."""
    state["confirm"] = {"key": key, "facts": parsed.facts, "shown": parsed.shown, "denied": parsed.denied}
    state["options"] = []
    return prompt(state)


def prompt(state: dict[str, Any]) -> Reply:
    """The confirmation question with its two buttons."""
    held = state["confirm"]
    key, shown = held["key"], held["shown"]
    if shown in ("yes", "no"):
        body = text("interview.confirm_yes_no", question=question_text(key, state), value=answer_label(shown))
    else:
        denied = answer_label(held["denied"]) if held.get("denied") else ""
        body = text("interview.confirm", value=answer_label(shown), denied=denied)
    buttons = [[Button(text("interview.confirm_ok"), f"ok:{key}"),
                Button(text("interview.confirm_no"), f"no:{key}")]]
    return Reply(body, buttons + [control_row(state)])


def held_answer(state: dict[str, Any], key: str) -> Parsed | None:
    """The answer waiting for ``key`` (None when nothing waits for it: a stale button)."""
    held = state.get("confirm")
    if not isinstance(held, dict) or held.get("key") != key or state.get("pending") != key \
            or state.get("phase") != "asking":
        return None
    return Parsed(facts=dict(held.get("facts") or {}), shown=str(held.get("shown", "")))


def typed_choice(message: str) -> bool | None:
    """True for 是/对, False for 不是/不对, None for anything else (a new answer)."""
    value = clean(message)
    if YES.fullmatch(value):
        return True
    if NO.fullmatch(value):
        return False
    return None


def again(state: dict[str, Any], key: str) -> list[Reply]:
    """'No, that is not what I meant': drop the held answer and ask the question again."""
    state.pop("confirm", None)
    return [question_reply(state, key, "interview.confirm_again")]


def denied_reply(state: dict[str, Any], key: str, denied: str) -> list[Reply]:
    """Only a denial (不是监测户): say what was understood, then ask the question again."""
    return [Reply(text("interview.denied_only", denied=answer_label(denied)), []), question_reply(state, key)]


def pick_reply(state: dict[str, Any], key: str, typed: str, options: list[str]) -> Reply:
    """Values to pick for a vague amount of time (大半年 → 7个月 … 11个月), four to a row."""
    buttons = [Button(label, f"a:{key}:{i}") for i, label in enumerate(options)]
    body = text("interview.pick_months", typed=typed[:20], question=question_text(key, state))
    return Reply(body, [buttons[i:i + 4] for i in range(0, len(buttons), 4)] + [control_row(state)])


def known(key: str) -> bool:
    """Whether ``key`` is a question of the catalogue (button data is untrusted)."""
    return key in catalogue() or key == "first_arrival_same"
