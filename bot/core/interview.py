"""The data-driven step machine: which question is next, and what an answer fills.

The state is a JSON-serialisable dict (the adapter stores it); nothing is kept in memory.
Services (evaluator, search, gazetteer) are injectable so the machine can be tested alone.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.core.questions import Question, question_for_fact
from bot.core.readers import Parsed, parse

if TYPE_CHECKING:
    from bot.core.result import Result
    from bot.core.search import Hit

OPEN_STATUSES = ("active", "claim_window")
SAME_ARRIVAL = "first_arrival_same"   # the follow-up that lets employment_start fill first_arrival
STATE_VERSION = 1


def _evaluate(facts: dict[str, Any], as_of: date) -> list[Result]:
    """The real evaluator, audience worker, over the normalised facts."""
    from bot.core.evaluator import evaluate
    from bot.core.facts import normalise_facts

    # Rules for other home areas can never apply to this person: leave them out (fast path).
    return evaluate(normalise_facts(dict(facts), as_of), as_of, "worker", keep_out_of_scope=False)


def _search(question: str, top: int, context: str = "") -> list[Hit]:
    """The real knowledge search (``context``: places whose documents rank first)."""
    from bot.core.search import search

    return search(question, top, context)


def _resolve_county(text: str) -> Any:
    """The real gazetteer: a home county."""
    from bot.core.places import resolve_county

    return resolve_county(text)


def _resolve_work_place(text: str) -> Any:
    """The real gazetteer: a work place."""
    from bot.core.places import resolve_work_place

    return resolve_work_place(text)


def _find_county(text: str) -> Any:
    """The real gazetteer: a county named in a sentence (我老家是马边的)."""
    from bot.core.places import find_county_in_text

    return find_county_in_text(text)


def _doc_title(doc_id: str) -> str:
    """A document's title as a worker reads it (the short title without the issuers' names)."""
    from bot.core.knowledge import load_knowledge

    document = load_knowledge().documents.get(doc_id)
    if document is None:
        return doc_id
    return document.meta.get("short_title") or document.title


@dataclass(frozen=True)
class Services:
    """What the interview needs from the other parts of the core."""

    evaluate: Callable[[dict[str, Any], date], list[Result]] = _evaluate
    search: Callable[..., list[Hit]] = _search
    resolve_county: Callable[[str], Any] = _resolve_county
    resolve_work_place: Callable[[str], Any] = _resolve_work_place
    find_county: Callable[[str], Any] = _find_county
    doc_title: Callable[[str], str] = _doc_title


DEFAULT_SERVICES = Services()


def new_state(payload: str | None = None) -> dict[str, Any]:
    """A fresh conversation state."""
    return {"v": STATE_VERSION, "phase": "welcome", "facts": {}, "answers": [], "skipped": [],
            "pending": None, "options": [], "payload": payload}


def state_with_home(county: str, place_name: str, payload: str | None = None) -> dict[str, Any]:
    """A new interview whose home county is already answered (a coordinator entered it)."""
    state = new_state(payload)
    record(state, "origin_county", Parsed(facts={"origin_county": county}, shown=place_name))
    return state


def ensure_state(state: dict[str, Any] | None) -> dict[str, Any]:
    """The given state, or a fresh one when missing or from another version."""
    if not isinstance(state, dict) or state.get("v") != STATE_VERSION:
        return new_state(state.get("payload") if isinstance(state, dict) else None)
    return state


def open_results(results: list[Result]) -> list[Result]:
    """Worker results still undecided and still claimable in time."""
    return [r for r in results if r.eligible is None and r.status in OPEN_STATUSES]


def next_question(state: dict[str, Any], results: list[Result]) -> str | None:
    """The lowest-order question that can still change an open result, or None."""
    done = {a["q"] for a in state["answers"]} | set(state["skipped"])
    candidates: dict[str, Question] = {}
    for result in open_results(results):
        for fact in result.missing_facts:
            question = question_for_fact(fact)
            if question and question.key not in done and fact not in state["facts"]:
                candidates[question.key] = question
    if not candidates:
        return None
    best = min(candidates.values(), key=lambda q: (q.order, q.key)).key
    if best == "first_arrival" and _can_reuse_start(state):
        return SAME_ARRIVAL
    return best


def _can_reuse_start(state: dict[str, Any]) -> bool:
    """Whether first_arrival may be asked as 'is that also when you first came?'."""
    answered = any(a["q"] == SAME_ARRIVAL for a in state["answers"])
    return "employment_start" in state["facts"] and not answered


def record(state: dict[str, Any], key: str, parsed: Parsed) -> None:
    """Store an answer (replacing an earlier one to the same question)."""
    forget(state, key)
    state["answers"].append({"q": key, "facts": parsed.facts, "shown": parsed.shown})
    state["facts"].update(parsed.facts)
    state["options"] = []
    state.pop("confirm", None)
    state["noted"] = key      # screens.advance shows a place back in the next message


def skip(state: dict[str, Any], key: str) -> None:
    """Mark a question as 'I don't know': its facts stay unknown (kept in order for /back)."""
    forget(state, key)
    state["answers"].append({"q": key, "facts": {}, "shown": "unknown"})
    state["skipped"].append(key)
    state["options"] = []
    state.pop("confirm", None)


def forget(state: dict[str, Any], key: str) -> None:
    """Remove the answer to ``key`` and the facts it filled (and any answer held to confirm)."""
    state.pop("confirm", None)
    for entry in [a for a in state["answers"] if a["q"] == key]:
        state["answers"].remove(entry)
        for fact in entry["facts"]:
            state["facts"].pop(fact, None)
    if key in state["skipped"]:
        state["skipped"].remove(key)
    if key == "employment_start":
        forget(state, SAME_ARRIVAL)


def back(state: dict[str, Any]) -> str | None:
    """Undo the last answer; return the question to ask again (None when nothing to undo)."""
    if state.get("pending") == SAME_ARRIVAL or (state["answers"] and state["answers"][-1]["q"] == SAME_ARRIVAL):
        forget(state, SAME_ARRIVAL)
        forget(state, "employment_start")
        return "employment_start"
    if not state["answers"]:
        return None
    last: str = state["answers"][-1]["q"]
    forget(state, last)
    return last

__all__ = [
    "DEFAULT_SERVICES",
    "SAME_ARRIVAL",
    "Parsed",
    "Services",
    "back",
    "ensure_state",
    "forget",
    "new_state",
    "next_question",
    "parse",
    "record",
    "skip",
]
