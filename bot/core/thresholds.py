"""Whether a range of months (快两年 = 18..23) is good enough to take, and values to pick from.

The thresholds come from the rules data (every ``at_least`` on the fact and every
``qualifying`` on it), never from a list written here. A range is taken, with its lower
end stored, when its lower end already reaches every threshold and the person's results
come out the same at both ends (the day a threshold was reached can fall inside or outside
a document's period). Otherwise the person picks a value from buttons.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.core.conditions import Condition
    from bot.core.result import Result

MAX_PICKS = 12


def _walk(conditions: Iterable[Condition], fact: str) -> Iterator[int | float]:
    """Every ``at_least`` value on ``fact`` in a condition tree."""
    for cond in conditions:
        if cond.op in ("any", "all"):
            yield from _walk(cond.parts, fact)
        elif cond.op == "at_least" and cond.fact == fact and isinstance(cond.value, (int, float)):
            yield cond.value


@lru_cache(maxsize=16)
def thresholds(fact: str) -> tuple[int, ...]:
    """The month counts the rules compare ``fact`` with (``social_insurance_months``: 3, 12)."""
    from bot.core.rules import load_rules

    found: set[int] = set()
    for rule in load_rules():
        found.update(int(v) for v in _walk(rule.all_conditions(), fact))
        if rule.qualifying and rule.qualifying["fact"] == fact:
            found.add(int(rule.qualifying["months"]))
    return tuple(sorted(t for t in found if t > 0))


def _outcome(results: list[Result]) -> tuple[tuple[Any, ...], ...]:
    """What a worker is told, per result: eligible, claimable, any gap left, and whether the
    qualifying day falls inside the period (it matters once the facts still unknown are given)."""
    told = []
    for r in results:
        reached, end = getattr(r, "qualified_on", None), getattr(r, "period_end", None)
        inside = None if reached is None else end is None or reached <= end
        gaps = tuple(sorted(str(c.gap) for c in getattr(r, "conditions", ()) if getattr(c, "gap", None)))
        told.append((r.id, r.eligible, r.claimable, inside, gaps))
    return tuple(sorted(told, key=str))


def same_outcome(fact: str, low: int | str, high: int | str, facts: dict[str, Any], as_of: date,
                 evaluate: Callable[[dict[str, Any], date], list[Result]]) -> bool:
    """Whether the results read the same with either end of a range for ``fact``."""
    return _outcome(evaluate({**facts, fact: low}, as_of)) == _outcome(evaluate({**facts, fact: high}, as_of))


def decides(fact: str, low: int, high: int, facts: dict[str, Any], as_of: date,
            evaluate: Callable[[dict[str, Any], date], list[Result]]) -> bool:
    """Whether storing ``low`` tells the person what any value up to ``high`` would."""
    if low == high:
        return True
    if any(low < t for t in thresholds(fact)):
        return False
    return same_outcome(fact, low, high, facts, as_of, evaluate)


def pick_values(fact: str, low: int, high: int) -> list[int]:
    """Values to offer for a range: all of them when few, else the ends, thresholds and steps."""
    if high - low < MAX_PICKS:
        return list(range(low, high + 1))
    marks = {low, high} | {t for t in thresholds(fact) if low <= t <= high}
    marks |= {t - 1 for t in thresholds(fact) if low <= t - 1 <= high}
    step = max(1, (high - low) // (MAX_PICKS - len(marks) or 1))
    marks |= set(range(low, high, step))
    return sorted(marks)[:MAX_PICKS]
