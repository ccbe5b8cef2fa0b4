"""One entry point per input: ``start`` / ``handle_text`` / ``handle_button`` → :class:`Turn`.

Pure functions of (state, input, as_of): the adapter stores ``Turn.state`` and shows
``Turn.replies``; nothing is kept here between calls.
"""
from __future__ import annotations

import copy
import re
from datetime import date

from bot.core import interview as iv
from bot.core.answers import parse_unknown
from bot.core.errors import InputError, RulesError
from bot.core.presenter import (
    free_answer_reply,
    help_reply,
    question_reply,
    review_reply,
    welcome_reply,
)
from bot.core.questions import catalogue
from bot.core.reminders import plan_reminders
from bot.core.render import text
from bot.core.replies import Button, Reply, Turn
from bot.core.results_view import results_replies, why_reply

__all__ = ["Button", "Reply", "Turn", "handle_button", "handle_text", "resume", "start"]

QUESTION_CUES = re.compile(r"[吗呢?？]|怎么|多少|有没有|能不能|可不可以|什么|哪里|为什么|如何|咋")
LONG_TEXT = 12
BUTTON_VALUES = {"yes": "是", "no": "否"}


def start(state: dict | None, *, as_of: date, payload: str | None = None,
          services: iv.Services | None = None) -> Turn:
    """``/start [payload]``: welcome and a start button; earlier answers are kept (resume)."""
    state = _own(state)
    state["phase"], state["pending"], state["options"] = "welcome", None, []
    if payload:
        state["payload"] = payload
    return Turn(state, [welcome_reply(resumable=bool(state["answers"] or state["skipped"]))], [])


def resume(state: dict | None, *, as_of: date, services: iv.Services | None = None) -> Turn:
    """The current screen again (for an adapter that restarts with a stored state)."""
    state = _own(state)
    if state["phase"] == "done":
        return _advance(state, as_of, services or iv.DEFAULT_SERVICES)
    return _current(state)


def handle_text(state: dict | None, text_in: str, *, as_of: date,
                services: iv.Services | None = None) -> Turn:
    """A typed message: a command, an answer to the pending question, or a free question."""
    services = services or iv.DEFAULT_SERVICES
    state = _own(state)
    message = (text_in or "").strip()
    if message.startswith("/"):
        return _command(state, message, as_of, services)
    if state["phase"] == "welcome":
        return _welcome_text(state, message, as_of, services)
    if state["phase"] == "done" or not state.get("pending"):
        return _after_results(state, message, services)
    return _answer(state, message, as_of, services)


def handle_button(state: dict | None, data: str, *, as_of: date,
                  services: iv.Services | None = None) -> Turn:
    """A pressed button (its ASCII data); stale or unknown data gets a polite reply."""
    services = services or iv.DEFAULT_SERVICES
    state = _own(state)
    kind, _, rest = (data or "").partition(":")
    if kind == "go":
        return _begin(state, as_of, services, "")
    if kind in ("back", "review", "restart"):
        return _command(state, f"/{kind}", as_of, services)
    if kind == "a" and rest.partition(":")[0] == state.get("pending"):
        return _answer(state, _button_value(state, rest.partition(":")[2]), as_of, services)
    if kind == "skip" and rest == state.get("pending"):
        iv.skip(state, rest)
        return _advance(state, as_of, services)
    if kind == "edit" and rest in catalogue() and _answered(state, rest):
        iv.forget(state, rest)
        return _ask(state, rest)
    if kind == "results" and state["phase"] == "done":
        return _advance(state, as_of, services)
    if kind == "why":
        return _why(state, rest, as_of, services)
    if kind == "remind":
        return _remind(state, as_of, services)
    return _stale(state)


def _own(state: dict | None) -> dict:
    """A private, valid copy of the stored state."""
    return iv.ensure_state(copy.deepcopy(state) if state else None)


def _is_question(message: str) -> bool:
    """Whether a message reads like a question rather than an answer."""
    return bool(QUESTION_CUES.search(message))


def _command(state: dict, message: str, as_of: date, services: iv.Services) -> Turn:
    """The commands shared by every channel."""
    name, _, argument = message.partition(" ")
    name = name.split("@")[0].lower()
    if name == "/start":
        return start(state, as_of=as_of, payload=argument.strip() or state.get("payload"))
    if name == "/restart":
        fresh = iv.new_state(state.get("payload"))
        turn = _begin(fresh, as_of, services, "")
        return Turn(turn.state, [Reply(text("interview.restarted"), [])] + turn.replies, turn.events)
    if name == "/back":
        key = iv.back(state)
        if key is None:
            return _current(state, Reply(text("interview.nothing_to_undo"), []))
        return _ask(state, key)
    if name == "/review":
        return Turn(state, [review_reply(state)], [])
    if name == "/help":
        return _current(state, help_reply())
    return _current(state, Reply(text("interview.unknown_command"), []), help_reply())


def _begin(state: dict, as_of: date, services: iv.Services, free_question: str) -> Turn:
    """Leave the welcome screen: answer a free question if any, then the first question."""
    state["phase"] = "asking"
    turn = _advance(state, as_of, services)
    if free_question:
        turn.replies.insert(0, free_answer_reply(services.search(free_question, 5), services.doc_title))
    return turn


def _welcome_text(state: dict, message: str, as_of: date, services: iv.Services) -> Turn:
    """Text on the welcome screen: a free question, an answer to the first question, or 'go'."""
    if _is_question(message):
        return _begin(state, as_of, services, message)
    turn = _begin(state, as_of, services, "")
    key = turn.state.get("pending")
    if key and message and iv.parse(key, message, turn.state, as_of, services).error is None:
        return _answer(turn.state, message, as_of, services)
    return turn


def _answer(state: dict, message: str, as_of: date, services: iv.Services) -> Turn:
    """Read an answer to the pending question; on failure explain and ask again."""
    key = state["pending"]
    if parse_unknown(message):
        iv.skip(state, key)
        return _advance(state, as_of, services)
    if _is_question(message) and not state.get("options"):
        return _free(state, message, services)
    parsed = iv.parse(key, message, state, as_of, services)
    if parsed.error is None:
        iv.record(state, key, parsed)
        try:
            return _advance(state, as_of, services)
        except RulesError:
            raise
        except InputError:  # the evaluator refused the answer: forget it and ask again
            iv.forget(state, key)
            return Turn(state, [question_reply(state, key, "interview.not_understood")], [])
    if len(message) > LONG_TEXT and not parsed.options:
        return _free(state, message, services)
    state["options"] = parsed.options
    return Turn(state, [question_reply(state, key, parsed.error)], [])


def _button_value(state: dict, value: str) -> str:
    """The text a pressed answer button stands for."""
    options = state.get("options") or []
    if options and value.isdigit() and int(value) < len(options):
        return options[int(value)]
    return BUTTON_VALUES.get(value, value)


def _advance(state: dict, as_of: date, services: iv.Services) -> Turn:
    """Ask the next question that can still change a result, or show the results."""
    results = services.evaluate(state["facts"], as_of)
    key = iv.next_question(state, results)
    if key:
        return _ask(state, key)
    state["phase"], state["pending"] = "done", None
    can_remind = bool(plan_reminders(results, state["facts"], as_of))
    replies = results_replies(results, state, as_of, can_remind)
    event = {"type": "results", "claimable": [r.id for r in results if r.claimable]}
    return Turn(state, replies, [event])


def _ask(state: dict, key: str) -> Turn:
    """Make ``key`` the pending question and ask it."""
    state["phase"], state["pending"], state["options"] = "asking", key, []
    return Turn(state, [question_reply(state, key)], [])


def _answered(state: dict, key: str) -> bool:
    """Whether ``key`` has an answer or was skipped."""
    return key in state["skipped"] or any(a["q"] == key for a in state["answers"])


def _free(state: dict, message: str, services: iv.Services) -> Turn:
    """A free question mid-interview: the best clauses, then the pending question again."""
    answer = free_answer_reply(services.search(message, 5), services.doc_title)
    return Turn(state, [answer, question_reply(state, state["pending"], "interview.back_to_question")], [])


def _after_results(state: dict, message: str, services: iv.Services) -> Turn:
    """Text after the results: a question gets clauses; a short remark gets the actions again."""
    if not (_is_question(message) or len(message) > LONG_TEXT):
        return _current(state)
    return _current(state, free_answer_reply(services.search(message, 5), services.doc_title))


def _current(state: dict, *before: Reply) -> Turn:
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


def _stale(state: dict) -> Turn:
    """An old or unknown button: say so and show the current screen."""
    return _current(state, Reply(text("interview.stale_button"), []))


def _why(state: dict, rule_id: str, as_of: date, services: iv.Services) -> Turn:
    """The 'why' screen of one subsidy."""
    results = {r.id: r for r in services.evaluate(state["facts"], as_of)}
    if rule_id not in results:
        return _stale(state)
    return Turn(state, [why_reply(results[rule_id], services.doc_title)], [])


def _remind(state: dict, as_of: date, services: iv.Services) -> Turn:
    """'Remind me': hand the planned reminders to the adapter to store."""
    plans = plan_reminders(services.evaluate(state["facts"], as_of), state["facts"], as_of)
    if not plans:
        return Turn(state, [Reply(text("interview.no_reminders"), [])], [])
    event = {"type": "reminders_accepted", "reminders": plans}
    return Turn(state, [Reply(text("interview.reminders_saved"), [])], [event])
