"""Interview screens as replies: questions, review, free answers (results: bot.core.results_view)."""
from __future__ import annotations

from datetime import date

from bot.core.interview import SAME_ARRIVAL
from bot.core.questions import MONTH_PRESETS, catalogue
from bot.core.render import render, text
from bot.core.replies import Button, Reply, rows

ZERO_LABEL = {"social_insurance_months": "choice.months_zero", "contract_months": "choice.contract_zero"}
FREE_QUOTE_CHARS = 160


def work_city(state: dict) -> str:
    """The work city's name for questions (``绍兴市``), or 'here'."""
    facts = state["facts"]
    return facts.get("work_city") or facts.get("work_province") or text("interview.here")


def question_text(key: str, state: dict) -> str:
    """The question's own sentence."""
    return text(f"question.{key}", city=work_city(state))


def question_reply(state: dict, key: str, complaint: str | None = None) -> Reply:
    """The prompt for question ``key`` with its buttons (and a complaint before it)."""
    body = render("question", complaint=text(complaint) if complaint else "",
                  question=question_text(key, state), hint=text(f"hint.{key}", city=work_city(state)))
    return Reply(body, choice_rows(state, key) + [control_row(state)])


def choice_rows(state: dict, key: str) -> list[list[Button]]:
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


def control_row(state: dict) -> list[Button]:
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


def review_reply(state: dict) -> Reply:
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


def free_answer_reply(hits: list, doc_title) -> Reply:
    """The best clauses for a free question, each with its document and clause id."""
    if not hits:
        return Reply(text("interview.free_no_hit"), [])
    best = hits[0].score
    chosen = [h for h in hits[:3] if h.score >= best * 0.5]
    # The best clause is quoted whole; the others are cut at a sentence end to fit a phone.
    items = [{"title": doc_title(h.clause.doc), "clause": h.clause.id,
              "text": h.clause.text if i == 0 else shorten(h.clause.text)} for i, h in enumerate(chosen)]
    return Reply(render("free_answer", items=items), [])


def shorten(clause_text: str, limit: int = FREE_QUOTE_CHARS) -> str:
    """The clause cut at a sentence end near ``limit`` characters (whole when short)."""
    if len(clause_text) <= limit:
        return clause_text
    end = clause_text.find("。", limit // 2)
    return clause_text if end == -1 or end > limit * 2 else clause_text[:end + 1] + "……"


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
