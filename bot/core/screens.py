"""The screens a turn ends on: the next question or the results, why, reminders, the current one."""
from __future__ import annotations

from datetime import date
from typing import Any

from bot.core.errors import InputError
from bot.core.interview import Services, next_question
from bot.core.presenter import question_reply, welcome_reply
from bot.core.reminders import plan_reminders
from bot.core.render import text
from bot.core.replies import Button, Reply, Turn
from bot.core.results_view import results_replies, why_reply
from bot.core.version import rules_version


def advance(state: dict[str, Any], as_of: date, services: Services) -> Turn:
    """Ask the next question that can still change a result, or show the results."""
    turn = _advance(state, as_of, services)
    noted = _noted_place(state, services)
    if noted and turn.replies:
        first = turn.replies[0]
        turn.replies[0] = Reply(f"{noted}\n\n{first.text}", first.buttons)
    return turn


def _noted_place(state: dict[str, Any], services: Services) -> str:
    """'记下了，你老家是：四川省乐山市马边彝族自治县' right after a place was answered, so a
    wrong match is seen at once ('' otherwise)."""
    key, facts = state.pop("noted", None), state["facts"]
    if key == "origin_county" and facts.get("origin_county"):
        try:
            place = services.resolve_county(facts["origin_county"])
        except InputError:
            return ""
        named = (getattr(place, part, "") for part in ("province", "city", "name"))
        parts = [p for p in dict.fromkeys(named) if p]
        # a part the next one starts with is said once: 新疆生产建设兵团第十四师四十七团
        label = "".join(p for p, after in zip(parts, [*parts[1:], ""], strict=True)
                        if not after.startswith(p))
        return text("interview.noted_county", answer=label)
    if key == "work_place" and facts.get("work_province"):
        work = (facts.get(f"work_{p}") for p in ("province", "city", "county"))
        return text("interview.noted_work_place", answer="".join(dict.fromkeys(p for p in work if p)))
    return ""


def _advance(state: dict[str, Any], as_of: date, services: Services) -> Turn:
    results = services.evaluate(state["facts"], as_of)
    key = next_question(state, results)
    if key:
        return ask(state, key)
    state["phase"], state["pending"] = "done", None
    can_remind = bool(plan_reminders(results, state["facts"], as_of))
    replies = results_replies(results, state, as_of, can_remind)
    claimable = [r for r in results if r.claimable]
    # what was shown, reproducible later: the rules version, the day and each claimable amount
    event = {"type": "results", "claimable": [r.id for r in claimable], "as_of": as_of.isoformat(),
             "rules_version": rules_version(), "amounts": {r.id: r.amount for r in claimable}}
    return Turn(state, replies, [event])


def ask(state: dict[str, Any], key: str) -> Turn:
    """Make ``key`` the pending question and ask it."""
    state["phase"], state["pending"], state["options"] = "asking", key, []
    return Turn(state, [question_reply(state, key)], [])


def answered(state: dict[str, Any], key: str) -> bool:
    """Whether ``key`` has an answer or was skipped."""
    return key in state["skipped"] or any(a["q"] == key for a in state["answers"])


def current(state: dict[str, Any], *before: Reply) -> Turn:
    """Some replies, then the current screen again (question, welcome or actions)."""
    replies = list(before)
    if state["phase"] == "asking" and state.get("pending"):
        replies.append(question_reply(state, state["pending"]))
    elif state["phase"] == "welcome":
        replies.append(welcome_reply(resumable=bool(state["answers"] or state["skipped"])))
    else:
        replies.append(Reply(text("interview.done_hint"), [[
            Button(text("interview.review_button"), "review"),
            Button(text("interview.restart_button"), "restart")]]))
    return Turn(state, replies, [])


def stale(state: dict[str, Any]) -> Turn:
    """An old or unknown button: say so and show the current screen."""
    return current(state, Reply(text("interview.stale_button"), []))


def why(state: dict[str, Any], rule_id: str, as_of: date, services: Services) -> Turn:
    """The 'why' screen of one subsidy."""
    results = {r.id: r for r in services.evaluate(state["facts"], as_of)}
    if rule_id not in results:
        return stale(state)
    return Turn(state, [why_reply(results[rule_id], services.doc_title)], [])


def remind(state: dict[str, Any], as_of: date, services: Services) -> Turn:
    """'Remind me': hand the planned reminders to the adapter to store."""
    plans = plan_reminders(services.evaluate(state["facts"], as_of), state["facts"], as_of)
    if not plans:
        return Turn(state, [Reply(text("interview.no_reminders"), [])], [])
    event = {"type": "reminders_accepted", "reminders": plans}
    dates = sorted({date.fromisoformat(p["due"]) for p in plans})
    return Turn(state, [Reply(text("interview.reminders_saved", dates=dates), [])], [event])
