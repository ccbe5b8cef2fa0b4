"""Reading one typed answer as the facts it fills (or why it cannot be read)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from bot.core import answers
from bot.core.errors import InputError
from bot.core.questions import Question, catalogue, fact_specs

if TYPE_CHECKING:
    from bot.core.interview import Services


@dataclass
class Parsed:
    """The outcome of reading one answer: facts filled, or why not."""

    facts: dict = field(default_factory=dict)
    shown: str = ""
    error: str | None = None          # template key of the complaint
    options: list[str] = field(default_factory=list)


def parse(key: str, text: str, state: dict, as_of: date, services: Services) -> Parsed:
    """Read ``text`` as the answer to question ``key``."""
    question = catalogue().get(key)
    try:
        if question is None:
            return _parse_same_arrival(text, state)
        return READERS[question.kind](question, text, as_of, services)
    except answers.NotUnderstood as problem:
        complaint = {"future": "interview.future_date", "range": "interview.out_of_range"}
        found = [name for word, name in complaint.items() if word in problem.reason]
        return Parsed(error=found[0] if found else "interview.not_understood")
    except InputError as problem:
        complaint = "interview.unknown_county" if question.kind == "county" else "interview.unknown_place"
        if problem.choices:
            complaint = "interview.confirm_place" if len(problem.choices) == 1 else "interview.pick_place"
        return Parsed(error=complaint, options=list(problem.choices)[:8])


def _parse_same_arrival(text: str, state: dict) -> Parsed:
    """'Is that also when you first came?' → first_arrival = employment_start."""
    if answers.parse_yes_no(text):
        return Parsed(facts={"first_arrival": state["facts"]["employment_start"]}, shown="yes")
    return Parsed(shown="no")


def _read_county(question: Question, text: str, as_of: date, services: Services) -> Parsed:
    answer = text.strip()
    try:
        place = services.resolve_county(answer)
    except InputError:
        place = services.find_county(answer)
        if place is None:
            raise
        answer = " ".join(dict.fromkeys((place.province, place.city, place.name)))
    return Parsed(facts={"origin_county": answer}, shown=place.name)


def _read_work_place(question: Question, text: str, as_of: date, services: Services) -> Parsed:
    place = services.resolve_work_place(text.strip())
    facts = {f"work_{part}": getattr(place, part) for part in ("province", "city", "county")
             if getattr(place, part)}
    shown = "".join(dict.fromkeys(v for v in (place.province, place.city, place.county) if v))
    return Parsed(facts=facts, shown=shown)


def _read_date(question: Question, text: str, as_of: date, services: Services) -> Parsed:
    try:
        when = answers.parse_date(answers.without_cues(text), as_of)
    except answers.NotUnderstood as problem:
        if "months_employed" not in question.facts or "future" in problem.reason:
            raise
        months = answers.parse_months(answers.without_cues(text))
        _check_range(catalogue()["employment_start"], months, fact="months_employed")
        return Parsed(facts={"months_employed": months}, shown=f"months:{months}")
    facts = {question.facts[0]: when.isoformat()}
    if question.key == "employment_start" and answers.says_first_time(text):
        facts["first_arrival"] = when.isoformat()
    return Parsed(facts=facts, shown=f"date:{when.isoformat()}")


def _read_months(question: Question, text: str, as_of: date, services: Services) -> Parsed:
    months = answers.parse_months(text)
    _check_range(question, months)
    return Parsed(facts={question.facts[0]: months}, shown=f"months:{months}")


def _read_number(question: Question, text: str, as_of: date, services: Services) -> Parsed:
    value = answers.parse_number(text)
    _check_range(question, value)
    number = int(value) if float(value).is_integer() else value
    unit = "yuan" if question.key == "travel_cost_yuan" else "count"
    return Parsed(facts={question.facts[0]: number}, shown=f"{unit}:{number}")


def _check_range(question: Question, value: float, fact: str | None = None) -> None:
    """Refuse numbers outside the fact's min/max (rules/facts.yaml)."""
    spec = fact_specs()[fact or question.facts[0]]
    low, high = spec.get("min"), spec.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        raise answers.NotUnderstood("out of range")


def _read_yes_no(question: Question, text: str, as_of: date, services: Services) -> Parsed:
    value = answers.parse_yes_no(text)
    return Parsed(facts={question.facts[0]: value}, shown="yes" if value else "no")


def _read_choice(question: Question, text: str, as_of: date, services: Services) -> Parsed:
    value = text.strip()
    if value not in question.choices:
        parser = answers.parse_category if question.kind == "category" else answers.parse_certificate
        if question.kind == "enum":
            raise answers.NotUnderstood(f"not a choice: {text}")
        value = parser(text)
    return Parsed(facts={question.facts[0]: value}, shown=f"choice:{question.facts[0]}.{value}")


READERS = {
    "county": _read_county, "work_place": _read_work_place, "date": _read_date,
    "months": _read_months, "number": _read_number, "yes_no": _read_yes_no,
    "category": _read_choice, "certificate": _read_choice, "enum": _read_choice,
}
