"""Structured conditions (data, never code) evaluated to met / unmet / unknown."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, TypedDict

from bot.core.render import cn_date
from bot.core.validity import add_months, parse_day
from bot.core.wording import display, reason_text, unit_of

MET, UNMET, UNKNOWN = "met", "unmet", "unknown"
COMPARISONS = ("at_least", "at_most", "in", "equals", "on_or_after", "before")
OPERATORS = COMPARISONS + ("work_in", "cross_province", "any", "all", "confirm")
# Facts filled from another fact: asking for the source fills them.
DERIVED = {"origin_city": "origin_county", "origin_province": "origin_county"}
# Count facts that grow by one every month while the person keeps working.
MONTHLY = ("months_employed", "social_insurance_months")
_SLOTS: dict[tuple[Any, ...], int] = {}  # a condition's content -> its slot number (equal ones share)
_SLOTS_LOCK = threading.Lock()


@dataclass(frozen=True)
class Condition:
    """One named condition: a fact compared with a value, or a combination."""

    id: str
    op: str
    fact: str | None = None
    value: Any = None
    unclear: tuple[Any, ...] = ()
    bound_by: str | None = None
    parts: tuple[Condition, ...] = ()
    # Computed once in __post_init__ (outside __init__, equality, hash and repr):
    _facts: list[str] = field(init=False, repr=False, compare=False)
    slot: int = field(init=False, repr=False, compare=False)  # equal content, equal slot

    def __post_init__(self) -> None:
        object.__setattr__(self, "_facts", self._read())
        object.__setattr__(self, "slot", _slot(self))

    def facts(self) -> list[str]:
        """Every fact this condition reads."""
        return self._facts

    def _read(self) -> list[str]:
        """Facts of the vocabulary (origin_city/origin_province count as origin_county)."""
        if self.op in ("any", "all"):
            names = [f for p in self.parts for f in p.facts()]
        elif self.op == "work_in":
            names = ["work_province", "work_city", "work_county"]
        elif self.op == "cross_province":
            names = ["origin_county", "work_province"]
        else:
            names = [DERIVED.get(f, f) for f in (self.fact, self.bound_by) if f]
        return list(dict.fromkeys(names))


def _frozen(value: Any) -> Any:
    """A hashable stand-in for a condition value (lists and mappings keep their order)."""
    if isinstance(value, (list, tuple)):
        return ("list", tuple(_frozen(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((k, _frozen(v)) for k, v in value.items()))
    return (type(value).__name__, value)


def _slot(cond: Condition) -> int:
    """One number per distinct condition content: equal conditions of many documents are evaluated once."""
    parts = tuple(p.slot for p in cond.parts)
    key: tuple[Any, ...]
    try:
        key = (cond.id, cond.op, cond.fact, _frozen(cond.value), _frozen(cond.unclear), cond.bound_by, parts)
        hash(key)
    except TypeError:  # an unhashable value: a slot of its own
        key = ("unhashable", id(cond), len(_SLOTS))
    with _SLOTS_LOCK:
        return _SLOTS.setdefault(key, len(_SLOTS))


class Gap(TypedDict):
    """What an unmet count condition still lacks: ``need`` more ``unit`` of ``fact``."""

    fact: str
    need: Any  # a number: the condition's figure minus the fact's value
    unit: str | None


@dataclass
class ConditionOutcome:
    """How one condition stands for one person on one day (``reason`` is rendered on first use)."""

    id: str
    status: str
    facts: list[str]
    gap: Gap | None = None
    crosses_on: date | None = None
    missing: list[str] = field(default_factory=list)
    # (condition, status, context), or () when there is nothing to explain
    explain: tuple[Condition, str, dict[str, Any]] | tuple[()] = field(default=(), repr=False, compare=False)

    @cached_property
    def reason(self) -> str:
        """Plain Chinese for this outcome, from templates."""
        return reason_text(*self.explain) if self.explain else ""


def source_fact(name: str) -> str:
    """The fact to ask for when ``name`` is unknown."""
    return DERIVED.get(name, name)


def _outcome(cond: Condition, status: str, missing: list[str] | None = None, **ctx: Any) -> ConditionOutcome:
    gap, crosses_on = ctx.pop("gap", None), ctx.pop("crosses_on", None)
    return ConditionOutcome(
        id=cond.id, status=status, facts=cond.facts(), gap=gap, crosses_on=crosses_on,
        missing=[source_fact(m) for m in (missing or [])], explain=(cond, status, {"gap": gap, **ctx}),
    )


def evaluate_condition(cond: Condition, facts: dict[str, Any], as_of: date) -> ConditionOutcome:
    """Evaluate one condition against normalised facts as of a day."""
    if cond.op in ("any", "all"):
        return _combined(cond, [evaluate_condition(p, facts, as_of) for p in cond.parts])
    if cond.op == "confirm":
        return _outcome(cond, UNKNOWN)
    if cond.op == "work_in":
        return _work_in(cond, facts)
    if cond.op == "cross_province":
        return _cross_province(cond, facts)
    fact = _fact_of(cond)
    value = facts.get(fact)
    if value is None:
        return _infer(cond, facts) or _outcome(cond, UNKNOWN, [fact])
    return _compare(cond, value, facts, as_of)


def _fact_of(cond: Condition) -> str:
    """The fact a comparison reads (the rule schema refuses a comparison without one)."""
    if cond.fact is None:
        raise ValueError(f"condition {cond.id!r} ({cond.op}) has no fact")
    return cond.fact


def _day_of(value: object, what: str) -> date:
    """A date that must be there: a fact value already checked, or a condition's limit."""
    day = parse_day(value)
    if day is None:
        raise ValueError(f"{what}: no date")
    return day


def _compare(cond: Condition, value: Any, facts: dict[str, Any], as_of: date) -> ConditionOutcome:
    shown = display(cond.fact, value)
    if cond.op == "in":
        if value in cond.unclear:
            return _outcome(cond, UNKNOWN, value=shown, unclear=True)
        ok = value in cond.value
    elif cond.op == "equals":
        ok = value == cond.value
    elif cond.op == "at_most":
        ok = value <= cond.value
    elif cond.op in ("on_or_after", "before"):
        day = _day_of(value, f"condition {cond.id!r}: {cond.fact}")
        limit = _day_of(cond.value, f"condition {cond.id!r}: {cond.op}")
        ok = day >= limit if cond.op == "on_or_after" else day < limit
        shown = cn_date(day)
    else:
        return _at_least(cond, value, facts, as_of)
    return _outcome(cond, MET if ok else UNMET, value=shown)


def _at_least(cond: Condition, value: Any, facts: dict[str, Any], as_of: date) -> ConditionOutcome:
    if value >= cond.value:
        return _outcome(cond, MET, value=value, need=cond.value)
    short = cond.value - value
    gap: Gap = {"fact": _fact_of(cond), "need": short, "unit": unit_of(_fact_of(cond))}
    crosses_on = None
    if cond.fact in MONTHLY:
        start = parse_day(facts.get("employment_start"))
        crosses_on = add_months(start, cond.value) if start and cond.fact == "months_employed" else add_months(as_of, short)
    return _outcome(cond, UNMET, value=value, need=cond.value, gap=gap, crosses_on=crosses_on)


def _infer(cond: Condition, facts: dict[str, Any]) -> ConditionOutcome | None:
    """A date not given but bounded by another (first arrival is at latest the job start)."""
    bound = parse_day(facts.get(cond.bound_by)) if cond.bound_by else None
    if cond.op != "on_or_after" or not bound:
        return None
    limit = _day_of(cond.value, f"condition {cond.id!r}: {cond.op}")
    if bound < limit:
        return _outcome(cond, UNMET, value=cn_date(bound), need=cn_date(limit), inferred=True)
    return None


def _combined(cond: Condition, outcomes: list[ConditionOutcome]) -> ConditionOutcome:
    statuses = {o.status for o in outcomes}
    if cond.op == "any":
        status = MET if MET in statuses else UNKNOWN if UNKNOWN in statuses else UNMET
    else:
        status = UNMET if UNMET in statuses else UNKNOWN if UNKNOWN in statuses else MET
    missing = sorted({m for o in outcomes if o.status == UNKNOWN for m in o.missing}) if status == UNKNOWN else []
    chosen = next((o for o in outcomes if o.status == status), outcomes[0])
    return ConditionOutcome(
        id=cond.id, status=status, facts=cond.facts(), gap=chosen.gap,
        crosses_on=chosen.crosses_on, missing=missing, explain=chosen.explain,
    )


def _work_in(cond: Condition, facts: dict[str, Any]) -> ConditionOutcome:
    want = cond.value
    got = {k: facts.get(f"work_{k}") for k in ("province", "city", "county")}
    place = "".join(v for k, v in want.items())
    here = "".join(v for v in got.values() if v)
    for level in ("province", "city", "county"):
        if level in want and got[level] is not None and got[level] != want[level]:
            return _outcome(cond, UNMET, place=place, value=here)
    missing = [f"work_{k}" for k in want if got[k] is None]
    if missing:
        return _outcome(cond, UNKNOWN, missing, place=place, value=here)
    return _outcome(cond, MET, place=place, value=here)


def _cross_province(cond: Condition, facts: dict[str, Any]) -> ConditionOutcome:
    home, work = facts.get("origin_province"), facts.get("work_province")
    missing = [f for f, v in (("origin_province", home), ("work_province", work)) if v is None]
    if missing:
        return _outcome(cond, UNKNOWN, missing, home=home or "", work=work or "")
    crossed = home != work
    status = MET if crossed == bool(cond.value) else UNMET
    return _outcome(cond, status, home=home, work=work)
