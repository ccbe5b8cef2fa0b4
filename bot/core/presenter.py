"""Interview screens as replies: questions, review, free answers (results: bot.core.results_view)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.core.interview import SAME_ARRIVAL
from bot.core.questions import MONTH_PRESETS, catalogue
from bot.core.render import clause_label, render, text
from bot.core.replies import Button, Reply, rows

if TYPE_CHECKING:
    from bot.core.answering import Answer

ZERO_LABEL = {"social_insurance_months": "choice.months_zero", "contract_months": "choice.contract_zero"}


def work_city(state: dict[str, Any]) -> str:
    """The work city's name for questions (``绍兴市``), or 'here'."""
    facts = state["facts"]
    return facts.get("work_city") or facts.get("work_province") or text("interview.here")


def question_text(key: str, state: dict[str, Any]) -> str:
    """The question's own sentence."""
    return text(f"question.{key}", city=work_city(state))


def question_reply(state: dict[str, Any], key: str, complaint: str | None = None) -> Reply:
    """The prompt for question ``key`` with its buttons (and a complaint before it)."""
    body = render("question", complaint=text(complaint) if complaint else "",
                  question=question_text(key, state), hint=text(f"hint.{key}", city=work_city(state)))
    return Reply(body, choice_rows(state, key) + [control_row(state)])


def choice_rows(state: dict[str, Any], key: str) -> list[list[Button]]:
    """The answer buttons of a question."""
    if state.get("options"):
        return [[Button(option_label(label), f"a:{key}:{i}")] for i, label in enumerate(state["options"])]
    if key == SAME_ARRIVAL:
        return [[Button(text("choice.first_arrival_yes"), f"a:{key}:yes"),
                 Button(text("choice.first_arrival_no"), f"a:{key}:no")]]
    question = catalogue()[key]
    if question.kind in ("category", "certificate", "enum"):
        fact = question.facts[0]
        return rows([Button(text(f"choice.{fact}.{c}"), f"a:{key}:{c}") for c in question.choices])
    if question.kind == "yes_no":
        return [[Button(text("choice.yes"), f"a:{key}:yes"), Button(text("choice.no"), f"a:{key}:no")]]
    if question.kind == "months":
        buttons = [Button(text("choice.months", n=n), f"a:{key}:{n}") for n in MONTH_PRESETS]
        if key in ZERO_LABEL:
            buttons.insert(0, Button(text(ZERO_LABEL[key]), f"a:{key}:0"))
        return rows(buttons, 4)
    return []


def option_label(choice: str) -> str:
    """A gazetteer choice (``北京市 北京市 朝阳区``) as a button label (``北京市朝阳区``)."""
    return "".join(dict.fromkeys(choice.split()))


def control_row(state: dict[str, Any]) -> list[Button]:
    """'I don't know' and 'back' under every question."""
    key = state.get("pending") or ""
    row = [Button(text("interview.skip_button"), f"skip:{key}")]
    if state["answers"] or state["skipped"]:
        row.append(Button(text("interview.back_button"), "back"))
    return row


def answer_label(shown: str) -> str:
    """How a stored answer reads on the review screen."""
    kind, _, value = shown.partition(":")
    if kind == "date":
        return text("interview.month_answer", year=int(value[:4]), month=int(value[5:7]))
    if kind == "months":
        return text("interview.months_answer", n=value)
    if kind in ("yuan", "count"):
        return text(f"interview.{kind}_answer", n=value)
    if kind == "choice":
        return text(f"choice.{value}")
    if shown == "unknown":
        return text("interview.unknown_answer")
    if shown in ("yes", "no"):
        return text(f"interview.{shown}_answer")
    return shown


def review_reply(state: dict[str, Any]) -> Reply:
    """One button per answer: press it to answer that question again."""
    if not state["answers"] and not state["skipped"]:
        return Reply(text("interview.no_answers"), [])
    buttons = []
    for entry in state["answers"]:
        if entry["q"] == SAME_ARRIVAL:
            continue
        label = text("interview.review_item", question=question_text(entry["q"], state),
                     answer=answer_label(entry["shown"]))
        buttons.append([Button(label, f"edit:{entry['q']}")])
    return Reply(text("interview.review_title"), buttons)


def free_answer_reply(answer: Answer, doc_title: Callable[[str], str]) -> Reply:
    """A free question answered: the sentence that answers first, its document and clause, the
    notes (place not covered, document ended), other clauses near it; a button per clause
    for its whole text. Not answered: say so, and who to ask."""
    if not answer.answered:
        return Reply(render("free_answer", answered=False, notes=answer.notes,
                            not_covered=text("ask.not_covered")), [])
    items = [{"title": doc_title(f.clause.doc), "clause": f.clause.id, "sentence": f.sentence}
             for f in answer.shown()]
    buttons = [[Button(text("ask.whole_clause", label=f"{_place(f.clause.doc)}{clause_label(f.clause.id)}"),
                       f"clause:{f.clause.doc}:{clause_code(f.clause.id)}")]
               for f in answer.shown() if len(f"clause:{f.clause.doc}:{clause_code(f.clause.id)}") <= 64]
    return Reply(render("free_answer", answered=True, first=items[0], others=items[1:],
                        notes=answer.notes), buttons)


def clause_reply(data: str, doc_title: Callable[[str], str]) -> Reply | None:
    """The whole clause behind a ``clause:<doc>:<code>`` button, or None when unknown."""
    from bot.core.knowledge import load_knowledge

    doc, _, code = data.partition(":")
    clause_id = clause_from_code(code)
    clause = load_knowledge().clause(doc, clause_id) if clause_id else None
    if clause is None:
        return None
    return Reply(text("ask.clause_full", title=doc_title(doc), clause=clause.id, text=clause.text), [])


def _place(doc: str) -> str:
    from bot.core.coverage import place_label
    from bot.core.knowledge import load_knowledge

    document = load_knowledge().documents.get(doc)
    return place_label(document) if document else ""


_CN = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
NUMERALS = {(_CN[n // 10] if n >= 20 else "") + ("十" if n >= 10 else "") + _CN[n % 10] if n > 10
            else _CN[n]: n for n in range(1, 100)}
SPECIAL_CODES = {"前言": "pre", "结语": "end", "附件": "att"}


def clause_code(clause_id: str) -> str:
    """An ASCII code for a clause id (button data): 三（一） -> 3-1, 八（二十六） -> 8-26, 结语 -> end."""
    if clause_id in SPECIAL_CODES:
        return SPECIAL_CODES[clause_id]
    parts = clause_id.replace("）", "").split("（")
    return "-".join(str(NUMERALS.get(p, 0)) for p in parts)


def clause_from_code(code: str) -> str | None:
    """The clause id of a code made by :func:`clause_code` (None when malformed)."""
    special = {v: k for k, v in SPECIAL_CODES.items()}
    if code in special:
        return special[code]
    numerals = {n: cn for cn, n in NUMERALS.items()}
    parts = code.split("-")
    if not 1 <= len(parts) <= 2 or not all(p.isdigit() and int(p) in numerals for p in parts):
        return None
    head = numerals[int(parts[0])]
    return head if len(parts) == 1 else f"{head}（{numerals[int(parts[1])]}）"


def welcome_reply(resumable: bool = False) -> Reply:
    """The first screen: what the bot does, a start (or continue) button."""
    if not resumable:
        return Reply(render("welcome", resumable=False), [[Button(text("interview.start_button"), "go")]])
    return Reply(render("welcome", resumable=True), [[
        Button(text("interview.continue_button"), "go"),
        Button(text("interview.restart_button"), "restart")]])


def help_reply() -> Reply:
    """The command list."""
    return Reply(render("help"), [])


def days_left(deadline: date | None, as_of: date) -> int | None:
    """Days from ``as_of`` to ``deadline`` (None without a deadline)."""
    return (deadline - as_of).days if deadline else None
