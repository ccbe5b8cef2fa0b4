"""A scripted stand-in for ``bot.core.conversation`` to test the adapter's machinery alone."""
from __future__ import annotations

from datetime import date

from bot.core.replies import Button, Reply, Turn

LONG_REPLY = "很长的一段话。\n" * 700  # about 5600 characters: must be split


def _state(state: dict | None) -> dict:
    fresh = {"count": 0, "facts": {}, "answers": [], "seen": []}
    return {**fresh, **(state or {})}


def start(state: dict | None, *, as_of: date, payload: str | None = None) -> Turn:
    """Welcome with one button; remembers the payload."""
    state = _state(state)
    state["payload"] = payload or state.get("payload")
    return Turn(state, [Reply(f"welcome {as_of.isoformat()}", [[Button("开始", "go")]])], [])


def handle_text(state: dict | None, text: str, *, as_of: date) -> Turn:
    """Count and echo; a few magic words trigger the adapter's special paths."""
    state = _state(state)
    state["count"] += 1
    state["seen"] = [*state["seen"], text][-50:]
    if text == "boom":
        raise RuntimeError("scripted failure")
    if text.startswith("county "):
        state["facts"] = {**state["facts"], "origin_county": text.split(" ", 1)[1],
                          "work_city": "绍兴市"}
    if text == "long":
        return Turn(state, [Reply(LONG_REPLY, [[Button("好", "ok")]])], [])
    if text == "remind":
        reminders = [{"due": "2026-12-01", "kind": "deadline_30", "rule_id": "r1", "text": "快截止了"},
                     {"due": "2026-12-24", "kind": "deadline_7", "rule_id": "r1", "text": "还有7天"}]
        return Turn(state, [Reply("记下了", [])], [{"type": "reminders_accepted",
                                                   "reminders": reminders}])
    if text == "results":  # the results screen: what was claimable, under which rules version
        event = {"type": "results", "claimable": ["r1"], "as_of": as_of.isoformat(),
                 "rules_version": "0123456789abcdef", "amounts": {"r1": {"yuan": 3000, "per": "once"}}}
        return Turn(state, [Reply("结果", [])], [event])
    return Turn(state, [Reply(f"#{state['count']} {text}", [[Button("下一步", f"n:{state['count']}")]])], [])


def handle_button(state: dict | None, data: str, *, as_of: date) -> Turn:
    """Echo the button data; unknown data is answered like a stale button."""
    state = _state(state)
    state["count"] += 1
    if data == "go" or data.startswith("n:"):
        return Turn(state, [Reply(f"button {data}", [])], [])
    return Turn(state, [Reply("stale", [])], [])
