"""Reading one typed answer as the facts it fills (or why it cannot be read)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.core import answers
from bot.core._place_cues import CUE, bare_names
from bot.core._place_units import UnknownUnit
from bot.core.errors import InputError
from bot.core.questions import Question, catalogue, fact_specs
from bot.core.render import has_text
from bot.core.thresholds import decides, pick_values, same_outcome

if TYPE_CHECKING:
    from bot.core.interview import Services


@dataclass
class Parsed:
    """The outcome of reading one answer: facts filled, or why not."""

    facts: dict[str, Any] = field(default_factory=dict)
    shown: str = ""
    error: str | None = None          # template key of the complaint
    options: list[str] = field(default_factory=list)
    sure: bool = True                 # False: show it back and ask "你是说：…？" before recording
    denied: str = ""                  # a ``shown`` value the person said they are not


def parse(key: str, text: str, state: dict[str, Any], as_of: date, services: Services) -> Parsed:
    """Read ``text`` as the answer to question ``key``."""
    question = catalogue().get(key)
    try:
        if question is None:
            return _parse_same_arrival(text, state)
        return READERS[question.kind](question, text, as_of, services, state)
    except answers.Denied as problem:
        fact = question.facts[0] if question else ""
        return Parsed(error="interview.denied_only", denied=f"choice:{fact}.{problem.denied[0]}")
    except answers.NotUnderstood as problem:
        complaints = {"future": "interview.future_date", "range": "interview.out_of_range",
                      "which month": "interview.which_month", "which level": "interview.which_level"}
        found = [name for word, name in complaints.items() if word in problem.reason]
        kind = f"interview.not_understood_{question.kind}" if question else ""
        return Parsed(error=found[0] if found else kind if has_text(kind) else "interview.not_understood")
    except InputError as problem:
        if question is None:  # only place readers raise InputError; the same-arrival one does not
            raise
        complaint = "interview.unknown_county" if question.kind == "county" else "interview.unknown_place"
        if isinstance(problem, UnknownUnit):
            complaint = "interview.unknown_unit"
        if problem.choices:
            complaint = "interview.confirm_place" if len(problem.choices) == 1 else "interview.pick_place"
        return Parsed(error=complaint, options=list(problem.choices)[:8])


def _parse_same_arrival(text: str, state: dict[str, Any]) -> Parsed:
    """'Is that also when you first came?' → first_arrival = employment_start."""
    reading = answers.read_yes_no(text)
    if reading.value:
        return Parsed(facts={"first_arrival": state["facts"]["employment_start"]}, shown="yes",
                      sure=reading.sure)
    return Parsed(shown="no", sure=reading.sure)


def _read_county(question: Question, text: str, as_of: date, services: Services,
                 state: dict[str, Any]) -> Parsed:
    answer = text.strip()
    try:
        place = services.resolve_county(answer)
    except InputError as problem:
        place = services.find_county(answer)
        if place is None:
            raise _near_miss(answer, services) or problem from None
        answer = " ".join(dict.fromkeys((place.province, place.city, place.name)))
    return Parsed(facts={"origin_county": answer}, shown=place.name)


def _near_miss(answer: str, services: Services) -> InputError | None:
    """A place to confirm inside a sentence (我是沭川县的 → 沐川县?): the name without the words
    around it offers candidates where the whole sentence found none."""
    starts = [0, *(cue.start() for cue in CUE.finditer(answer))]   # 我老家在朝阳: from 老家
    names = dict.fromkeys(name for at in starts for name in bare_names(answer[at:]))
    for name in sorted(names, key=len):   # the barest name first: 沭川县, not 我们老家是沭川县
        try:
            services.resolve_county(name)
        except InputError as problem:
            if problem.choices:
                return problem
    return None


def _read_work_place(question: Question, text: str, as_of: date, services: Services,
                     state: dict[str, Any]) -> Parsed:
    place = services.resolve_work_place(text.strip())
    facts = {f"work_{part}": getattr(place, part) for part in ("province", "city", "county")
             if getattr(place, part)}
    shown = "".join(dict.fromkeys(v for v in (place.province, place.city, place.county) if v))
    return Parsed(facts=facts, shown=shown)


def _read_date(question: Question, text: str, as_of: date, services: Services,
               state: dict[str, Any]) -> Parsed:
    try:
        reading = answers.read_date(answers.without_cues(text), as_of)
    except answers.NotUnderstood as problem:
        if "months_employed" not in question.facts or "future" in problem.reason:
            raise
        return _months_answer(question, answers.without_cues(text), as_of, services, state,
                              fact="months_employed")
    fact = question.facts[0]
    when, last = reading.value.isoformat(), (reading.high or reading.value).isoformat()
    if when != last and not _settled(fact, when, last, state, as_of, services):
        raise answers.NotUnderstood("which month")
    facts = {fact: when}
    if question.key == "employment_start" and answers.says_first_time(text):
        facts["first_arrival"] = when
    return Parsed(facts=facts, shown=f"date:{when}", sure=reading.sure or when != last)


def _settled(fact: str, low: str, high: str, state: dict[str, Any], as_of: date, services: Services) -> bool:
    """Whether either end of a range gives the person the same results (a year alone: 2023年)."""
    try:
        return same_outcome(fact, low, high, dict(state.get("facts", {})), as_of, services.evaluate)
    except InputError:
        return False


def _read_months(question: Question, text: str, as_of: date, services: Services,
                 state: dict[str, Any]) -> Parsed:
    return _months_answer(question, text, as_of, services, state, fact=question.facts[0])


def _months_answer(question: Question, text: str, as_of: date, services: Services, state: dict[str, Any],
                   fact: str) -> Parsed:
    """A number of months: taken when the range decides everything, else values to pick."""
    span = answers.read_months(text)
    low, high = span.value, span.high
    _check_range(question, low, fact=fact)
    _check_range(question, high, fact=fact)
    try:
        decided = decides(fact, low, high, dict(state.get("facts", {})), as_of, services.evaluate)
    except InputError:  # earlier answers the evaluator cannot read: let the person pick
        decided = False
    if not decided:
        labels = [text_of_months(n) for n in pick_values(fact, low, high)]
        return Parsed(error="interview.pick_months", options=labels)
    return Parsed(facts={fact: low}, shown=f"months:{low}")


def text_of_months(n: int) -> str:
    """A month count as a button label that reads back as the same count (``18个月``)."""
    return f"{n}个月"


def _read_number(question: Question, text: str, as_of: date, services: Services,
                 state: dict[str, Any]) -> Parsed:
    reading = answers.read_number(text)
    value = reading.value
    _check_range(question, value)
    number = int(value) if float(value).is_integer() else value
    unit = "yuan" if question.key == "travel_cost_yuan" else "count"
    return Parsed(facts={question.facts[0]: number}, shown=f"{unit}:{number}", sure=reading.sure)


def _check_range(question: Question, value: float, fact: str | None = None) -> None:
    """Refuse numbers outside the fact's min/max (rules/facts.yaml)."""
    spec = fact_specs()[fact or question.facts[0]]
    low, high = spec.get("min"), spec.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        raise answers.NotUnderstood("out of range")


def _read_yes_no(question: Question, text: str, as_of: date, services: Services,
                 state: dict[str, Any]) -> Parsed:
    reading = answers.read_yes_no(text)
    value = reading.value
    return Parsed(facts={question.facts[0]: value}, shown="yes" if value else "no", sure=reading.sure)


def _read_choice(question: Question, text: str, as_of: date, services: Services,
                 state: dict[str, Any]) -> Parsed:
    fact, value = question.facts[0], text.strip()
    if value in question.choices:
        return Parsed(facts={fact: value}, shown=f"choice:{fact}.{value}")
    if question.kind == "enum":
        raise answers.NotUnderstood(f"not a choice: {text[:40]}")
    reader = answers.read_category if question.kind == "category" else answers.read_certificate
    reading = reader(text)
    denied = f"choice:{fact}.{reading.denied}" if reading.denied else ""
    return Parsed(facts={fact: reading.value}, shown=f"choice:{fact}.{reading.value}",
                  sure=reading.sure, denied=denied)


READERS = {
    "county": _read_county, "work_place": _read_work_place, "date": _read_date,
    "months": _read_months, "number": _read_number, "yes_no": _read_yes_no,
    "category": _read_choice, "certificate": _read_choice, "enum": _read_choice,
}
